package dev.switchboard.media.sdp;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a client's offer or answer says, as {@link OfferReader} read and checked it: one transport (ICE credentials,
 * DTLS fingerprint and role) and its m-sections in order.
 *
 * @param iceUfrag   the transport's ufrag: session level, or the sections' (which must agree)
 * @param setup      {@code null} when no section says (RFC 4145 §4.1: then the default, active, applies)
 * @param bundle     the mids of the first {@code a=group:BUNDLE}, empty without one
 */
public record RemoteDescription(Sdp sdp, String iceUfrag, String icePwd, List<String> iceOptions,
    List<Fingerprint> fingerprints, Setup setup, List<String> bundle, boolean extmapAllowMixed,
    List<Section> sections) {

  public RemoteDescription {
    iceOptions = List.copyOf(iceOptions);
    fingerprints = List.copyOf(fingerprints);
    bundle = List.copyOf(bundle);
    sections = List.copyOf(sections);
  }

  /** The DTLS role an {@code a=setup} line names. */
  public enum Setup {
    ACTPASS, ACTIVE, PASSIVE, HOLDCONN;

    static Setup of(String value) {
      return switch (value) {
        case "actpass" -> ACTPASS;
        case "active" -> ACTIVE;
        case "passive" -> PASSIVE;
        case "holdconn" -> HOLDCONN;
        default -> null;
      };
    }
  }

  /** {@code a=fingerprint:<algorithm> <value>}, the algorithm lower-cased, the value upper-cased hex pairs. */
  public record Fingerprint(String algorithm, String value) {
    /** As an SDP writes it, e.g. {@code sha-256 AB:CD:...}. */
    @Override
    public String toString() {
      return algorithm + " " + value;
    }
  }

  /** {@code a=msid:<stream id> <track id>}; the stream is {@code "-"} for a track in no stream. */
  public record Msid(String stream, String track) {
  }

  /** What {@code a=ssrc:<ssrc> cname:} and {@code msid:} say of one SSRC; {@code null} for what is not said. */
  public record Ssrc(long ssrc, String cname, Msid msid) {
  }

  /**
   * One m-section.
   *
   * @param mid       {@code null} only for a rejected section that has none
   * @param codecs    in the m-line's (preference) order, RTX ones included
   * @param rtxSsrcs  primary SSRC to its RTX SSRC, from {@code a=ssrc-group:FID}
   * @param simulcast {@code a=simulcast} or {@code a=rid} present, or a legacy {@code SIM} SSRC group
   */
  public record Section(int index, String mid, MediaKind kind, String media, String proto, List<String> formats,
      boolean rejected, Direction direction, List<Codec> codecs, List<Extmap> extmaps, Map<Long, Ssrc> ssrcs,
      Map<Long, Long> rtxSsrcs, Msid msid, boolean simulcast, boolean rtcpMux, boolean rtcpRsize) {

    public Section {
      formats = List.copyOf(formats);
      codecs = List.copyOf(codecs);
      extmaps = List.copyOf(extmaps);
      ssrcs = Map.copyOf(ssrcs);
      rtxSsrcs = Map.copyOf(rtxSsrcs);
    }

    public Optional<Codec> codec(int pt) {
      return codecs.stream().filter(c -> c.pt() == pt).findFirst();
    }

    /** The RTX codec whose apt is {@code pt}. */
    public Optional<Codec> rtxFor(int pt) {
      return codecs.stream().filter(c -> c.apt() == pt).findFirst();
    }

    /** RTX payload type to the payload type it repairs. */
    public Map<Integer, Integer> rtxApt() {
      Map<Integer, Integer> apt = new java.util.LinkedHashMap<>();
      codecs.stream().filter(c -> c.apt() >= 0).forEach(c -> apt.put(c.pt(), c.apt()));
      return apt;
    }

    public Optional<Extmap> extmap(String uri) {
      return extmaps.stream().filter(e -> e.uri().equals(uri)).findFirst();
    }

    /** SSRCs that are no FID group's RTX SSRC, in ascending order: the streams the client sends. */
    public List<Long> primarySsrcs() {
      return ssrcs.keySet().stream().filter(s -> !rtxSsrcs.containsValue(s)).sorted().toList();
    }

    /** In a BUNDLE group with this mid, not rejected: media for it comes over the one transport. */
    public boolean bundledIn(List<String> bundle) {
      return !rejected && mid != null && bundle.contains(mid);
    }
  }

  /** The sha-256 fingerprint when there is one (what the node checks first), else the first. */
  public Fingerprint fingerprint() {
    return fingerprints.stream().filter(f -> f.algorithm().equals("sha-256")).findFirst()
        .orElse(fingerprints.get(0));
  }

  public Optional<Section> section(String mid) {
    return sections.stream().filter(s -> mid.equals(s.mid())).findFirst();
  }

  public List<String> mids() {
    return sections.stream().map(Section::mid).toList();
  }
}

package dev.switchboard.media.sdp;

import dev.switchboard.media.sdp.RemoteDescription.Fingerprint;
import dev.switchboard.media.sdp.RemoteDescription.Msid;
import dev.switchboard.media.sdp.RemoteDescription.Section;
import dev.switchboard.media.sdp.RemoteDescription.Setup;
import dev.switchboard.media.sdp.RemoteDescription.Ssrc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a client's offer or answer into a {@link RemoteDescription} and checks what the node relies on: a DTLS
 * fingerprint, ICE credentials of RFC 8445 §5.3's lengths, rtcp-mux on every live RTP section, unique mids, one
 * ufrag for the one transport. Candidates are not read: the node is ICE-lite and learns the client's address from
 * its checks.
 */
public final class OfferReader {
  private static final Pattern ICE_CHARS = Pattern.compile("[A-Za-z0-9+/]+");
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.0-9A-Z^_`a-z{|}~]+");
  private static final Pattern HEX_PAIRS = Pattern.compile("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})+");
  private static final int MAX_MID = 32;
  /**
   * Per section: more feedback per codec or more SSRCs than any browser writes (Chrome's simulcast: 3 SSRCs and
   * their RTX) is an attack on the work done per section, as are repeated payload types.
   */
  private static final int MAX_FEEDBACK = 32;
  private static final int MAX_SSRCS = 32;

  private OfferReader() {
  }

  public static RemoteDescription read(String text) throws SdpException {
    return read(Sdp.parse(text));
  }

  public static RemoteDescription read(String text, Sdp.Limits limits) throws SdpException {
    return read(Sdp.parse(text, limits));
  }

  public static RemoteDescription read(Sdp sdp) throws SdpException {
    List<Fingerprint> fingerprints = new ArrayList<>();
    for (String value : sdp.sessionAttributes("fingerprint")) {
      fingerprints.add(fingerprint(value));
    }
    String ufrag = sdp.sessionAttribute("ice-ufrag").orElse(null);
    String pwd = sdp.sessionAttribute("ice-pwd").orElse(null);
    List<String> iceOptions = iceOptions(sdp.sessionAttribute("ice-options").orElse(null));
    Setup setup = setup(sdp.sessionAttribute("setup").orElse(null));
    List<String> bundle = List.of();
    for (String group : sdp.sessionAttributes("group")) {
      String[] parts = group.split(" ");
      if (parts[0].equals("BUNDLE") && bundle.isEmpty()) {
        bundle = List.of(parts).subList(1, parts.length);
      }
    }
    List<Section> sections = new ArrayList<>();
    Set<String> mids = new HashSet<>();
    for (MediaSection media : sdp.media()) {
      Section section = section(media);
      if (section.mid() != null && !mids.add(section.mid())) {
        throw new SdpException("mid " + section.mid() + " appears twice");
      }
      sections.add(section);
      if (section.rejected()) {
        continue; // a stopped section's transport attributes, if any, are stale
      }
      ufrag = agree(ufrag, media.attribute("ice-ufrag").orElse(null), "ice-ufrag");
      pwd = agree(pwd, media.attribute("ice-pwd").orElse(null), "ice-pwd");
      if (iceOptions.isEmpty()) {
        iceOptions = iceOptions(media.attribute("ice-options").orElse(null));
      }
      Setup sectionSetup = setup(media.attribute("setup").orElse(null));
      if (setup != null && sectionSetup != null && setup != sectionSetup) {
        throw new SdpException("sections disagree on setup");
      }
      setup = setup == null ? sectionSetup : setup;
      if (fingerprints.isEmpty()) {
        for (String value : media.attributes("fingerprint")) {
          fingerprints.add(fingerprint(value));
        }
      }
    }
    if (fingerprints.isEmpty()) {
      throw new SdpException("no a=fingerprint");
    }
    checkIce(ufrag, 4, "ice-ufrag");
    checkIce(pwd, 22, "ice-pwd");
    return new RemoteDescription(sdp, ufrag, pwd, iceOptions, fingerprints, setup, bundle,
        sdp.sessionAttribute("extmap-allow-mixed").isPresent(), sections);
  }

  private static Section section(MediaSection media) throws SdpException {
    String where = "m-section " + media.index() + ": ";
    String mid = media.attribute("mid").orElse(null);
    if (mid != null && (mid.length() > MAX_MID || !TOKEN.matcher(mid).matches())) {
      throw new SdpException(where + "mid is not a token of up to " + MAX_MID + " chars");
    }
    if (mid == null && !media.rejected()) {
      throw new SdpException(where + "no a=mid");
    }
    Direction direction = Direction.SENDRECV; // RFC 3264 §5.1: sendrecv when none is said
    for (String line : media.lines()) {
      Direction said = line.startsWith("a=") ? Direction.ofAttribute(line.substring(2)) : null;
      if (said != null) {
        direction = said;
        break;
      }
    }
    boolean rtp = media.proto().contains("RTP/");
    boolean rtcpMux = media.hasAttribute("rtcp-mux");
    MediaKind kind = media.kind();
    if (rtp && !media.rejected() && !rtcpMux && (kind == MediaKind.AUDIO || kind == MediaKind.VIDEO)) {
      throw new SdpException(where + "no a=rtcp-mux");
    }
    List<Codec> codecs = rtp ? codecs(media, where) : List.of();
    List<Extmap> extmaps = extmaps(media, where);
    Map<Long, Ssrc> ssrcs = new LinkedHashMap<>();
    for (String value : media.attributes("ssrc")) {
      int space = value.indexOf(' ');
      long ssrc = parseSsrc(space < 0 ? value : value.substring(0, space), where);
      Ssrc known = ssrcs.getOrDefault(ssrc, new Ssrc(ssrc, null, null));
      if (!ssrcs.containsKey(ssrc) && ssrcs.size() == MAX_SSRCS) {
        throw new SdpException(where + "more than " + MAX_SSRCS + " SSRCs");
      }
      String attribute = space < 0 ? "" : value.substring(space + 1);
      if (attribute.startsWith("cname:")) {
        known = new Ssrc(ssrc, attribute.substring(6), known.msid());
      } else if (attribute.startsWith("msid:")) {
        known = new Ssrc(ssrc, known.cname(), msid(attribute.substring(5)));
      }
      ssrcs.put(ssrc, known);
    }
    Map<Long, Long> rtxSsrcs = new LinkedHashMap<>();
    boolean legacySimulcast = false;
    for (String value : media.attributes("ssrc-group")) {
      String[] parts = value.split(" ");
      if (parts[0].equals("FID") && parts.length == 3) {
        rtxSsrcs.put(parseSsrc(parts[1], where), parseSsrc(parts[2], where));
      }
      legacySimulcast |= parts[0].equals("SIM");
    }
    Msid msid = media.attribute("msid").map(OfferReader::msid).orElse(null);
    boolean simulcast = legacySimulcast || media.hasAttribute("simulcast") || media.hasAttribute("rid");
    return new Section(media.index(), mid, kind, media.media(), media.proto(), media.formats(), media.rejected(),
        direction, codecs, extmaps, ssrcs, rtxSsrcs, msid, simulcast, rtcpMux, media.hasAttribute("rtcp-rsize"));
  }

  /** One codec per m-line format, in the m-line's order; a format without an rtpmap is dropped. */
  private static List<Codec> codecs(MediaSection media, String where) throws SdpException {
    Map<Integer, String[]> rtpmaps = new HashMap<>();
    for (String value : media.attributes("rtpmap")) {
      String[] parts = value.split(" ", 2);
      int pt = parseInt(parts[0], 0, 127);
      String[] encoding = parts.length == 2 ? parts[1].split("/") : new String[0];
      if (pt < 0 || encoding.length < 2 || encoding.length > 3 || encoding[0].isEmpty()
          || parseInt(encoding[1], 1, Integer.MAX_VALUE) < 0
          || (encoding.length == 3 && parseInt(encoding[2], 1, 255) < 0)) {
        throw new SdpException(where + "malformed a=rtpmap");
      }
      rtpmaps.putIfAbsent(pt, encoding);
    }
    Map<Integer, String> fmtps = new HashMap<>();
    for (String value : media.attributes("fmtp")) {
      String[] parts = value.split(" ", 2);
      int pt = parseInt(parts[0], 0, 127);
      if (pt < 0) {
        throw new SdpException(where + "malformed a=fmtp");
      }
      fmtps.putIfAbsent(pt, parts.length == 2 ? parts[1] : "");
    }
    Map<Integer, List<String>> feedback = new HashMap<>();
    List<String> anyFeedback = new ArrayList<>();
    for (String value : media.attributes("rtcp-fb")) {
      String[] parts = value.split(" ", 2);
      if (parts.length < 2) {
        throw new SdpException(where + "malformed a=rtcp-fb");
      }
      if (parts[0].equals("*")) {
        anyFeedback.add(parts[1]);
        continue;
      }
      int pt = parseInt(parts[0], 0, 127);
      if (pt < 0) {
        throw new SdpException(where + "malformed a=rtcp-fb");
      }
      feedback.computeIfAbsent(pt, p -> new ArrayList<>()).add(parts[1]);
    }
    List<Codec> codecs = new ArrayList<>();
    Set<Integer> listed = new HashSet<>();
    for (String format : media.formats()) {
      int pt = parseInt(format, 0, 127);
      if (pt < 0) {
        throw new SdpException(where + "RTP format is not a payload type");
      }
      if (!listed.add(pt)) {
        throw new SdpException(where + "payload type " + pt + " listed twice");
      }
      String[] encoding = rtpmaps.get(pt);
      if (encoding == null) {
        continue; // a static payload type (PCMU 0, ...) the node does not use anyway
      }
      Set<String> fb = new LinkedHashSet<>(feedback.getOrDefault(pt, List.of()));
      fb.addAll(anyFeedback);
      if (fb.size() > MAX_FEEDBACK) {
        throw new SdpException(where + "more than " + MAX_FEEDBACK + " rtcp-fb for payload type " + pt);
      }
      int channels = encoding.length == 3 ? Integer.parseInt(encoding[2]) : 1;
      codecs.add(new Codec(pt, encoding[0], Integer.parseInt(encoding[1]), channels, fmtps.getOrDefault(pt, ""),
          List.copyOf(fb)));
    }
    return codecs;
  }

  private static List<Extmap> extmaps(MediaSection media, String where) throws SdpException {
    List<Extmap> extmaps = new ArrayList<>();
    Set<Integer> ids = new HashSet<>();
    for (String value : media.attributes("extmap")) {
      String[] parts = value.split(" ");
      if (parts.length < 2) {
        throw new SdpException(where + "malformed a=extmap");
      }
      int slash = parts[0].indexOf('/');
      int id = parseInt(slash < 0 ? parts[0] : parts[0].substring(0, slash), 1, 255);
      Direction direction = slash < 0 ? null : Direction.ofAttribute(parts[0].substring(slash + 1));
      if (id < 0 || (slash >= 0 && direction == null)) {
        throw new SdpException(where + "malformed a=extmap");
      }
      if (!ids.add(id)) {
        throw new SdpException(where + "extmap id " + id + " used twice");
      }
      extmaps.add(new Extmap(id, parts[1], direction));
    }
    return extmaps;
  }

  private static Fingerprint fingerprint(String value) throws SdpException {
    String[] parts = value.split(" ");
    if (parts.length != 2 || !TOKEN.matcher(parts[0]).matches() || !HEX_PAIRS.matcher(parts[1]).matches()
        || parts[1].length() > 3 * 64) {
      throw new SdpException("malformed a=fingerprint");
    }
    return new Fingerprint(parts[0].toLowerCase(Locale.ROOT), parts[1].toUpperCase(Locale.ROOT));
  }

  private static Msid msid(String value) {
    String[] parts = value.split(" ");
    return new Msid(parts[0], parts.length > 1 ? parts[1] : null);
  }

  private static Setup setup(String value) throws SdpException {
    if (value == null) {
      return null;
    }
    Setup setup = Setup.of(value);
    if (setup == null) {
      throw new SdpException("malformed a=setup");
    }
    return setup;
  }

  private static List<String> iceOptions(String value) {
    return value == null || value.isBlank() ? List.of() : List.of(value.trim().split(" +"));
  }

  private static String agree(String known, String said, String name) throws SdpException {
    if (known != null && said != null && !known.equals(said)) {
      throw new SdpException("sections disagree on " + name + ": the node has one transport");
    }
    return known == null ? said : known;
  }

  private static void checkIce(String value, int minLength, String name) throws SdpException {
    if (value == null) {
      throw new SdpException("no a=" + name);
    }
    if (value.length() < minLength || value.length() > 256 || !ICE_CHARS.matcher(value).matches()) {
      throw new SdpException(name + " must be " + minLength + "..256 ice-chars");
    }
  }

  private static long parseSsrc(String digits, String where) throws SdpException {
    if (digits.isEmpty() || digits.length() > 10 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new SdpException(where + "malformed SSRC");
    }
    long ssrc = Long.parseLong(digits);
    if (ssrc > 0xffffffffL) {
      throw new SdpException(where + "SSRC out of range");
    }
    return ssrc;
  }

  /** A decimal in {@code [min, max]}, or -1: never a NumberFormatException from client text. */
  static int parseInt(String digits, int min, int max) {
    if (digits.isEmpty() || digits.length() > 10) {
      return -1;
    }
    for (int i = 0; i < digits.length(); i++) {
      if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
        return -1;
      }
    }
    long value = Long.parseLong(digits);
    return value < min || value > max ? -1 : (int) value;
  }
}

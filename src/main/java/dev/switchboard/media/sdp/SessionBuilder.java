package dev.switchboard.media.sdp;

import dev.switchboard.media.sdp.PlannedSection.SendTrack;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Writes the node's SDP for one participant from its {@link MediaPlan}: the answer to a client offer and the
 * node's own offers. Writing is the node's setLocalDescription: it moves the plan's exchange on.
 *
 * <p>What every description says: {@code a=ice-lite} (the node answers checks, never starts them), the node's
 * ufrag/pwd and fingerprint in each live section, {@code a=setup:passive} in answers and {@code actpass} in offers
 * (the client is always the DTLS client), rtcp-mux, one BUNDLE group of the live mids, and the node's host
 * candidates complete in the first bundled section ({@code a=end-of-candidates}: there is no trickle from a lite
 * agent). A rejected section keeps its m-line with port 0 and its mid.
 */
public final class SessionBuilder {
  private SessionBuilder() {
  }

  /**
   * The node's answer to {@code offer}, which the plan must have taken in by {@link MediaPlan#applyRemoteOffer}:
   * the offer's sections in its order, each the node's direction for it, codecs and extensions among those offered
   * (with the offerer's numbers).
   */
  public static String answer(MediaPlan plan, RemoteDescription offer) {
    plan.answerWritten(offer);
    List<PlannedSection> sections = plan.sections().subList(0, offer.sections().size());
    List<String> bundle = sections.stream().filter(s -> !s.rejected()).map(PlannedSection::mid).toList();
    List<String> out = session(plan, bundle, offer.extmapAllowMixed());
    boolean candidates = true;
    for (int i = 0; i < sections.size(); i++) {
      PlannedSection section = sections.get(i);
      RemoteDescription.Section offered = offer.sections().get(i);
      if (section.rejected()) {
        rejected(out, section, offered);
        continue;
      }
      live(out, plan, section, section.answerTo(offered), "passive", offered.rtcpRsize(), candidates);
      candidates = false;
    }
    return join(out);
  }

  /** The node's offer: every section of the plan, the node's own new ones at the end. */
  public static String offer(MediaPlan plan) {
    plan.offerWritten();
    List<PlannedSection> sections = plan.sections();
    List<String> bundle = sections.stream().filter(s -> !s.rejected()).map(PlannedSection::mid).toList();
    List<String> out = session(plan, bundle, true);
    boolean candidates = true;
    for (PlannedSection section : sections) {
      if (section.rejected()) {
        rejected(out, section, section.remote());
        continue;
      }
      live(out, plan, section, section.offerDirection(), "actpass", true, candidates);
      candidates = false;
    }
    return join(out);
  }

  private static List<String> session(MediaPlan plan, List<String> bundle, boolean extmapAllowMixed) {
    List<String> out = new ArrayList<>();
    out.add("v=0");
    out.add("o=- " + plan.sessionId() + " " + plan.version() + " IN IP4 127.0.0.1");
    out.add("s=-");
    out.add("t=0 0");
    if (!bundle.isEmpty()) {
      out.add("a=group:BUNDLE " + String.join(" ", bundle));
    }
    out.add("a=ice-lite");
    if (extmapAllowMixed) {
      // the node reads one- and two-byte extension headers alike; saying so lets Chrome mix them (RFC 8285 §6)
      out.add("a=extmap-allow-mixed");
    }
    out.add("a=msid-semantic: WMS *");
    return out;
  }

  private static void live(List<String> out, MediaPlan plan, PlannedSection section, Direction direction,
      String setup, boolean rtcpRsize, boolean candidates) {
    out.add("m=" + section.kind().token() + " 9 UDP/TLS/RTP/SAVPF "
        + section.codecs().stream().map(c -> Integer.toString(c.pt())).collect(Collectors.joining(" ")));
    out.add("c=IN IP4 0.0.0.0");
    out.add("a=ice-ufrag:" + plan.iceUfrag());
    out.add("a=ice-pwd:" + plan.icePwd());
    out.add("a=fingerprint:" + plan.fingerprint());
    out.add("a=setup:" + setup);
    out.add("a=mid:" + section.mid());
    section.extmaps().forEach(e -> out.add("a=extmap:" + e.attributeValue()));
    out.add("a=" + direction.attribute());
    SendTrack send = direction.sends() ? section.send() : null;
    if (send != null) {
      out.add("a=msid:" + send.ownerPeerId() + " " + send.trackId());
    }
    out.add("a=rtcp-mux");
    if (rtcpRsize) {
      out.add("a=rtcp-rsize");
    }
    for (Codec codec : section.codecs()) {
      out.add("a=rtpmap:" + codec.pt() + " " + codec.rtpmap());
      codec.feedback().forEach(fb -> out.add("a=rtcp-fb:" + codec.pt() + " " + fb));
      if (!codec.fmtp().isEmpty()) {
        out.add("a=fmtp:" + codec.pt() + " " + codec.fmtp());
      }
    }
    if (send != null) {
      ssrcs(out, send, section.codecs().stream().anyMatch(Codec::isRtx));
    }
    if (candidates) {
      int foundation = 1;
      for (MediaPlan.Candidate candidate : plan.candidates()) {
        out.add("a=candidate:" + foundation++ + " 1 udp " + candidate.priority() + " " + candidate.ip() + " "
            + candidate.port() + " typ host");
      }
      out.add("a=end-of-candidates");
    }
  }

  /** The SSRCs the node sends with (RFC 5576), so the browser maps them to the msid's track before media flows. */
  private static void ssrcs(List<String> out, SendTrack send, boolean rtx) {
    String msid = " msid:" + send.ownerPeerId() + " " + send.trackId();
    boolean withRtx = rtx && send.rtxSsrc() != 0;
    if (withRtx) {
      out.add("a=ssrc-group:FID " + send.ssrc() + " " + send.rtxSsrc());
    }
    out.add("a=ssrc:" + send.ssrc() + " cname:" + send.cname());
    out.add("a=ssrc:" + send.ssrc() + msid);
    if (withRtx) {
      out.add("a=ssrc:" + send.rtxSsrc() + " cname:" + send.cname());
      out.add("a=ssrc:" + send.rtxSsrc() + msid);
    }
  }

  /** Port 0, the offerer's protocol and formats (RFC 3264 §6), the mid so the m-line stays matched. */
  private static void rejected(List<String> out, PlannedSection section, RemoteDescription.Section remote) {
    String media = remote != null ? remote.media() : section.kind().token();
    String proto = remote != null ? remote.proto() : "UDP/TLS/RTP/SAVPF";
    List<String> formats = remote != null && !remote.formats().isEmpty() ? remote.formats()
        : section.codecs().stream().map(c -> Integer.toString(c.pt())).toList();
    out.add("m=" + media + " 0 " + proto + " " + (formats.isEmpty() ? "0" : String.join(" ", formats)));
    out.add("c=IN IP4 0.0.0.0");
    if (section.mid() != null) {
      out.add("a=mid:" + section.mid());
    }
    if (proto.contains("RTP/")) {
      out.add("a=inactive");
    }
  }

  private static String join(List<String> lines) {
    StringBuilder text = new StringBuilder(lines.size() * 40);
    lines.forEach(line -> text.append(line).append("\r\n"));
    return text.toString();
  }
}

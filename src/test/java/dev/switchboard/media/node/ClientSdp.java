package dev.switchboard.media.node;

import dev.switchboard.media.client.MediaClient;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The SDP a test client (the media kit, not a browser) sends: Chromium's captured offer under the kit's own ICE
 * credentials and certificate, and answers to the node's offers made the way a browser makes them.
 */
public final class ClientSdp {
  /** The video SSRC of the captured Chromium offer: the kit publishes under it. */
  public static final int VIDEO_SSRC = (int) 3623477890L;
  public static final int VP8 = 96;

  private ClientSdp() {
  }

  public static String offer(MediaClient client) throws IOException {
    try (InputStream in = ClientSdp.class.getResourceAsStream("/sdp/chrome-offer-audio-video.sdp")) {
      String captured = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return withIdentity(captured, client);
    }
  }

  /** Chromium's offer under other SSRCs (video, its RTX, audio): several publishers in one room. */
  public static String offer(MediaClient client, long video, long rtx, long audio) throws IOException {
    return offer(client).replace("3623477890", Long.toString(video)).replace("1490040483", Long.toString(rtx))
        .replace("4243303511", Long.toString(audio));
  }

  /** Chromium's offer turned receive-only (a viewer's): its sections ask to receive and carry no SSRCs. */
  public static String receiveOnlyOffer(MediaClient client) throws IOException {
    return offer(client).lines()
        .filter(l -> !l.startsWith("a=ssrc") && !l.startsWith("a=msid:"))
        .map(l -> l.equals("a=sendrecv") ? "a=recvonly" : l)
        .collect(Collectors.joining("\r\n", "", "\r\n"));
  }

  /** A browser's answer to the node's offer: it receives what the node sends, sends on its own sections. */
  public static String answer(String nodeOffer, MediaClient client) {
    String lines = nodeOffer.lines()
        .filter(l -> !l.startsWith("a=ice-lite") && !l.startsWith("a=candidate") && !l.startsWith("a=end-of-candidates")
            && !l.startsWith("a=ssrc") && !l.startsWith("a=msid"))
        .map(l -> switch (l) {
          case "a=sendonly" -> "a=recvonly";
          case "a=recvonly" -> "a=sendonly";
          case "a=setup:actpass" -> "a=setup:active";
          default -> l;
        })
        .collect(Collectors.joining("\r\n", "", "\r\n"));
    return withIdentity(lines, client);
  }

  private static String withIdentity(String sdp, MediaClient client) {
    return sdp.replaceAll("a=ice-ufrag:.*", "a=ice-ufrag:" + client.ufrag())
        .replaceAll("a=ice-pwd:.*", "a=ice-pwd:" + client.pwd())
        .replaceAll("a=fingerprint:.*", "a=fingerprint:" + client.fingerprint());
  }

  public static String ufrag(String sdp) {
    return first(sdp, "a=ice-ufrag:(\\S+)");
  }

  public static String pwd(String sdp) {
    return first(sdp, "a=ice-pwd:(\\S+)");
  }

  public static String fingerprint(String sdp) {
    return first(sdp, "a=fingerprint:(.+)").trim();
  }

  public static InetSocketAddress candidate(String sdp) {
    Matcher m = Pattern.compile("a=candidate:\\S+ 1 udp \\d+ (\\S+) (\\d+) typ host").matcher(sdp);
    if (!m.find()) {
      throw new AssertionError("no host candidate in\n" + sdp);
    }
    return new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2)));
  }

  private static String first(String sdp, String regex) {
    Matcher m = Pattern.compile(regex).matcher(sdp);
    if (!m.find()) {
      throw new AssertionError(regex + " not in\n" + sdp);
    }
    return m.group(1);
  }
}

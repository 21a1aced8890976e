package dev.switchboard.bench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.switchboard.channel.Frame;
import dev.switchboard.channel.FrameCodec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;

import java.io.IOException;

/**
 * Not a test: what a relayed signal's body costs from the sender's frame to the target's frame, (a) parsed into
 * a JsonObject tree and written back (what FrameCodec does), against (b) kept as the raw JSON slice of the
 * sender's text and copied as is (a prototype here, not in the product). Single thread, ns per signal.
 *
 * <pre>java -cp target/test-classes:target/switchboard.jar dev.switchboard.bench.BodyCostBench</pre>
 */
public final class BodyCostBench {
  private BodyCostBench() {
  }

  public static void main(String[] args) throws Exception {
    String candidate = "\"candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host\"";
    StringBuilder sdp = new StringBuilder();
    for (int i = 0; i < 60; i++) {
      sdp.append("a=rtpmap:").append(96 + i).append(" VP8/90000\r\na=rtcp-fb:").append(96 + i).append(" nack pli\r\n");
    }
    String offer = new JsonObject().put("type", "offer").put("sdp", sdp.toString()).encode();
    for (String[] body : new String[][] {{"ICE candidate", candidate}, {"SDP offer " + offer.length() + " chars", offer}}) {
      String frame = "[\"1\",\"42\",\"room:r1\",\"signal:candidate\",{\"to\":\"p-0000000002\",\"body\":" + body[1] + "}]";
      check(frame);
      for (int round = 0; round < 3; round++) {
        long parsed = time(frame, true);
        long raw = time(frame, false);
        System.out.printf("%s, round %d: parsed tree %d ns per signal, raw slice %d ns per signal%n", body[0], round,
            parsed, raw);
      }
    }
  }

  private static void check(String frame) throws Exception {
    String viaTree = parsed(frame);
    String viaSlice = raw(frame);
    if (!new JsonArray(viaTree).equals(new JsonArray(viaSlice))) {
      throw new IllegalStateException(viaTree + " != " + viaSlice);
    }
  }

  private static long time(String frame, boolean tree) throws Exception {
    int n = 200_000;
    long sink = 0;
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      sink += (tree ? parsed(frame) : raw(frame)).length();
    }
    long perOp = (System.nanoTime() - t0) / n;
    if (sink == 42) {
      System.out.println();
    }
    return perOp;
  }

  private static String parsed(String text) throws Exception {
    Frame frame = FrameCodec.decode(text);
    JsonObject payload = frame.payload();
    return FrameCodec.signal("peer:" + payload.getString("to"), frame.event(), "p-0000000001", payload.getValue("body"));
  }

  /** Reads the head and "to" of the frame, the body as the chars it spans; writes the body chars back. */
  private static String raw(String text) throws IOException {
    try (JsonParser parser = JacksonCodec.createParser(text)) {
      parser.nextToken();
      String[] head = new String[4];
      for (int i = 0; i < 4; i++) {
        parser.nextToken();
        head[i] = parser.getValueAsString();
      }
      parser.nextToken(); // the payload's START_OBJECT
      String to = null;
      String body = null;
      String name;
      while ((name = parser.nextFieldName()) != null) {
        JsonToken token = parser.nextToken();
        if ("to".equals(name)) {
          to = parser.getText();
        } else if ("body".equals(name)) {
          int start = (int) parser.currentTokenLocation().getCharOffset();
          parser.skipChildren();
          parser.finishToken(); // a string token is read lazily: its end is known once finished
          int end = (int) parser.currentLocation().getCharOffset();
          body = text.substring(start, end);
        } else {
          parser.skipChildren();
        }
      }
      StringBuilder out = new StringBuilder(64 + body.length());
      out.append("[null,null,\"peer:").append(to).append("\",\"").append(head[3]).append("\",{\"from\":\"p-0000000001\",\"body\":")
          .append(body).append("}]");
      return out.toString();
    }
  }
}

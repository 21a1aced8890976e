package dev.switchboard.channel;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The wire codec: frames parsed once into their fields and written without a JsonArray must be exactly what a
 * full JsonArray parse and Vert.x's Jackson encoder make of the same frames, hostile ones first.
 */
class FrameCodecTest {
  /** Strings a client controls and the server writes back: topics, refs, reasons, signal bodies. */
  private static final List<String> HOSTILE = List.of("", "plain", "quote\"inside", "back\\slash", "\\\"",
      "new\nline\r\ttab\bbell\f", "\u0000nul\u0001\u001f\u007f", "</script><script>", "é ü 日本語 🎉",
      "lone high \ud800 surrogate", "lone low \udc00 surrogate", "reversed \udc00\ud800", "\u2028\u2029",
      "\\u0000 written out", "{\"not\":\"json\"}", "[null,null]", "\ufeffbom", "a".repeat(5000));

  private static String reference(String joinRef, String ref, String topic, String event, Object payload) {
    return new JsonArray().add(joinRef).add(ref).add(topic).add(event).add(payload).encode();
  }

  @Test
  void strings_are_escaped_exactly_as_jackson_escapes_them() {
    for (String hostile : HOSTILE) {
      StringBuilder out = new StringBuilder();
      JsonText.string(out, hostile);
      assertEquals(new JsonArray().add(hostile).encode(), "[" + out + "]", hostile);
    }
    for (char c = 0; c < 0x800; c++) {
      StringBuilder out = new StringBuilder();
      JsonText.string(out, "x" + c + "y");
      assertEquals(new JsonArray().add("x" + c + "y").encode(), "[" + out + "]", "char " + (int) c);
    }
  }

  @Test
  void a_relayed_signal_is_the_frame_a_json_array_would_encode_for_any_body() {
    List<Object> bodies = new ArrayList<>(HOSTILE);
    bodies.add(null);
    bodies.add(42);
    bodies.add(-7L);
    bodies.add(3.25);
    bodies.add(1e300);
    bodies.add(true);
    bodies.add(new JsonObject().put("type", "offer").put("sdp", "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n\"q\"\u0001"));
    bodies.add(new JsonArray().add(1).addNull().add("x\ud800").add(new JsonObject().put("k\"ey", List.of(1, 2))));
    bodies.add(new JsonObject(new JsonObject().put("nested", new JsonObject().put("deep", new JsonArray().add(0.5)))
        .encode()));
    for (Object body : bodies) {
      for (String from : HOSTILE) {
        String topic = "peer:" + from;
        assertEquals(reference(null, null, topic, "signal:" + from, new JsonObject().put("from", from).put("body", body)),
            FrameCodec.signal(topic, "signal:" + from, from, body), String.valueOf(body));
      }
    }
  }

  @Test
  void replies_and_error_replies_are_the_frames_a_json_array_would_encode() {
    for (String hostile : HOSTILE) {
      JsonObject response = new JsonObject().put("peer_id", hostile).put("peers", new JsonArray().add(hostile));
      assertEquals(reference(hostile, hostile, hostile, "phx_reply",
              new JsonObject().put("status", "ok").put("response", response)),
          FrameCodec.reply(hostile, hostile, hostile, true, response));
      assertEquals(reference(null, "7", hostile, "phx_reply",
              new JsonObject().put("status", "ok").put("response", new JsonObject())),
          FrameCodec.reply(null, "7", hostile, true, new JsonObject()));
      assertEquals(reference("1", null, "room:r", "phx_reply",
              new JsonObject().put("status", "error").put("response", new JsonObject().put("reason", hostile))),
          FrameCodec.errorReply("1", null, "room:r", hostile));
      assertEquals(reference("1", "1", "room:r", hostile, new JsonObject().put("reason", hostile)),
          FrameCodec.encode("1", "1", "room:r", hostile, new JsonObject().put("reason", hostile)));
    }
  }

  @Test
  void a_frame_is_read_into_its_five_fields_with_the_payload_as_parsed() throws Exception {
    Frame frame = FrameCodec.decode("[\"1\",\"7\",\"room:r\",\"signal:offer\",{\"to\":\"p2\",\"body\":"
        + "{\"type\":\"offer\",\"sdp\":\"v=0\\r\\n\",\"n\":[1,2.5,null,true]}},\"ignored\",{}]");
    assertEquals(new Frame("1", "7", "room:r", "signal:offer", new JsonObject().put("to", "p2").put("body",
        new JsonObject().put("type", "offer").put("sdp", "v=0\r\n").put("n", new JsonArray().add(1).add(2.5).addNull()
            .add(true)))), frame);
    Frame numeric = FrameCodec.decode("[1,7.5,\"phoenix\",\"heartbeat\",{}]");
    assertEquals("1", numeric.joinRef());
    assertEquals("7.5", numeric.ref());
    Frame odd = FrameCodec.decode("[{\"a\":[1]},[2],\"t\",\"e\",{}]");
    assertNull(odd.joinRef());
    assertNull(odd.ref());
  }

  @Test
  void refusals_carry_the_refs_a_full_parse_would_have_read() {
    assertRefused("malformed_frame", null, null, "phoenix", "not json");
    assertRefused("malformed_frame", null, null, "phoenix", "{\"an\":\"object\"}");
    assertRefused("malformed_frame", null, null, "phoenix", "[\"1\",\"2\",\"t\",\"e\"]");
    assertRefused("malformed_frame", null, null, "phoenix", "[\"1\",\"2\",\"t\",\"e\",{}] trailing");
    assertRefused("malformed_frame", null, null, "phoenix", "[\"1\",\"2\",\"t\",\"e\",{}][]");
    assertRefused("malformed_frame", null, null, "phoenix", "[\"1\",\"2\",\"t\",\"e\",{},");
    assertRefused("malformed_frame", null, null, "phoenix", "[\"1\",\"2\",5,\"e\",{\"bad\":\"\\q\"}]");
    assertRefused("malformed_frame", "1", "2", "phoenix", "[\"1\",\"2\",5,\"e\",{}]");
    assertRefused("malformed_frame", "1", "2", "t", "[\"1\",\"2\",\"t\",null,{}]");
    assertRefused("payload_not_an_object", "1", "2", "t", "[\"1\",\"2\",\"t\",\"e\",[]]");
    assertRefused("payload_not_an_object", "1", "2", "t", "[\"1\",\"2\",\"t\",\"e\",\"{}\"]");
  }

  @Test
  void nesting_beyond_the_parser_limit_is_a_malformed_frame_not_a_stack_overflow() {
    String deep = "[".repeat(100_000);
    assertRefused("malformed_frame", null, null, "phoenix", deep);
    assertRefused("malformed_frame", null, null, "phoenix",
        "[\"1\",\"2\",\"t\",\"e\",{\"b\":" + "[".repeat(5000) + "]".repeat(5000) + "}]");
  }

  /** Random mutations of valid frames: the one-pass reader decides exactly as a full JsonArray parse does. */
  @Test
  void mutated_frames_are_read_or_refused_as_a_full_parse_would() {
    Random random = new Random(13);
    String[] seeds = {"[\"1\",\"7\",\"room:r\",\"signal:offer\",{\"to\":\"p2\",\"body\":{\"sdp\":\"v=0\\r\\n\"}}]",
        "[null,\"3\",\"phoenix\",\"heartbeat\",{}]", "[1,2,\"t\",\"e\",{\"a\":[1,{\"b\":null}],\"c\":-1.5e3}]"};
    String alphabet = "[]{}\",:0123456789.-eE\\tnrufalsebu\u0000 é\ud800";
    for (int i = 0; i < 50_000; i++) {
      StringBuilder text = new StringBuilder(seeds[random.nextInt(seeds.length)]);
      for (int m = random.nextInt(4); m >= 0; m--) {
        int at = random.nextInt(text.length() + 1);
        switch (random.nextInt(3)) {
          case 0 -> text.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
          case 1 -> { if (at < text.length()) text.deleteCharAt(at); }
          default -> { if (at < text.length()) text.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length()))); }
        }
      }
      assertSameDecision(text.toString());
    }
  }

  private static void assertSameDecision(String text) {
    Object expected;
    try {
      expected = oldDecode(text);
    } catch (MalformedFrame refusal) {
      expected = List.of(refusal.reason(), String.valueOf(refusal.joinRef()), String.valueOf(refusal.ref()),
          refusal.topic());
    }
    Object actual;
    try {
      actual = FrameCodec.decode(text);
    } catch (MalformedFrame refusal) {
      actual = List.of(refusal.reason(), String.valueOf(refusal.joinRef()), String.valueOf(refusal.ref()),
          refusal.topic());
    }
    assertEquals(expected, actual, text);
  }

  /** The decoder before frames were parsed once: a whole JsonArray, then its fields. */
  private static Frame oldDecode(String text) throws MalformedFrame {
    JsonArray array;
    try {
      array = new JsonArray(text);
    } catch (DecodeException | ClassCastException e) {
      throw new MalformedFrame("malformed_frame", null, null, null);
    }
    if (array.size() < 5) {
      throw new MalformedFrame("malformed_frame", null, null, null);
    }
    String joinRef = oldRef(array.getValue(0));
    String ref = oldRef(array.getValue(1));
    Object topic = array.getValue(2);
    Object event = array.getValue(3);
    if (!(topic instanceof String t) || !(event instanceof String e)) {
      throw new MalformedFrame("malformed_frame", joinRef, ref, topic instanceof String s ? s : null);
    }
    if (!(array.getValue(4) instanceof JsonObject payload)) {
      throw new MalformedFrame("payload_not_an_object", joinRef, ref, t);
    }
    return new Frame(joinRef, ref, t, e, payload);
  }

  private static String oldRef(Object value) {
    return value instanceof String s ? s : value instanceof Number n ? n.toString() : null;
  }

  private static void assertRefused(String reason, String joinRef, String ref, String topic, String text) {
    MalformedFrame refusal = assertThrows(MalformedFrame.class, () -> FrameCodec.decode(text), text);
    assertEquals(List.of(reason, String.valueOf(joinRef), String.valueOf(ref), topic),
        List.of(refusal.reason(), String.valueOf(refusal.joinRef()), String.valueOf(refusal.ref()), refusal.topic()));
    assertSameDecision(text);
  }
}

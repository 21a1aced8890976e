package dev.switchboard.bench.media;

import java.util.List;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

@Timeout(10)
class JanusMessagesTest {
  @Test
  void a_plugin_message_carries_its_transaction_body_and_only_when_given_a_jsep() {
    JsonObject plain = JanusMessages.message("t7", JanusMessages.start(), null, null);
    assertEquals("message", plain.getString("janus"));
    assertEquals("t7", plain.getString("transaction"));
    assertEquals("start", plain.getJsonObject("body").getString("request"));
    assertFalse(plain.containsKey("jsep"));

    JsonObject offer = JanusMessages.message("t8", JanusMessages.configure(), "offer", "v=0\r\n");
    assertEquals(new JsonObject().put("type", "offer").put("sdp", "v=0\r\n"), offer.getJsonObject("jsep"));
  }

  @Test
  void a_subscriber_joins_every_feed_it_watches_in_one_request() {
    JsonObject join = JanusMessages.joinAsSubscriber(1234, List.of(11L, 22L, 33L));
    assertEquals("subscriber", join.getString("ptype"));
    assertEquals(1234L, join.getLong("room"));
    assertEquals(new JsonArray().add(new JsonObject().put("feed", 11L)).add(new JsonObject().put("feed", 22L))
        .add(new JsonObject().put("feed", 33L)), join.getJsonArray("streams"));
  }

  @Test
  void the_benchmark_room_forwards_vp8_without_caps_or_periodic_keyframe_requests() {
    JsonObject create = JanusMessages.createRoom(1234, 10);
    assertEquals("create", create.getString("request"));
    assertEquals(10, create.getInteger("publishers"));
    assertEquals("vp8", create.getString("videocodec"));
    assertEquals(0, create.getInteger("bitrate"), "no REMB cap");
    assertEquals(0, create.getInteger("fir_freq"), "no periodic keyframe requests");
  }

  @Test
  void ids_come_from_success_answers_and_errors_of_janus_or_the_plugin_throw() {
    assertEquals(42L, JanusMessages.id(new JsonObject("{\"janus\":\"success\",\"data\":{\"id\":42}}")));
    JanusMessages.JanusError janus = assertThrows(JanusMessages.JanusError.class, () -> JanusMessages.id(
        new JsonObject("{\"janus\":\"error\",\"error\":{\"code\":458,\"reason\":\"No such session\"}}")));
    assertEquals(458, janus.code);
    JanusMessages.JanusError plugin = assertThrows(JanusMessages.JanusError.class, () -> JanusMessages.pluginData(
        new JsonObject("{\"janus\":\"event\",\"plugindata\":{\"plugin\":\"janus.plugin.videoroom\","
            + "\"data\":{\"videoroom\":\"event\",\"error_code\":428,\"error\":\"No such feed\"}}}")));
    assertEquals(428, plugin.code);
  }

  @Test
  void an_event_gives_its_plugin_data_and_sdp() {
    JsonObject event = new JsonObject("{\"janus\":\"event\",\"transaction\":\"t3\",\"plugindata\":{\"plugin\":"
        + "\"janus.plugin.videoroom\",\"data\":{\"videoroom\":\"joined\",\"id\":777}},"
        + "\"jsep\":{\"type\":\"answer\",\"sdp\":\"v=0\"}}");
    assertEquals(777L, JanusMessages.pluginData(event).getLong("id"));
    assertEquals("v=0", JanusMessages.sdp(event));
    assertNull(JanusMessages.sdp(new JsonObject().put("janus", "event")));
  }

  @Test
  void a_long_poll_answers_one_event_or_an_array_of_them() {
    assertEquals(1, JanusMessages.events("{\"janus\":\"keepalive\"}").size());
    List<JsonObject> two = JanusMessages.events("[{\"janus\":\"event\",\"transaction\":\"a\"},{\"janus\":\"webrtcup\"}]");
    assertEquals(List.of("a", "none"), two.stream().map(e -> e.getString("transaction", "none")).toList());
    assertEquals(0, JanusMessages.events(" ").size());
  }
}

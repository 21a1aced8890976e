package dev.switchboard.channel;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Phoenix socket state machine, driven frame by frame without a network or a Vert.x instance. */
class ChannelSocketTest {
  private final List<String> sent = new ArrayList<>();
  private final List<String> log = new ArrayList<>();
  private final AtomicLong clock = new AtomicLong();
  private short closedWith;
  private boolean writeQueueFull;
  private final Transport transport = new Transport() {
    @Override
    public Future<Void> send(String text) {
      sent.add(text);
      return Future.succeededFuture();
    }

    @Override
    public boolean writeQueueFull() {
      return writeQueueFull;
    }

    @Override
    public void close(short code, String reason) {
      closedWith = code;
    }
  };
  private Promise<JsonObject> pendingJoin;
  private final List<Promise<JsonObject>> held = new ArrayList<>();

  private ChannelSocket socket(SocketLimits limits) {
    return new ChannelSocket(transport, (topic, ctx) -> switch (topic.split(":")[0]) {
      case "echo" -> new Recording(topic, ctx, null);
      case "slow" -> new Recording(topic, ctx, pendingJoin = Promise.promise());
      case "deny" -> new Denying();
      default -> null;
    }, limits, clock::get);
  }

  private ChannelSocket socket() {
    return socket(new SocketLimits(65536, 100, 1000, 1000, 50));
  }

  private JsonArray frame(int index) {
    return new JsonArray(sent.get(index));
  }

  private JsonArray last() {
    return frame(sent.size() - 1);
  }

  private static String text(Object... parts) {
    JsonArray array = new JsonArray();
    for (Object part : parts) {
      array.add(part);
    }
    return array.encode();
  }

  @Test
  void heartbeat_is_answered_without_any_channel() {
    ChannelSocket socket = socket();
    socket.onText(text(null, "2", "phoenix", "heartbeat", new JsonObject()));
    assertEquals(new JsonArray("[null,\"2\",\"phoenix\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]"), last());
  }

  @Test
  void join_reply_echoes_both_refs_and_the_handler_response() {
    ChannelSocket socket = socket();
    socket.onText(text("1", "1", "echo:a", "phx_join", new JsonObject().put("x", 1)));
    assertEquals(new JsonArray().add("1").add("1").add("echo:a").add("phx_reply")
        .add(new JsonObject().put("status", "ok").put("response", new JsonObject().put("joined", "echo:a"))), last());
    assertTrue(socket.isJoined("echo:a"));
    assertEquals(List.of("join echo:a", "after_join echo:a"), log);
  }

  @Test
  void refused_join_gets_the_reason_and_leaves_nothing_joined() {
    ChannelSocket socket = socket();
    socket.onText(text("4", "4", "deny:x", "phx_join", new JsonObject()));
    assertEquals("[\"4\",\"4\",\"deny:x\",\"phx_reply\",{\"status\":\"error\",\"response\":{\"reason\":\"unauthorized\"}}]",
        sent.get(0));
    assertFalse(socket.isJoined("deny:x"));
  }

  @Test
  void unknown_topic_and_push_to_unjoined_topic_get_unmatched_topic_with_null_join_ref() {
    ChannelSocket socket = socket();
    socket.onText(text("5", "5", "nosuch:t", "phx_join", new JsonObject()));
    socket.onText(text("6", "6", "echo:never", "ping", new JsonObject()));
    for (int i = 0; i < 2; i++) {
      assertNull(frame(i).getValue(0));
      assertEquals("unmatched topic", frame(i).getJsonObject(4).getJsonObject("response").getString("reason"));
    }
    assertEquals("6", frame(1).getString(1));
  }

  @Test
  void push_is_replied_with_the_same_refs() {
    ChannelSocket socket = socket();
    socket.onText(text("1", "1", "echo:a", "phx_join", new JsonObject()));
    socket.onText(text("1", "7", "echo:a", "ping", new JsonObject().put("n", 3)));
    JsonArray reply = last();
    assertEquals("1", reply.getString(0));
    assertEquals("7", reply.getString(1));
    assertEquals(3, reply.getJsonObject(4).getJsonObject("response").getInteger("n"));
  }

  @Test
  void channel_push_carries_join_ref_and_null_ref() {
    ChannelSocket socket = socket();
    socket.onText(text("1", "1", "echo:a", "phx_join", new JsonObject()));
    socket.onText(text("1", "2", "echo:a", "push_me", new JsonObject()));
    assertEquals("[\"1\",null,\"echo:a\",\"pushed\",{}]", sent.get(sent.size() - 2));
  }

  @Test
  void leave_replies_ok_then_closes_with_ref_equal_to_join_ref() {
    ChannelSocket socket = socket();
    socket.onText(text("1", "1", "echo:a", "phx_join", new JsonObject()));
    sent.clear();
    socket.onText(text("1", "9", "echo:a", "phx_leave", new JsonObject()));
    assertEquals("[\"1\",\"9\",\"echo:a\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]", sent.get(0));
    assertEquals("[\"1\",\"1\",\"echo:a\",\"phx_close\",{}]", sent.get(1));
    assertTrue(log.contains("terminate echo:a LEAVE"));
    assertFalse(socket.isJoined("echo:a"));
  }

  @Test
  void leave_of_a_topic_not_joined_is_an_ok_reply_only() {
    ChannelSocket socket = socket();
    socket.onText(text("12", "12", "echo:b", "phx_leave", new JsonObject()));
    assertEquals(1, sent.size());
    assertEquals("[\"12\",\"12\",\"echo:b\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]", sent.get(0));
  }

  @Test
  void duplicate_join_replies_first_then_closes_the_old_instance_which_terminates_once() {
    ChannelSocket socket = socket();
    socket.onText(text("1", "1", "echo:a", "phx_join", new JsonObject()));
    sent.clear();
    socket.onText(text("10", "10", "echo:a", "phx_join", new JsonObject()));
    assertEquals("10", frame(0).getString(0));
    assertEquals("phx_reply", frame(0).getString(3));
    assertEquals("[\"1\",\"1\",\"echo:a\",\"phx_close\",{}]", sent.get(1));
    assertEquals(1, log.stream().filter(l -> l.equals("terminate echo:a DUPLICATE_JOIN")).count());
    // the new instance answers under the new join_ref
    socket.onText(text("10", "11", "echo:a", "ping", new JsonObject()));
    assertEquals("10", last().getString(0));
  }

  @Test
  void frames_with_a_stale_join_ref_are_ignored() {
    ChannelSocket socket = socket();
    socket.onText(text("1", "1", "echo:a", "phx_join", new JsonObject()));
    socket.onText(text("10", "10", "echo:a", "phx_join", new JsonObject()));
    int before = sent.size();
    socket.onText(text("1", "12", "echo:a", "ping", new JsonObject()));
    socket.onText(text("1", "13", "echo:a", "phx_leave", new JsonObject()));
    assertEquals(before, sent.size());
    assertTrue(socket.isJoined("echo:a"));
  }

  @Test
  void a_crashing_handler_gets_an_error_reply_and_phx_error_and_the_socket_lives_on() {
    ChannelSocket socket = socket();
    socket.onText(text("1", "1", "echo:a", "phx_join", new JsonObject()));
    socket.onText(text("1", "2", "echo:a", "crash", new JsonObject()));
    assertEquals("channel_crash", frame(sent.size() - 2).getJsonObject(4).getJsonObject("response").getString("reason"));
    assertEquals("[\"1\",\"1\",\"echo:a\",\"phx_error\",{\"reason\":\"channel_crash\"}]", sent.get(sent.size() - 1));
    assertTrue(log.contains("terminate echo:a CRASH"));
    assertFalse(socket.isJoined("echo:a"));
    socket.onText(text(null, "3", "phoenix", "heartbeat", new JsonObject()));
    assertEquals("ok", last().getJsonObject(4).getString("status"));
  }

  @Test
  void malformed_frames_get_an_error_reply_and_the_socket_lives_on() {
    ChannelSocket socket = socket();
    socket.onText("this is not json");
    socket.onText("{\"topic\":\"a\"}");
    socket.onText("[\"1\",\"2\",\"echo:a\"]");
    socket.onText("[\"1\",\"3\",\"echo:a\",\"phx_join\",[1,2]]");
    socket.onText("[\"1\",\"4\",42,\"phx_join\",{}]");
    assertEquals(5, sent.size());
    for (int i = 0; i < 3; i++) {
      assertEquals("malformed_frame", frame(i).getJsonObject(4).getJsonObject("response").getString("reason"));
    }
    assertEquals("payload_not_an_object", frame(3).getJsonObject(4).getJsonObject("response").getString("reason"));
    assertEquals("3", frame(3).getString(1));
    assertEquals("4", frame(4).getString(1));
    assertEquals(0, closedWith);
  }

  @Test
  void oversized_frame_is_refused_with_its_own_refs() {
    ChannelSocket socket = socket(new SocketLimits(1024, 100, 1000, 1000, 50));
    socket.onText(text("1", "1", "echo:a", "phx_join", new JsonObject()));
    socket.onText(text("1", "8", "echo:a", "ping", new JsonObject().put("blob", "x".repeat(2000))));
    assertEquals("[\"1\",\"8\",\"echo:a\",\"phx_reply\",{\"status\":\"error\",\"response\":{\"reason\":\"frame_too_large\"}}]",
        sent.get(sent.size() - 1));
    assertTrue(socket.isJoined("echo:a"));
  }

  @Test
  void a_media_event_above_the_frame_limit_is_handled_up_to_the_media_event_limit() {
    ChannelSocket socket = socket(new SocketLimits(1024, 100, 1000, 1000, 50, 4096));
    socket.onText(text("1", "1", "echo:a", "phx_join", new JsonObject()));
    socket.onText(text("1", "8", "echo:a", "media:offer", new JsonObject().put("sdp", "x".repeat(3000))));
    JsonObject reply = last().getJsonObject(4);
    assertEquals("ok", reply.getString("status"), reply.encode());
    assertEquals(3000, reply.getJsonObject("response").getString("sdp").length());
    socket.onText(text("1", "9", "echo:a", "media:offer", new JsonObject().put("sdp", "x".repeat(5000))));
    assertEquals("[\"1\",\"9\",\"echo:a\",\"phx_reply\",{\"status\":\"error\",\"response\":{\"reason\":\"frame_too_large\"}}]",
        sent.get(sent.size() - 1));
  }

  @Test
  void any_other_event_between_the_frame_and_media_event_limits_is_refused_frame_too_large() {
    ChannelSocket socket = socket(new SocketLimits(1024, 100, 1000, 1000, 50, 4096));
    socket.onText(text("1", "1", "echo:a", "phx_join", new JsonObject()));
    socket.onText(text("1", "8", "echo:a", "signal:offer", new JsonObject().put("sdp", "x".repeat(3000))));
    assertEquals("[\"1\",\"8\",\"echo:a\",\"phx_reply\",{\"status\":\"error\",\"response\":{\"reason\":\"frame_too_large\"}}]",
        sent.get(sent.size() - 1));
    assertTrue(socket.isJoined("echo:a"));
  }

  @Test
  void binary_push_is_refused_with_a_reply_addressed_to_it() {
    ChannelSocket socket = socket();
    // push, join_ref "1", ref "8", topic "room:r1", event "signal:bin", data 01 02 03 (protocol reference example)
    socket.onBinary(io.vertx.core.buffer.Buffer.buffer(java.util.HexFormat.of()
        .parseHex("000101070a3138726f6f6d3a72317369676e616c3a62696e010203")));
    assertEquals("[\"1\",\"8\",\"room:r1\",\"phx_reply\",{\"status\":\"error\",\"response\":{\"reason\":\"binary_frames_unsupported\"}}]",
        sent.get(0));
  }

  @Test
  void channels_beyond_the_limit_are_refused() {
    ChannelSocket socket = socket(new SocketLimits(65536, 2, 1000, 1000, 50));
    socket.onText(text("1", "1", "echo:a", "phx_join", new JsonObject()));
    socket.onText(text("2", "2", "echo:b", "phx_join", new JsonObject()));
    socket.onText(text("3", "3", "echo:c", "phx_join", new JsonObject()));
    assertEquals("too many channels joined", last().getJsonObject(4).getJsonObject("response").getString("reason"));
    assertEquals(2, socket.channelCount());
    // rejoining a joined topic is not a new channel
    socket.onText(text("4", "4", "echo:a", "phx_join", new JsonObject()));
    assertEquals("ok", frame(sent.size() - 2).getJsonObject(4).getString("status"));
  }

  @Test
  void frames_wait_while_a_join_is_in_flight_so_a_leave_cannot_overtake_it() {
    ChannelSocket socket = socket();
    socket.onText(text("1", "1", "slow:a", "phx_join", new JsonObject()));
    socket.onText(text("1", "2", "slow:a", "phx_leave", new JsonObject()));
    assertEquals(0, sent.size());
    pendingJoin.complete(new JsonObject());
    assertEquals("phx_reply", frame(0).getString(3));
    assertEquals("1", frame(0).getString(1));
    assertEquals("2", frame(1).getString(1));
    assertEquals("phx_close", frame(2).getString(3));
    assertEquals(List.of("join slow:a", "after_join slow:a", "terminate slow:a LEAVE"), log);
  }

  @Test
  void a_join_completing_after_the_socket_closed_is_terminated_not_leaked() {
    ChannelSocket socket = socket();
    socket.onText(text("1", "1", "slow:a", "phx_join", new JsonObject()));
    socket.onTransportClosed();
    pendingJoin.complete(new JsonObject());
    assertEquals(List.of("join slow:a", "terminate slow:a SOCKET_CLOSED"), log);
    assertEquals(0, sent.size());
  }

  @Test
  void every_joined_channel_terminates_once_when_the_transport_closes() {
    ChannelSocket socket = socket();
    socket.onText(text("1", "1", "echo:a", "phx_join", new JsonObject()));
    socket.onText(text("2", "2", "echo:b", "phx_join", new JsonObject()));
    socket.onTransportClosed();
    socket.onTransportClosed();
    assertEquals(1, log.stream().filter(l -> l.equals("terminate echo:a SOCKET_CLOSED")).count());
    assertEquals(1, log.stream().filter(l -> l.equals("terminate echo:b SOCKET_CLOSED")).count());
  }

  @Test
  void shutdown_terminates_channels_then_closes_with_1001() {
    ChannelSocket socket = socket();
    socket.onText(text("1", "1", "echo:a", "phx_join", new JsonObject()));
    socket.close(ChannelSocket.CLOSE_GOING_AWAY, "bye", ExitReason.SHUTDOWN);
    assertTrue(log.contains("terminate echo:a SHUTDOWN"));
    assertEquals(1001, closedWith);
  }

  @Test
  void excess_messages_get_rate_limited_and_persistent_abuse_closes_the_socket() {
    ChannelSocket socket = socket(new SocketLimits(65536, 100, 10, 5, 20));
    for (int i = 0; i < 5; i++) {
      socket.onText(text(null, "h" + i, "phoenix", "heartbeat", new JsonObject()));
    }
    socket.onText(text(null, "x", "phoenix", "heartbeat", new JsonObject()));
    assertEquals("[null,\"x\",\"phoenix\",\"phx_reply\",{\"status\":\"error\",\"response\":{\"reason\":\"rate_limited\"}}]",
        last().encode());
    clock.addAndGet(200_000_000L); // 0.2 s refills 2 tokens
    socket.onText(text(null, "y", "phoenix", "heartbeat", new JsonObject()));
    assertEquals("ok", last().getJsonObject(4).getString("status"));
    for (int i = 0; i < 30 && closedWith == 0; i++) {
      socket.onText(text(null, "z" + i, "phoenix", "heartbeat", new JsonObject()));
    }
    assertEquals(ChannelSocket.CLOSE_POLICY_VIOLATION, closedWith);
  }

  @Test
  void pings_cost_tokens_like_messages_and_a_ping_flood_closes_the_socket() {
    ChannelSocket socket = socket(new SocketLimits(65536, 100, 10, 5, 20));
    int answered = 0;
    for (int i = 0; i < 5; i++) {
      answered += socket.onControlFrame() ? 1 : 0;
    }
    assertEquals(5, answered, "the burst is answered");
    assertFalse(socket.onControlFrame(), "beyond the budget a ping gets no pong");
    for (int i = 0; i < 30 && closedWith == 0; i++) {
      socket.onControlFrame();
    }
    assertEquals(ChannelSocket.CLOSE_POLICY_VIOLATION, closedWith);
    assertTrue(sent.isEmpty(), "refused pings are not answered with frames either");
  }

  @Test
  void frames_held_behind_a_join_are_bounded_and_the_excess_is_refused_with_overloaded() {
    ChannelSocket socket = socket(new SocketLimits(65536, 100, 1000, 1000, 50, 3, 1 << 20, 256, 1 << 20, 256, 1 << 20));
    socket.onText(text("1", "1", "slow:a", "phx_join", new JsonObject()));
    for (int i = 0; i < 4; i++) {
      socket.onText(text(null, "h" + i, "phoenix", "heartbeat", new JsonObject()));
    }
    assertEquals("[null,\"h3\",\"phoenix\",\"phx_reply\",{\"status\":\"error\",\"response\":{\"reason\":\"overloaded\"}}]",
        sent.get(0));
    pendingJoin.complete(new JsonObject());
    assertEquals(List.of("h3", "1", "h0", "h1", "h2"), sent.stream().map(f -> new JsonArray(f).getString(1)).toList());
  }

  @Test
  void pushes_waiting_for_an_answer_are_bounded_and_the_excess_is_refused_with_overloaded() {
    ChannelSocket socket = socket(new SocketLimits(65536, 100, 1000, 1000, 50, 256, 1 << 20, 2, 1 << 20, 256, 1 << 20));
    socket.onText(text("1", "1", "echo:a", "phx_join", new JsonObject()));
    sent.clear();
    socket.onText(text("1", "2", "echo:a", "hold", new JsonObject()));
    socket.onText(text("1", "3", "echo:a", "hold", new JsonObject()));
    socket.onText(text("1", "4", "echo:a", "hold", new JsonObject()));
    assertEquals(List.of("[\"1\",\"4\",\"echo:a\",\"phx_reply\",{\"status\":\"error\",\"response\":{\"reason\":\"overloaded\"}}]"), sent);
    held.forEach(p -> p.complete(new JsonObject()));
    socket.onText(text("1", "5", "echo:a", "hold", new JsonObject()));
    assertEquals(List.of("2", "3"), sent.subList(1, 3).stream().map(f -> new JsonArray(f).getString(1)).toList());
    assertEquals(3, held.size(), "once answered, a push frees its place");
  }

  @Test
  void a_delivery_to_a_topic_whose_join_is_in_flight_is_written_after_the_join_reply() {
    ChannelSocket socket = socket();
    socket.onText(text("1", "1", "slow:a", "phx_join", new JsonObject()));
    Future<Void> held = socket.deliver("slow:a", "signal:offer", new JsonObject().put("from", "x"));
    assertFalse(held.isComplete(), "held, not acknowledged, while the join completes");
    assertTrue(sent.isEmpty());
    pendingJoin.complete(new JsonObject());
    assertTrue(held.succeeded());
    assertEquals(List.of("phx_reply", "signal:offer"),
        sent.stream().map(f -> new JsonArray(f).getString(3)).toList());
  }

  @Test
  void a_delivery_held_for_a_join_that_fails_or_a_socket_that_closes_is_refused() {
    ChannelSocket socket = socket();
    socket.onText(text("1", "1", "slow:a", "phx_join", new JsonObject()));
    Future<Void> held = socket.deliver("slow:a", "signal:offer", new JsonObject());
    pendingJoin.fail(new ChannelError("room_full"));
    assertEquals(ChannelError.UNKNOWN_PEER, ((ChannelError) held.cause()).reason());
    socket.onText(text("2", "2", "slow:b", "phx_join", new JsonObject()));
    Future<Void> closing = socket.deliver("slow:b", "signal:offer", new JsonObject());
    socket.onTransportClosed();
    pendingJoin.complete(new JsonObject());
    assertEquals(ChannelError.PEER_UNREACHABLE, ((ChannelError) closing.cause()).reason());
    assertEquals(ChannelError.UNKNOWN_PEER,
        ((ChannelError) socket().deliver("never:joined", "e", new JsonObject()).cause()).reason());
  }

  @Test
  void a_socket_whose_outbound_queue_stays_full_is_closed_and_its_channels_end() {
    ChannelSocket socket = socket();
    socket.onText(text("1", "1", "echo:a", "phx_join", new JsonObject()));
    long slowReader = 10_000_000_000L;
    writeQueueFull = true;
    assertFalse(socket.checkWriteBacklog(slowReader));
    assertEquals(ChannelError.PEER_UNREACHABLE,
        ((ChannelError) socket.deliver("echo:a", "e", new JsonObject()).cause()).reason(), "no signal is queued on a full socket");
    clock.addAndGet(9_000_000_000L);
    assertFalse(socket.checkWriteBacklog(slowReader));
    writeQueueFull = false;
    assertFalse(socket.checkWriteBacklog(slowReader), "it drained: the count starts over");
    writeQueueFull = true;
    assertFalse(socket.checkWriteBacklog(slowReader));
    clock.addAndGet(10_000_000_000L);
    assertTrue(socket.checkWriteBacklog(slowReader));
    assertEquals(ChannelSocket.CLOSE_POLICY_VIOLATION, closedWith);
    assertTrue(log.contains("terminate echo:a SOCKET_CLOSED"), "the peer leaves at once, not when the client reads");
  }

  private final class Recording implements ChannelHandler {
    private final String topic;
    private final ChannelContext context;
    private final Promise<JsonObject> join;

    Recording(String topic, ChannelContext context, Promise<JsonObject> join) {
      this.topic = topic;
      this.context = context;
      this.join = join;
    }

    @Override
    public Future<JsonObject> join(JsonObject params) {
      log.add("join " + topic);
      return join != null ? join.future() : Future.succeededFuture(new JsonObject().put("joined", topic));
    }

    @Override
    public void afterJoin() {
      log.add("after_join " + topic);
    }

    @Override
    public Future<JsonObject> handleIn(String event, JsonObject payload) {
      switch (event) {
        case "crash":
          throw new IllegalStateException("boom");
        case "push_me":
          context.push("pushed", new JsonObject());
          return Future.succeededFuture();
        case "hold":
          Promise<JsonObject> answer = Promise.promise();
          held.add(answer);
          return answer.future();
        default:
          return Future.succeededFuture(payload);
      }
    }

    @Override
    public Future<Void> terminate(ExitReason reason) {
      log.add("terminate " + topic + " " + reason);
      return Future.succeededFuture();
    }
  }

  private static final class Denying implements ChannelHandler {
    @Override
    public Future<JsonObject> join(JsonObject params) {
      return Future.failedFuture(new ChannelError("unauthorized"));
    }

    @Override
    public Future<JsonObject> handleIn(String event, JsonObject payload) {
      return Future.failedFuture(new ChannelError("unknown_event"));
    }

    @Override
    public Future<Void> terminate(ExitReason reason) {
      throw new AssertionError("a refused join never terminates");
    }
  }
}

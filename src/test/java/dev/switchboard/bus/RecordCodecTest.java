package dev.switchboard.bus;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

@ExtendWith(VertxExtension.class)
class RecordCodecTest {
  private final SignalDelivery offer = new SignalDelivery("lobby", "peer-a", "offer",
      new JsonObject().put("type", "offer").put("sdp", "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"));

  @Test
  void a_signal_crosses_nodes_as_its_json_and_comes_back_equal() {
    MessageCodec<SignalDelivery, SignalDelivery> codec = RecordCodec.SIGNAL_DELIVERIES;
    Buffer wire = Buffer.buffer().appendString("header");
    codec.encodeToWire(wire, offer);
    wire.appendString("trailer");
    SignalDelivery decoded = codec.decodeFromWire("header".length(), wire);
    assertEquals(offer, decoded);
    assertNotSame(offer.body(), decoded.body());

    SignalRequest candidate = new SignalRequest("lobby", "peer-a", "peer-b", "candidate", "candidate:1 1 udp 1 x 9 typ host");
    MessageCodec<SignalRequest, SignalRequest> requests = RecordCodec.SIGNAL_REQUESTS;
    Buffer other = Buffer.buffer();
    requests.encodeToWire(other, candidate);
    assertEquals(candidate, requests.decodeFromWire(0, other));
  }

  @Test
  void within_a_node_the_record_itself_is_handed_over(Vertx vertx) throws Exception {
    RecordCodec.install(vertx.eventBus());
    RecordCodec.install(vertx.eventBus()); // a second verticle of the same node installs again: harmless
    var received = new java.util.concurrent.CompletableFuture<SignalDelivery>();
    vertx.eventBus().<SignalDelivery>consumer(Addresses.peer("peer-b"), m -> received.complete(m.body()))
        .completion().await(5, TimeUnit.SECONDS);
    vertx.eventBus().send(Addresses.peer("peer-b"), offer);
    assertSame(offer, received.get(5, TimeUnit.SECONDS));
  }

}

package dev.switchboard.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The TURN records cross the bus (and nodes) as JSON and come back equal. */
@Timeout(5)
class TurnRecordsTest {
  @Test
  void a_revocation_round_trips_through_its_json() {
    TurnRevocation revocation = new TurnRevocation("peerA", List.of("1600:peerA:anon", "1700:peerA:anon"));
    assertEquals(new JsonObject().put("peer_id", "peerA")
        .put("usernames", new JsonArray().add("1600:peerA:anon").add("1700:peerA:anon")), revocation.toJson());
    assertEquals(revocation, TurnRevocation.fromJson(revocation.toJson()));
  }

  @Test
  void a_revocation_from_another_version_is_read_leniently() {
    assertEquals(new TurnRevocation(null, List.of()), TurnRevocation.fromJson(new JsonObject()));
    assertEquals(new TurnRevocation("p", List.of("u")), TurnRevocation.fromJson(new JsonObject().put("peer_id", "p")
        .put("usernames", new JsonArray().add("u").add(42).addNull())));
    assertEquals(List.of(), new TurnRevocation("p", null).usernames());
  }

  @Test
  void an_ice_servers_request_names_the_peer_and_its_identity() {
    IceServersRequest request = new IceServersRequest("peerA", "alice");
    assertEquals(new JsonObject().put("peer_id", "peerA").put("identity", "alice"), request.toJson());
    assertEquals(request, IceServersRequest.fromJson(request.toJson()));
    assertEquals(new IceServersRequest("peerA", null), IceServersRequest.fromJson(new IceServersRequest("peerA", null).toJson()));
  }
}

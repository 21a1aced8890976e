package dev.switchboard.media;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(10)
class GatewaySeatsTest {
  @Test
  void a_lost_gateway_node_gives_up_exactly_the_participants_whose_socket_was_there_once() {
    GatewaySeats seats = new GatewaySeats();
    seats.seated("r", "a", "n1");
    seats.seated("r", "b", "n2");
    seats.seated("s", "c", "n1");
    seats.seated("r", "d", "n1");
    seats.seated("r", "d", "n2"); // resumed on n2: its media stays with its new socket
    seats.left("c");
    assertEquals(List.of(new GatewaySeats.Seat("r", "a")), seats.gatewayLost("n1"));
    assertEquals(List.of(), seats.gatewayLost("n1"), "told once");
    assertEquals(2, seats.size(), "b and d, on n2, stay");
  }
}

package dev.switchboard.media.negotiation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class NegotiatorTest {
  /** Tracks the node means to send, and those the client agreed to in its last answer. */
  private static final class Plan implements SessionPlan {
    int wanted;
    int offered;
    int agreed;
    final List<String> clientOffers = new ArrayList<>();

    @Override
    public String answer(String clientOffer) {
      if (clientOffer.equals("garbage")) {
        throw new NegotiationRefusal(NegotiationRefusal.INVALID_SDP, "no fingerprint");
      }
      clientOffers.add(clientOffer);
      return "answer to " + clientOffer;
    }

    @Override
    public String offer() {
      offered = wanted;
      return "offer of " + wanted;
    }

    @Override
    public void acceptAnswer(String clientAnswer) {
      agreed = offered;
    }

    @Override
    public boolean differsFromAgreed() {
      return wanted != agreed;
    }
  }

  private final Plan plan = new Plan();
  private final List<String> pushed = new ArrayList<>();
  private long now = 1_000;
  private final Negotiator negotiator = new Negotiator(plan, pushed::add, () -> now, 10_000);

  /** The client's first offer, answered: the negotiation is open. */
  private void opened() {
    negotiator.clientOffer("first");
    negotiator.afterAnswerSent();
  }

  @Test
  void the_node_never_offers_before_the_clients_first_offer_is_answered() {
    plan.wanted = 1;
    negotiator.tracksChanged();
    negotiator.tick();
    assertTrue(pushed.isEmpty(), "an offer now would collide with the client's first");
    assertEquals("answer to o1", negotiator.clientOffer("o1"));
    negotiator.afterAnswerSent();
    assertEquals(List.of("offer of 1"), pushed);
  }

  @Test
  void a_client_offer_is_answered_and_the_nodes_tracks_are_offered_after_the_answer() {
    plan.wanted = 2;
    assertEquals("answer to o1", negotiator.clientOffer("o1"));
    assertTrue(pushed.isEmpty(), "nothing is offered before the answer went out");
    negotiator.afterAnswerSent();
    assertEquals(List.of("offer of 2"), pushed);
    assertTrue(negotiator.offerOutstanding());
  }

  @Test
  void a_client_offer_crossing_the_nodes_offer_is_refused_as_glare_and_the_node_keeps_its_offer() {
    opened();
    plan.wanted = 1;
    negotiator.tracksChanged();
    NegotiationRefusal glare = assertThrows(NegotiationRefusal.class, () -> negotiator.clientOffer("o1"));
    assertEquals("glare", glare.reason());
    assertEquals(List.of("first"), plan.clientOffers, "the impolite node ignores the colliding offer");
    negotiator.clientAnswer("a1");
    assertFalse(negotiator.offerOutstanding());
    assertEquals("answer to o2", negotiator.clientOffer("o2"), "the client offers again after answering");
  }

  @Test
  void changes_during_an_outstanding_offer_are_offered_together_once_it_is_answered() {
    opened();
    plan.wanted = 1;
    negotiator.tracksChanged();
    plan.wanted = 2;
    negotiator.tracksChanged();
    plan.wanted = 3;
    negotiator.tracksChanged();
    assertEquals(List.of("offer of 1"), pushed, "one offer outstanding at a time");
    negotiator.clientAnswer("a1");
    assertEquals(List.of("offer of 1", "offer of 3"), pushed);
    negotiator.clientAnswer("a3");
    assertFalse(negotiator.offerOutstanding());
    assertEquals(2, negotiator.offersMade());
  }

  @Test
  void an_answer_without_an_outstanding_offer_is_refused() {
    assertEquals("no_offer_pending",
        assertThrows(NegotiationRefusal.class, () -> negotiator.clientAnswer("a")).reason());
  }

  @Test
  void an_offer_left_unanswered_is_made_again_after_the_timeout() {
    opened();
    plan.wanted = 1;
    negotiator.tracksChanged();
    now += 9_999;
    negotiator.tick();
    assertEquals(1, pushed.size());
    now += 1;
    negotiator.tick();
    assertEquals(List.of("offer of 1", "offer of 1"), pushed, "the change is not agreed until answered");
    negotiator.clientAnswer("a");
    negotiator.tick();
    assertEquals(2, pushed.size(), "nothing left to offer");
  }

  @Test
  void an_sdp_the_plan_refuses_leaves_the_negotiation_where_it_was() {
    assertEquals("invalid_sdp",
        assertThrows(NegotiationRefusal.class, () -> negotiator.clientOffer("garbage")).reason());
    assertFalse(negotiator.offerOutstanding());
    assertEquals("answer to o1", negotiator.clientOffer("o1"));
  }
}

package dev.switchboard.media.negotiation;

import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Perfect negotiation between one participant and the node, with the node impolite (RFC 8829 §4.1.8 glare,
 * W3C's "perfect negotiation" pattern): the client offers its own media, the node offers whenever the tracks it
 * sends change. At most one node offer is outstanding; changes that come meanwhile are offered once it is
 * answered, in one offer. A client offer that crosses the node's outstanding offer is refused ({@code glare}):
 * the client, polite, rolls back, answers the node and offers again.
 *
 * <p>An outstanding offer the client never answers (it lost the push, or its tab froze) is given up after
 * {@code answerTimeoutMillis}: the negotiation is stable again and the changes are offered anew on the next
 * {@link #tick()}. An answer that comes after that is refused ({@code no_offer_pending}) unless a newer offer is
 * outstanding, whose answer it is then taken for; the client answers the newest offer it saw, so both agree
 * again with the next change at the latest. Single-threaded: the media node's packet thread owns it.
 */
public final class Negotiator {
  private final SessionPlan plan;
  private final Consumer<String> pushOffer;
  private final LongSupplier clockMillis;
  private final long answerTimeoutMillis;
  private long offeredAt = -1;
  /** The client opens the negotiation with its offer; the node offers only once that is answered. */
  private boolean opened;
  private int offersMade;

  /**
   * @param pushOffer sends the node's offer to the client ({@code media:offer}); the client's answer comes back
   *                  through {@link #clientAnswer(String)}
   */
  public Negotiator(SessionPlan plan, Consumer<String> pushOffer, LongSupplier clockMillis, long answerTimeoutMillis) {
    this.plan = plan;
    this.pushOffer = pushOffer;
    this.clockMillis = clockMillis;
    this.answerTimeoutMillis = answerTimeoutMillis;
  }

  /** The node waits for the client's answer to its offer. */
  public boolean offerOutstanding() {
    return offeredAt >= 0;
  }

  public int offersMade() {
    return offersMade;
  }

  /** The client's offer: the node's answer. Once it was sent, {@link #afterAnswerSent()} offers the node's changes. */
  public String clientOffer(String sdp) {
    if (offerOutstanding()) {
      throw new NegotiationRefusal(NegotiationRefusal.GLARE);
    }
    return plan.answer(sdp);
  }

  /** After the reply to a client offer was sent: offer what the node has not offered yet. */
  public void afterAnswerSent() {
    opened = true;
    offerIfNeeded();
  }

  public void clientAnswer(String sdp) {
    if (!offerOutstanding()) {
      throw new NegotiationRefusal(NegotiationRefusal.NO_OFFER_PENDING);
    }
    plan.acceptAnswer(sdp);
    offeredAt = -1;
    offerIfNeeded();
  }

  /** The node's tracks for this participant changed (the plan already holds the change). */
  public void tracksChanged() {
    offerIfNeeded();
  }

  /** Periodic: gives up on an offer left unanswered, then offers what is still unoffered. */
  public void tick() {
    if (offerOutstanding() && clockMillis.getAsLong() - offeredAt >= answerTimeoutMillis) {
      offeredAt = -1;
    }
    offerIfNeeded();
  }

  private void offerIfNeeded() {
    if (!opened || offerOutstanding() || !plan.differsFromAgreed()) {
      return;
    }
    String offer = plan.offer();
    offeredAt = clockMillis.getAsLong();
    offersMade++;
    pushOffer.accept(offer);
  }
}

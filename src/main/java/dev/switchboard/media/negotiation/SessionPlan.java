package dev.switchboard.media.negotiation;

/**
 * The node's side of one participant's session description, as the {@link Negotiator} needs it: the SDP
 * model itself lives in {@code media.sdp}. Implementations throw {@link NegotiationRefusal} for an SDP they
 * cannot accept; they are then unchanged.
 */
public interface SessionPlan {
  /** Takes the client's offer in and returns the node's answer. */
  String answer(String clientOffer);

  /** The node's offer of everything it means to send now (its tracks included). */
  String offer();

  /** Takes the client's answer to the last {@link #offer()} in. */
  void acceptAnswer(String clientAnswer);

  /**
   * Whether what the node means to send differs from what the client last agreed to in an answer: a change
   * counts as done only once answered, so an offer that was never answered is made again.
   */
  boolean differsFromAgreed();
}

package dev.switchboard.media.node;

import dev.switchboard.media.negotiation.NegotiationRefusal;
import dev.switchboard.media.negotiation.SessionPlan;
import dev.switchboard.media.sdp.MediaPlan;
import dev.switchboard.media.sdp.OfferReader;
import dev.switchboard.media.sdp.RemoteDescription;
import dev.switchboard.media.sdp.SdpException;
import dev.switchboard.media.sdp.SessionBuilder;

import java.util.function.BiConsumer;

/**
 * A participant's {@link MediaPlan} as the {@link dev.switchboard.media.negotiation.Negotiator} sees it: SDP text
 * in and out, refusals as {@link NegotiationRefusal}. What a client offer changed goes to {@code onOffer} before the
 * answer is written (new published tracks, stopped ones, an ICE restart).
 */
final class PlanSession implements SessionPlan {
  private final MediaPlan plan;
  private final BiConsumer<RemoteDescription, MediaPlan.RemoteChange> onOffer;

  PlanSession(MediaPlan plan, BiConsumer<RemoteDescription, MediaPlan.RemoteChange> onOffer) {
    this.plan = plan;
    this.onOffer = onOffer;
  }

  @Override
  public String answer(String clientOffer) {
    try {
      RemoteDescription offer = OfferReader.read(clientOffer);
      MediaPlan.RemoteChange change = plan.applyRemoteOffer(offer);
      onOffer.accept(offer, change);
      return SessionBuilder.answer(plan, offer);
    } catch (SdpException e) {
      throw new NegotiationRefusal(NegotiationRefusal.INVALID_SDP, e.getMessage());
    }
  }

  @Override
  public String offer() {
    return SessionBuilder.offer(plan);
  }

  @Override
  public void acceptAnswer(String clientAnswer) {
    try {
      plan.applyRemoteAnswer(OfferReader.read(clientAnswer));
    } catch (SdpException e) {
      throw new NegotiationRefusal(NegotiationRefusal.INVALID_SDP, e.getMessage());
    }
  }

  @Override
  public boolean differsFromAgreed() {
    return plan.needsNegotiation();
  }
}

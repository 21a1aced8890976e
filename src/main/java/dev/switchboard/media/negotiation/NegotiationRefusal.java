package dev.switchboard.media.negotiation;

/** A negotiation step the node refuses, with the reason the client gets (protocol.md §8). */
public final class NegotiationRefusal extends RuntimeException {
  public static final String GLARE = "glare";
  public static final String NO_OFFER_PENDING = "no_offer_pending";
  public static final String INVALID_SDP = "invalid_sdp";

  private final String reason;

  public NegotiationRefusal(String reason, String detail) {
    super(reason + (detail == null ? "" : ": " + detail), null, false, false);
    this.reason = reason;
  }

  public NegotiationRefusal(String reason) {
    this(reason, null);
  }

  public String reason() {
    return reason;
  }
}

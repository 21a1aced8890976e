package dev.switchboard.media.sdp;

/**
 * An SDP the node will not work with: malformed, too large, or missing what WebRTC requires. The reason is short
 * and safe to send back to the client (it quotes no input beyond a line number), so a signalling error reply can
 * carry it as is.
 */
public final class SdpException extends Exception {
  private final String reason;

  public SdpException(String reason) {
    // no stack trace: hostile input is an expected outcome, and filling it in costs on every bad offer
    super(reason, null, false, false);
    this.reason = reason;
  }

  static SdpException atLine(int lineNumber, String reason) {
    return new SdpException(reason + " (line " + lineNumber + ")");
  }

  public String reason() {
    return reason;
  }
}

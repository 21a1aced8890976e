package dev.switchboard.gateway;

import io.vertx.core.json.JsonObject;

/**
 * Whether a session description would send media: some {@code m=} section with a port other than 0 whose
 * direction is {@code sendrecv} or {@code sendonly} (RFC 8866: {@code sendrecv} when none is given, and a
 * session-level direction applies to sections without their own). Used to refuse offers and answers of
 * peers whose grant does not publish.
 */
final class SdpDirections {
  private SdpDirections() {
  }

  static boolean wouldSend(String kind, Object body) {
    if (!"offer".equals(kind) && !"answer".equals(kind)) {
      return false;
    }
    String sdp = body instanceof JsonObject json && json.getValue("sdp") instanceof String s ? s
        : body instanceof String s ? s : null;
    if (sdp == null) {
      return false;
    }
    String sessionDirection = "sendrecv";
    String direction = null;
    boolean inMedia = false;
    boolean active = false;
    for (String raw : sdp.split("\r?\n")) {
      String line = raw.trim();
      if (line.startsWith("m=")) {
        if (inMedia && active && sends(direction == null ? sessionDirection : direction)) {
          return true;
        }
        inMedia = true;
        direction = null;
        String[] fields = line.split(" ");
        active = fields.length > 1 && !"0".equals(fields[1]);
      } else if (line.startsWith("a=") && isDirection(line.substring(2))) {
        if (inMedia) {
          direction = line.substring(2);
        } else {
          sessionDirection = line.substring(2);
        }
      }
    }
    return inMedia && active && sends(direction == null ? sessionDirection : direction);
  }

  private static boolean isDirection(String attribute) {
    return attribute.equals("sendrecv") || attribute.equals("sendonly") || attribute.equals("recvonly")
        || attribute.equals("inactive");
  }

  private static boolean sends(String direction) {
    return direction.equals("sendrecv") || direction.equals("sendonly");
  }
}

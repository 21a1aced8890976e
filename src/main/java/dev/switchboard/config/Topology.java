package dev.switchboard.config;

import java.util.Locale;

/** How a room's media flows; its name is what the configuration and the join reply say. */
public enum Topology {
  MESH, SFU;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * {@code rooms.topology}: {@code mesh}, {@code sfu}, or {@code auto} (or nothing): SFU where this node runs
   * the media node outside a cluster, else mesh. A clustered room's media cannot live on one node yet (issue
   * #12 item 5), and each node's media node would split the room in two.
   */
  static Topology of(String configured, boolean mediaEnabled, boolean clustered) {
    return switch (configured.isBlank() ? "auto" : configured) {
      case "mesh" -> MESH;
      case "sfu" -> SFU;
      case "auto" -> mediaEnabled && !clustered ? SFU : MESH;
      default -> throw new ConfigException("rooms.topology must be auto, mesh or sfu, found: " + configured);
    };
  }
}

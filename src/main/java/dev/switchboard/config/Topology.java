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
   * the media node, else mesh. In a cluster too: a room's media lives on one node, whichever node a
   * participant's socket is on (docs/media-node.md, Cluster).
   */
  static Topology of(String configured, boolean mediaEnabled) {
    return switch (configured.isBlank() ? "auto" : configured) {
      case "mesh" -> MESH;
      case "sfu" -> SFU;
      case "auto" -> mediaEnabled ? SFU : MESH;
      default -> throw new ConfigException("rooms.topology must be auto, mesh or sfu, found: " + configured);
    };
  }
}

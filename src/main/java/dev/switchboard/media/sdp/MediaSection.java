package dev.switchboard.media.sdp;

import java.util.List;
import java.util.Optional;

/**
 * One m-section of an {@link Sdp}: its m-line, read into media, port, protocol and formats, and the lines under it
 * as they came.
 */
public final class MediaSection {
  private final int index;
  private final List<String> lines;
  private final String media;
  private final int port;
  private final String proto;
  private final List<String> formats;

  MediaSection(int index, List<String> lines) {
    this.index = index;
    this.lines = List.copyOf(lines);
    // checkMLine ran on lines.get(0) before: the split below cannot fail
    String[] parts = lines.get(0).substring(2).split(" ");
    this.media = parts[0];
    int slash = parts[1].indexOf('/');
    this.port = Integer.parseInt(slash < 0 ? parts[1] : parts[1].substring(0, slash));
    this.proto = parts[2];
    this.formats = List.of(parts).subList(3, parts.length);
  }

  /** {@code m=<media> <port>[/<count>] <proto> <fmt> ...}, single spaces, port 0..65535, one format at least. */
  static void checkMLine(String line, int number) throws SdpException {
    String[] parts = line.substring(2).split(" ", -1);
    if (parts.length < 4) {
      throw SdpException.atLine(number, "m-line needs media, port, protocol and formats");
    }
    for (String part : parts) {
      if (part.isEmpty()) {
        throw SdpException.atLine(number, "m-line has an empty field");
      }
    }
    String port = parts[1];
    int slash = port.indexOf('/');
    if (!isPort(slash < 0 ? port : port.substring(0, slash)) || (slash >= 0 && !isPort(port.substring(slash + 1)))) {
      throw SdpException.atLine(number, "m-line port is not a number 0..65535");
    }
  }

  private static boolean isPort(String digits) {
    if (digits.isEmpty() || digits.length() > 5) {
      return false;
    }
    for (int i = 0; i < digits.length(); i++) {
      if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
        return false;
      }
    }
    return Integer.parseInt(digits) <= 65535;
  }

  /** Position among the m-sections, from 0: what Unified Plan keeps stable across offers. */
  public int index() {
    return index;
  }

  /** All lines, the m-line first. */
  public List<String> lines() {
    return lines;
  }

  /** The media token as written ({@code audio}, {@code video}, {@code application}, ...). */
  public String media() {
    return media;
  }

  public MediaKind kind() {
    return MediaKind.of(media);
  }

  public int port() {
    return port;
  }

  /**
   * Port 0: the section is rejected or its transceiver stopped (RFC 3264 §6, JSEP §5.2.2), unless it says
   * {@code a=bundle-only}: then port 0 only means "over the BUNDLE transport alone" (RFC 8843 §6), which is how
   * Firefox offers every section but the first under bundlePolicy max-bundle.
   */
  public boolean rejected() {
    return port == 0 && !hasAttribute("bundle-only");
  }

  public String proto() {
    return proto;
  }

  public List<String> formats() {
    return formats;
  }

  /** Values of {@code a=<name>} lines in order; {@code ""} for a flag attribute such as {@code a=rtcp-mux}. */
  public List<String> attributes(String name) {
    return Sdp.attributes(lines, name);
  }

  public Optional<String> attribute(String name) {
    List<String> values = attributes(name);
    return values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  public boolean hasAttribute(String name) {
    return attribute(name).isPresent();
  }
}

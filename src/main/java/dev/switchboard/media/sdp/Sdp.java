package dev.switchboard.media.sdp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * An SDP as lines: the session-level lines, then one {@link MediaSection} per m-line, in their order and with
 * every line kept as it came (unknown attributes too), so that {@link #write()} gives back the same text with
 * CRLF line ends. Parsing checks the shape only (RFC 8866 §5: {@code <type>=<value>} lines, {@code v=0} first,
 * well-formed m-lines); what the lines mean for WebRTC is {@link OfferReader}'s business.
 *
 * <p>The text comes from a client, so it is bounded before anything is allocated per line: its length, its line
 * count and its number of m-sections; and every failure is an {@link SdpException}, never another exception.
 */
public final class Sdp {
  /**
   * Bounds on one SDP. Lengths are in chars; the signalling frame that carried the text is bounded in bytes
   * already, this bounds the work done on it.
   */
  public record Limits(int maxLength, int maxLines, int maxSections) {
    /**
     * 256 KiB (the gateway's media event limit), 8192 lines, 128 m-sections: a full room of 25 whose members each
     * publish the most tracks the node takes (4) is 25 × 4 sections, plus the participant's own.
     */
    public static final Limits DEFAULT = new Limits(256 * 1024, 8192, 128);
  }

  private static final String CRLF = "\r\n";

  private final List<String> sessionLines;
  private final List<MediaSection> media;

  Sdp(List<String> sessionLines, List<MediaSection> media) {
    this.sessionLines = List.copyOf(sessionLines);
    this.media = List.copyOf(media);
  }

  public static Sdp parse(String text) throws SdpException {
    return parse(text, Limits.DEFAULT);
  }

  public static Sdp parse(String text, Limits limits) throws SdpException {
    if (text == null || text.isEmpty()) {
      throw new SdpException("empty SDP");
    }
    if (text.length() > limits.maxLength()) {
      throw new SdpException("SDP longer than " + limits.maxLength() + " chars");
    }
    List<String> session = new ArrayList<>();
    List<MediaSection> media = new ArrayList<>();
    List<String> current = null; // the lines of the m-section being read, null while at session level
    int lineCount = 0;
    int start = 0;
    int length = text.length();
    while (start < length) {
      int newline = text.indexOf('\n', start);
      int end = newline < 0 ? length : newline;
      int contentEnd = end > start && text.charAt(end - 1) == '\r' ? end - 1 : end;
      String line = text.substring(start, contentEnd);
      start = end + 1;
      lineCount++;
      if (lineCount > limits.maxLines()) {
        throw new SdpException("more than " + limits.maxLines() + " lines");
      }
      if (line.isEmpty()) {
        // a trailing empty line is an artefact of joining; one in the middle is a broken SDP
        if (text.substring(start < length ? start : length).isBlank()) {
          break;
        }
        throw SdpException.atLine(lineCount, "empty line");
      }
      checkLine(line, lineCount);
      if (lineCount == 1 && !line.equals("v=0")) {
        throw SdpException.atLine(1, "SDP must start with v=0");
      }
      if (line.charAt(0) == 'm') {
        if (media.size() + (current == null ? 0 : 1) >= limits.maxSections()) {
          throw new SdpException("more than " + limits.maxSections() + " m-sections");
        }
        if (current != null) {
          media.add(new MediaSection(media.size(), current));
        }
        current = new ArrayList<>();
        MediaSection.checkMLine(line, lineCount);
        current.add(line);
      } else if (current != null) {
        current.add(line);
      } else {
        session.add(line);
      }
    }
    if (session.isEmpty()) {
      throw new SdpException("empty SDP");
    }
    if (current != null) {
      media.add(new MediaSection(media.size(), current));
    }
    return new Sdp(session, media);
  }

  /** {@code <letter>=<value>} with no control characters but tab: a stray CR or NUL is not a line we pass on. */
  private static void checkLine(String line, int number) throws SdpException {
    if (line.length() < 2 || line.charAt(1) != '=' || line.charAt(0) < 'a' || line.charAt(0) > 'z') {
      throw SdpException.atLine(number, "not a <type>=<value> line");
    }
    for (int i = 2; i < line.length(); i++) {
      char c = line.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        throw SdpException.atLine(number, "control character");
      }
    }
  }

  public List<String> sessionLines() {
    return sessionLines;
  }

  public List<MediaSection> media() {
    return media;
  }

  /** Values of the session-level {@code a=<name>} attributes, in order ({@code ""} for a flag attribute). */
  public List<String> sessionAttributes(String name) {
    return attributes(sessionLines, name);
  }

  public Optional<String> sessionAttribute(String name) {
    List<String> values = sessionAttributes(name);
    return values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** The SDP text, CRLF after every line (RFC 8866 §5): the input itself when it was CRLF-terminated. */
  public String write() {
    StringBuilder out = new StringBuilder(4096);
    for (String line : sessionLines) {
      out.append(line).append(CRLF);
    }
    for (MediaSection section : media) {
      for (String line : section.lines()) {
        out.append(line).append(CRLF);
      }
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return write();
  }

  static List<String> attributes(List<String> lines, String name) {
    List<String> values = null;
    for (String line : lines) {
      String value = attributeValue(line, name);
      if (value != null) {
        if (values == null) {
          values = new ArrayList<>(2);
        }
        values.add(value);
      }
    }
    return values == null ? Collections.emptyList() : values;
  }

  /** The value of {@code a=name:value} or {@code ""} for {@code a=name}; {@code null} for any other line. */
  static String attributeValue(String line, String name) {
    int nameEnd = 2 + name.length();
    if (!line.startsWith("a=") || !line.startsWith(name, 2)) {
      return null;
    }
    if (line.length() == nameEnd) {
      return "";
    }
    return line.charAt(nameEnd) == ':' ? line.substring(nameEnd + 1) : null;
  }
}

package dev.switchboard.bench;

/**
 * The first four elements of a server frame ({@code [join_ref, ref, topic, event, ...]}) read by a scan of the
 * text, without parsing the payload: the load client reads every frame it gets, and should cost the machine it
 * shares with the server as little as possible. Strings with escapes are read as they are written, which is
 * enough to match refs, topics and events the bench chose itself.
 */
final class FrameHead {
  private FrameHead() {
  }

  static String[] read(String text) {
    String[] head = new String[4];
    int at = 1; // after '['
    for (int i = 0; i < 4; i++) {
      if (text.startsWith("null", at)) {
        at += 4;
      } else if (text.charAt(at) == '"') {
        int end = at + 1;
        while (text.charAt(end) != '"') {
          end += text.charAt(end) == '\\' ? 2 : 1;
        }
        head[i] = text.substring(at + 1, end);
        at = end + 1;
      } else {
        int end = text.indexOf(',', at);
        head[i] = text.substring(at, end);
        at = end;
      }
      at++; // the comma
    }
    return head;
  }
}

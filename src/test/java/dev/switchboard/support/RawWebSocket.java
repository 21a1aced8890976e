package dev.switchboard.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a plain TCP socket, for specs that must behave as no well-mannered client does:
 * never read, send half a message, flood pings. Frames are written exactly as given (masked, as a client
 * must); nothing is read unless the spec asks.
 */
public final class RawWebSocket implements AutoCloseable {
  public static final int TEXT = 0x1;
  public static final int CONTINUATION = 0x0;
  public static final int CLOSE = 0x8;
  public static final int PING = 0x9;

  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;
  private final int status;

  private RawWebSocket(Socket socket, int status) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.in = socket.getInputStream();
    this.status = status;
  }

  /**
   * Opens a TCP connection and sends the upgrade request; {@link #status()} is the HTTP status answered.
   *
   * @param receiveBuffer the socket's receive buffer in bytes (small, so a client that never reads fills up fast), or 0
   */
  public static RawWebSocket connect(int port, Map<String, String> headers, int receiveBuffer) throws IOException {
    Socket socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5_000);
    socket.setSoTimeout(10_000);
    StringBuilder request = new StringBuilder("GET /socket/websocket?vsn=2.0.0 HTTP/1.1\r\n")
        .append("Host: 127.0.0.1:").append(port).append("\r\n")
        .append("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n")
        .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(new byte[16])).append("\r\n");
    headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
    socket.getOutputStream().write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
    String head = readHead(socket.getInputStream());
    return new RawWebSocket(socket, Integer.parseInt(head.split(" ")[1]));
  }

  public static RawWebSocket connect(int port) throws IOException {
    return connect(port, Map.of(), 0);
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < end.length) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed during the upgrade: " + head);
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  public int status() {
    return status;
  }

  /** Writes one masked frame. */
  public void frame(int opcode, boolean fin, byte[] payload) throws IOException {
    ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
    frame.write((fin ? 0x80 : 0) | opcode);
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else if (payload.length < 65_536) {
      frame.write(0x80 | 126);
      frame.write(payload.length >>> 8);
      frame.write(payload.length & 0xff);
    } else {
      frame.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        frame.write((int) ((long) payload.length >>> shift) & 0xff);
      }
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    frame.write(mask);
    for (int i = 0; i < payload.length; i++) {
      frame.write(payload[i] ^ mask[i & 3]);
    }
    out.write(frame.toByteArray());
  }

  public void text(String text) throws IOException {
    frame(TEXT, true, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Reads (and discards) everything until the server closes the connection.
   *
   * @return true when the connection was closed (end of stream or reset) within the wait
   */
  public boolean awaitDropped(long millis) {
    long deadline = System.currentTimeMillis() + millis;
    byte[] sink = new byte[65_536];
    try {
      while (System.currentTimeMillis() < deadline) {
        socket.setSoTimeout((int) Math.max(1, Math.min(500, deadline - System.currentTimeMillis())));
        try {
          if (in.read(sink) < 0) {
            return true;
          }
        } catch (SocketTimeoutException notYet) {
          // keep reading until the deadline
        }
      }
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  /** Reads frames until a close frame arrives; returns its status code, or -1 if the connection ended without one. */
  public int awaitCloseCode(long millis) throws IOException {
    long deadline = System.currentTimeMillis() + millis;
    while (System.currentTimeMillis() < deadline) {
      socket.setSoTimeout((int) Math.max(1, deadline - System.currentTimeMillis()));
      int first = in.read();
      if (first < 0) {
        return -1;
      }
      int second = in.read();
      long length = second & 0x7f;
      if (length == 126) {
        length = (in.read() << 8) | in.read();
      } else if (length == 127) {
        length = 0;
        for (int i = 0; i < 8; i++) {
          length = (length << 8) | in.read();
        }
      }
      byte[] payload = in.readNBytes((int) length);
      if ((first & 0x0f) == CLOSE) {
        return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
      }
    }
    throw new SocketTimeoutException("no close frame within " + millis + " ms");
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // already gone
    }
  }
}

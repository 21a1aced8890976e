package dev.switchboard.support;

import dev.switchboard.turn.StunWire;
import org.ice4j.StunException;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.attribute.ErrorCodeAttribute;
import org.ice4j.attribute.NonceAttribute;
import org.ice4j.attribute.RealmAttribute;
import org.ice4j.attribute.XorRelayedAddressAttribute;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A TURN client over UDP (or TCP, with {@link #tcp}) built on ice4j's messages, signing with the long-term
 * credential key.
 */
public final class TurnTestClient implements AutoCloseable {
  private final DatagramSocket socket;
  /** Set for a client over TCP; {@link #socket} is then null. */
  private final Socket stream;
  private final InetSocketAddress server;
  private final String username;
  private final String password;
  private final SecureRandom random = new SecureRandom();
  private byte[] realm;
  private byte[] nonce;
  private byte[] key;

  public TurnTestClient(int port, String username, String password) throws IOException {
    this(port, username, password, 0);
  }

  /** A UDP client sending from 127.0.0.1:{@code localPort} (0: any port). */
  public TurnTestClient(int port, String username, String password, int localPort) throws IOException {
    this.socket = new DatagramSocket(localPort, InetAddress.getLoopbackAddress());
    this.socket.setSoTimeout(3000);
    this.stream = null;
    this.server = new InetSocketAddress("127.0.0.1", port);
    this.username = username;
    this.password = password;
  }

  private TurnTestClient(Socket stream, int port, String username, String password) throws IOException {
    this.socket = null;
    this.stream = stream;
    this.stream.setSoTimeout(3000);
    this.stream.setTcpNoDelay(true);
    this.server = new InetSocketAddress("127.0.0.1", port);
    this.username = username;
    this.password = password;
  }

  /** A client over TCP to 127.0.0.1:{@code port}: STUN messages and ChannelData framed as RFC 8656 §12.5 says. */
  public static TurnTestClient tcp(int port, String username, String password) throws IOException {
    return new TurnTestClient(new Socket(InetAddress.getLoopbackAddress(), port), port, username, password);
  }

  /** The local port this client sends from (TCP or UDP). */
  public int localPort() {
    return stream != null ? stream.getLocalPort() : socket.getLocalPort();
  }

  /** Sends a request (challenge answered once when needed) and returns the final response. */
  public Message request(Request request) throws Exception {
    return request(request, bytes -> bytes);
  }

  /**
   * An Allocate with EVEN-PORT and its R flag set (reserve the next port too). ice4j writes R as {@code (byte) 256},
   * which is 0, so the flag is set in the encoded bytes here.
   */
  public Message allocateReservingNextPort() throws Exception {
    Request allocate = MessageFactory.createAllocateRequest((byte) 17, false);
    allocate.putAttribute(AttributeFactory.createEvenPortAttribute(false));
    return request(allocate, bytes -> {
      int evenPort = StunWire.find(bytes, StunWire.ATTR_EVEN_PORT);
      bytes[evenPort + 4] = (byte) 0x80;
      return bytes;
    });
  }

  /**
   * Sends a request whose encoded bytes {@code patch} rewrites before they are signed (what ice4j cannot build:
   * repeated or malformed attributes), answering a challenge once when needed; returns the final response.
   */
  public Message request(Request request, UnaryOperator<byte[]> patch) throws Exception {
    Message response = send(request, key != null, patch);
    if (response.getMessageType() == (request.getMessageType() | 0x0110) && (errorCode(response) == 401 || errorCode(response) == 438)) {
      realm = ((RealmAttribute) response.getAttribute(Attribute.REALM)).getRealm();
      nonce = ((NonceAttribute) response.getAttribute(Attribute.NONCE)).getNonce();
      key = MessageDigest.getInstance("MD5").digest((username + ":" + new String(realm, StandardCharsets.UTF_8) + ":"
          + password).getBytes(StandardCharsets.UTF_8));
      response = send(request, true, patch);
    }
    return response;
  }

  /** A request keeps the transaction id it was built with: IPv6 XOR addresses are encoded with it. */
  private Message send(Request request, boolean signed, UnaryOperator<byte[]> patch) throws Exception {
    byte[] transaction = request.getTransactionID();
    if (transaction == null) {
      transaction = newTransaction();
      request.setTransactionID(transaction);
    }
    for (char type : new char[] {Attribute.USERNAME, Attribute.REALM, Attribute.NONCE}) {
      request.removeAttribute(type);
    }
    if (signed) {
      request.putAttribute(AttributeFactory.createUsernameAttribute(username));
      request.putAttribute(AttributeFactory.createRealmAttribute(realm));
      request.putAttribute(AttributeFactory.createNonceAttribute(nonce));
    }
    byte[] bytes = StunWire.sign(patch.apply(request.encode(null)), signed ? key : null);
    sendRaw(bytes);
    while (true) {
      byte[] answer = receiveRaw();
      if (answer.length >= 20 && Arrays.equals(Arrays.copyOfRange(answer, 8, 20), transaction)) {
        return Message.decode(answer, 0, answer.length);
      }
    }
  }

  public void sendRaw(byte[] bytes) throws IOException {
    if (stream != null) {
      // ChannelData is padded to a multiple of 4 on stream transports; STUN messages always are
      int padded = (bytes.length + 3) & ~3;
      stream.getOutputStream().write(Arrays.copyOf(bytes, padded));
      stream.getOutputStream().flush();
      return;
    }
    socket.send(new DatagramPacket(bytes, bytes.length, server));
  }

  public byte[] receiveRaw() throws IOException {
    if (stream != null) {
      DataInputStream in = new DataInputStream(stream.getInputStream());
      byte[] header = new byte[4];
      in.readFully(header);
      int length = ((header[2] & 0xff) << 8) | (header[3] & 0xff);
      boolean channelData = (header[0] & 0xC0) == 0x40;
      byte[] frame = new byte[channelData ? 4 + ((length + 3) & ~3) : StunWire.HEADER + length];
      System.arraycopy(header, 0, frame, 0, 4);
      in.readFully(frame, 4, frame.length - 4);
      return channelData ? Arrays.copyOf(frame, 4 + length) : frame;
    }
    DatagramPacket packet = new DatagramPacket(new byte[65536], 65536);
    socket.receive(packet);
    return Arrays.copyOf(packet.getData(), packet.getLength());
  }

  public static int errorCode(Message response) {
    ErrorCodeAttribute error = (ErrorCodeAttribute) response.getAttribute(Attribute.ERROR_CODE);
    return error == null ? 0 : error.getErrorCode();
  }

  public static boolean success(Message response) {
    return Message.isSuccessResponseType(response.getMessageType());
  }

  public InetSocketAddress allocate() throws Exception {
    Message response = request(MessageFactory.createAllocateRequest((byte) 17, false));
    if (!success(response)) {
      throw new AssertionError("allocation failed: " + errorCode(response));
    }
    TransportAddress relayed = ((XorRelayedAddressAttribute) response.getAttribute(Attribute.XOR_RELAYED_ADDRESS))
        .getAddress(response.getTransactionID());
    return new InetSocketAddress(relayed.getAddress(), relayed.getPort());
  }

  private byte[] newTransaction() {
    byte[] transaction = new byte[12];
    random.nextBytes(transaction);
    return transaction;
  }

  public Message createPermission(InetSocketAddress peer) throws Exception {
    byte[] transaction = newTransaction();
    Request request = MessageFactory.createCreatePermissionRequest(new TransportAddress(peer, Transport.UDP), transaction);
    request.setTransactionID(transaction);
    return request(request);
  }

  /**
   * One CreatePermission for several peers, one XOR-PEER-ADDRESS each (RFC 8656 §9). ice4j's Message holds one
   * attribute per type, so the peers after the first are written into the encoded bytes.
   */
  public Message createPermission(List<InetSocketAddress> peers) throws Exception {
    byte[] transaction = newTransaction();
    Request request = MessageFactory.createCreatePermissionRequest(
        new TransportAddress(peers.get(0), Transport.UDP), transaction);
    request.setTransactionID(transaction);
    return request(request, bytes -> {
      byte[] out = bytes;
      for (InetSocketAddress peer : peers.subList(1, peers.size())) {
        byte[] attribute = AttributeFactory.createXorPeerAddressAttribute(
            new TransportAddress(peer, Transport.UDP), transaction).encode();
        out = Arrays.copyOf(out, out.length + attribute.length);
        System.arraycopy(attribute, 0, out, out.length - attribute.length, attribute.length);
      }
      out[2] = (byte) ((out.length - StunWire.HEADER) >> 8);
      out[3] = (byte) (out.length - StunWire.HEADER);
      return out;
    });
  }

  public Message channelBind(int channel, InetSocketAddress peer) throws Exception {
    byte[] transaction = newTransaction();
    Request request = MessageFactory.createChannelBindRequest((char) channel, new TransportAddress(peer, Transport.UDP),
        transaction);
    request.setTransactionID(transaction);
    return request(request);
  }

  public Message refresh(int lifetime) throws Exception {
    return request(MessageFactory.createRefreshRequest(lifetime));
  }

  public void sendChannelData(int channel, byte[] payload) throws IOException {
    byte[] frame = new byte[4 + payload.length];
    frame[0] = (byte) (channel >> 8);
    frame[1] = (byte) channel;
    frame[2] = (byte) (payload.length >> 8);
    frame[3] = (byte) payload.length;
    System.arraycopy(payload, 0, frame, 4, payload.length);
    sendRaw(frame);
  }

  public void sendIndication(InetSocketAddress peer, byte[] payload) throws IOException, StunException {
    byte[] transaction = new byte[12];
    random.nextBytes(transaction);
    Message indication = MessageFactory.createSendIndication(new TransportAddress(peer, Transport.UDP), payload,
        transaction);
    indication.setTransactionID(transaction);
    sendRaw(indication.encode(null));
  }

  @Override
  public void close() {
    try {
      if (stream != null) {
        stream.close();
      } else {
        socket.close();
      }
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}

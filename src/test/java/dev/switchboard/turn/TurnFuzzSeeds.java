package dev.switchboard.turn;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.switchboard.turn.TurnFuzzInput.FIX;
import static dev.switchboard.turn.TurnFuzzInput.RAW;
import static dev.switchboard.turn.TurnFuzzInput.SIGN;
import static dev.switchboard.turn.TurnFuzzInput.SIGN_STALE;
import static dev.switchboard.turn.TurnFuzzInput.SWEEP;

/**
 * The seed corpus, as code: realistic conversations in the {@link TurnFuzzInput} format. The files under
 * {@code src/test/resources/dev/switchboard/turn/Turn*FuzzTestInputs/} are written from here
 * ({@link TurnFuzzSeedsTest} checks they still are, and that each reaches what it is named after).
 */
final class TurnFuzzSeeds {
  static final Path PACKET_SEEDS = Path.of("src/test/resources/dev/switchboard/turn/TurnPacketFuzzTestInputs/datagrams");
  static final Path STREAM_SEEDS = Path.of("src/test/resources/dev/switchboard/turn/TurnStreamFuzzTestInputs/stream");
  private static final int CREDENTIAL_P1 = 1 << 2;
  private static final int CREDENTIAL_REVOKED = 3 << 2;
  /** Clock bits: 601 s before the step. */
  private static final int LATER = 3 << 4;
  private static final InetSocketAddress PEER = peer("127.0.0.2", 5000);
  private static final InetSocketAddress OTHER_PEER = peer("127.0.0.3", 5001);
  private static final InetSocketAddress PEER_V6 = peer("::1", 5002);

  private TurnFuzzSeeds() {
  }

  /** Inputs of {@code TurnPacketFuzzTest#datagrams}, by file name. */
  static Map<String, byte[]> datagrams() {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    seeds.put("binding", input(step(FIX, 0, binding(1))));
    seeds.put("allocate-unauthenticated", input(step(RAW, 0, allocate(2))));
    seeds.put("allocate", input(step(SIGN, 0, allocate(3))));
    seeds.put("create-permission", input(step(SIGN, 0, allocate(4)),
        step(SIGN, 0, createPermission(5, PEER, OTHER_PEER))));
    seeds.put("channel-bind", input(step(SIGN, 0, allocate(6)), step(SIGN, 0, channelBind(7, 0x4000, PEER))));
    seeds.put("send-indication", input(step(SIGN, 0, allocate(8)), step(SIGN, 0, createPermission(9, PEER)),
        step(FIX, 0, sendIndication(10, PEER, "to the peer"))));
    seeds.put("channel-data", input(step(SIGN, 0, allocate(11)), step(SIGN, 0, channelBind(12, 0x4001, PEER)),
        step(FIX, 0, channelData(0x4001, "on channel 0x4001"))));
    seeds.put("refresh", input(step(SIGN, 0, allocate(13)), step(SIGN, 0, refresh(14, 1200)),
        step(SIGN, 0, refresh(15, 0)), step(SIGN, 0, refresh(16, 600))));
    seeds.put("stale-nonce", input(step(SIGN_STALE, 0, allocate(17))));
    seeds.put("peer-quota", input(step(SIGN | CREDENTIAL_P1, 0, allocate(18)),
        step(SIGN | CREDENTIAL_P1, 1, allocate(19)), step(SIGN | CREDENTIAL_P1, 2, allocate(20)),
        step(SIGN | CREDENTIAL_REVOKED, 3, allocate(21))));
    seeds.put("expiry", input(step(SIGN, 0, allocate(22)), step(SIGN | LATER | SWEEP, 0, channelBind(23, 0x4002, PEER)),
        step(SIGN, 0, allocate(24))));
    seeds.put("even-port", input(step(SIGN, 0, allocateEvenPortReserving(25))));
    // the second Allocate redeems the token the first got (the rig puts it in place of the zeros), then another
    // user tries to redeem it again
    seeds.put("reservation-token", input(step(SIGN | CREDENTIAL_P1, 0, allocateEvenPortReserving(29)),
        step(SIGN | CREDENTIAL_P1, 1, allocateWithToken(30)), step(SIGN, 2, allocateWithToken(31))));
    // p1 allocates and is revoked; the next sweep (after a Binding from another client) ends its allocation
    seeds.put("revocation", input(step(SIGN | CREDENTIAL_P1, TurnFuzzInput.REVOKE, allocate(40)),
        step(FIX | SWEEP, 1, binding(41)), step(SIGN | CREDENTIAL_P1, 2, allocate(42))));
    seeds.put("ipv6-relay", input(step(SIGN, 0, allocateIpv6(26)), step(SIGN, 0, createPermission(27, PEER_V6)),
        step(FIX, 0, sendIndication(28, PEER_V6, "to the IPv6 peer"))));
    return seeds;
  }

  /** Inputs of {@code TurnStreamFuzzTest#stream}, by file name. */
  static Map<String, byte[]> streams() {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    byte[] conversation = input(step(FIX, 0, binding(31)), step(SIGN, 0, allocate(32)),
        step(SIGN, 0, channelBind(33, 0x4000, PEER)), step(FIX, 0, channelData(0x4000, "padded to four")),
        step(FIX, 0, sendIndication(34, PEER, "by indication")), step(SIGN, 0, refresh(35, 0)));
    // reads of 7, 13, 1 and 200 bytes, in turn, cut every message somewhere
    seeds.put("tcp-conversation", input(new byte[] {3, 6, 12, 0, (byte) 199}, conversation));
    seeds.put("one-byte-reads", input(new byte[] {0, 0}, input(step(FIX, 0, binding(36)),
        step(SIGN, 0, allocate(37)), step(SIGN, 0, createPermission(38, PEER, OTHER_PEER)))));
    // a Binding, then bytes that start neither STUN nor ChannelData: the stream ends there
    seeds.put("not-turn", input(new byte[] {0, 63}, input(step(FIX, 0, binding(39)),
        step(RAW, 0, new byte[] {(byte) 0xFF, (byte) 0xFF, 0, 4, 1, 2, 3, 4}))));
    return seeds;
  }

  // ---- messages, their length fields set (the rig sets them again for FIX and SIGN) ----------------

  private static byte[] input(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  private static byte[] step(int flags, int client, byte[] payload) {
    return TurnFuzzInput.step(flags, client, payload);
  }

  private static final class Stun {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final byte[] header;

    Stun(int type, int transaction) {
      header = ByteBuffer.allocate(StunWire.HEADER).putShort((short) type).putShort((short) 0)
          .putInt(StunWire.MAGIC_COOKIE).putInt(0x5345_4544).putLong(transaction).array(); // "SEED"
      out.writeBytes(header);
    }

    Stun with(int type, byte[] value) {
      TurnFuzzInput.attribute(out, type, value);
      return this;
    }

    /** An XOR-PEER-ADDRESS: port and address XORed with the cookie, IPv6 addresses with the transaction id too. */
    Stun peer(InetSocketAddress peer) {
      byte[] ip = peer.getAddress().getAddress();
      ByteBuffer value = ByteBuffer.allocate(4 + ip.length).put((byte) 0).put((byte) (ip.length == 4 ? 1 : 2))
          .putShort((short) (peer.getPort() ^ (StunWire.MAGIC_COOKIE >>> 16)));
      for (int i = 0; i < ip.length; i++) {
        value.put((byte) (ip[i] ^ header[4 + i]));
      }
      return with(StunWire.ATTR_XOR_PEER_ADDRESS, value.array());
    }

    byte[] bytes() {
      byte[] message = out.toByteArray();
      ByteBuffer.wrap(message).putShort(2, (short) (message.length - StunWire.HEADER));
      return message;
    }
  }

  private static byte[] binding(int transaction) {
    return new Stun(0x0001, transaction).bytes();
  }

  private static final byte[] UDP = {17, 0, 0, 0};

  private static byte[] allocate(int transaction) {
    return new Stun(0x0003, transaction).with(0x0019, UDP).bytes();
  }

  /** RESERVATION-TOKEN of eight zero bytes: the rig puts the last token the server handed out in its place. */
  private static byte[] allocateWithToken(int transaction) {
    return new Stun(0x0003, transaction).with(0x0019, UDP).with(TurnFuzzInput.ATTR_RESERVATION_TOKEN, new byte[8])
        .bytes();
  }

  /** REQUESTED-ADDRESS-FAMILY IPv6: a relay on ::1. */
  private static byte[] allocateIpv6(int transaction) {
    return new Stun(0x0003, transaction).with(0x0019, UDP).with(StunWire.ATTR_REQUESTED_ADDRESS_FAMILY,
        new byte[] {2, 0, 0, 0}).bytes();
  }

  /** EVEN-PORT with R: the next port is reserved too. */
  private static byte[] allocateEvenPortReserving(int transaction) {
    return new Stun(0x0003, transaction).with(0x0019, UDP).with(StunWire.ATTR_EVEN_PORT, new byte[] {(byte) 0x80})
        .bytes();
  }

  private static byte[] refresh(int transaction, int lifetime) {
    return new Stun(0x0004, transaction).with(0x000D, ByteBuffer.allocate(4).putInt(lifetime).array()).bytes();
  }

  private static byte[] createPermission(int transaction, InetSocketAddress... peers) {
    Stun request = new Stun(0x0008, transaction);
    for (InetSocketAddress peer : peers) {
      request.peer(peer);
    }
    return request.bytes();
  }

  private static byte[] channelBind(int transaction, int channel, InetSocketAddress peer) {
    return new Stun(0x0009, transaction).with(0x000C, new byte[] {(byte) (channel >> 8), (byte) channel, 0, 0})
        .peer(peer).bytes();
  }

  private static byte[] sendIndication(int transaction, InetSocketAddress peer, String data) {
    return new Stun(StunWire.SEND_INDICATION, transaction).peer(peer).with(StunWire.ATTR_DATA, data.getBytes(StandardCharsets.UTF_8)).bytes();
  }

  private static byte[] channelData(int channel, String data) {
    byte[] payload = data.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(4 + payload.length).putShort((short) channel).putShort((short) payload.length)
        .put(payload).array();
  }

  private static InetSocketAddress peer(String ip, int port) {
    try {
      return new InetSocketAddress(InetAddress.getByName(ip), port);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}

package dev.switchboard.turn;

import dev.switchboard.turn.allocation.Allocation;
import dev.switchboard.turn.allocation.ClientLink;
import dev.switchboard.turn.allocation.NioRelaySocket;
import dev.switchboard.turn.allocation.RelaySocket;
import org.ice4j.message.Message;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The invariants every fuzz input must keep, checked by {@link TurnFuzzRig} after each step and when it closes:
 * <ul>
 *   <li>no exception escapes the packet handler, and the relay logs no warning;</li>
 *   <li>only requests are answered, once at most, each answer a well-formed STUN response to that request
 *   (method, transaction id, attributes that tile the message, FINGERPRINT last and valid, decodable by ice4j,
 *   MESSAGE-INTEGRITY valid under one of the rig's keys when present);</li>
 *   <li>Binding and 400 answers are no more than twice the size of their request;</li>
 *   <li>a successful Allocate made an allocation on 127.0.0.1; a successful CreatePermission installed a
 *   permission for every XOR-PEER-ADDRESS; a successful ChannelBind bound the channel and permitted its peer;</li>
 *   <li>payloads go to peers only from a live allocation's relay socket, to permitted peers the policy allows;</li>
 *   <li>allocations, reservations, relay ports, quota counts, permissions and channels stay within the quotas,
 *   and once the server closes nothing is held and every relay socket is closed.</li>
 * </ul>
 */
final class TurnFuzzChecks {
  private static final int BINDING = 0x001;
  private static final int ALLOCATE = 0x003;
  private static final int REFRESH = 0x004;
  private static final int CREATE_PERMISSION = 0x008;
  private static final int CHANNEL_BIND = 0x009;
  private static final int ATTR_CHANNEL_NUMBER = 0x000C;
  private static final Logger RELAY_LOG = Logger.getLogger("dev.switchboard.turn");
  private static final List<LogRecord> WARNINGS = Collections.synchronizedList(new ArrayList<>());

  static {
    RELAY_LOG.addHandler(new Handler() {
      @Override
      public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
          WARNINGS.add(record);
        }
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    });
  }

  /** A broken invariant: the input is a finding. */
  static final class Violation extends AssertionError {
    Violation(String message) {
      super(message);
    }

    Violation(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** What the inputs reached, for the specs that keep the seeds honest. */
  static final class Observed {
    /** Answers as "method outcome": "Allocate ok", "Allocate 401", "Binding ok". */
    final List<String> answers = new ArrayList<>();
    /** Datagrams or frames that reached the server. */
    int delivered;
    int relayed;
    int maxAllocations;
    int maxReservations;
    /** Allocations and reservations held after the last step. */
    int held;
    int maxPermissions;
    int maxChannels;
  }

  final Observed observed = new Observed();
  private final TurnFuzzRig rig;
  private final Set<RelaySocket> relays = Collections.newSetFromMap(new IdentityHashMap<>());

  TurnFuzzChecks(TurnFuzzRig rig) {
    this.rig = rig;
    WARNINGS.clear();
  }

  static void require(boolean holds, Supplier<String> what) {
    if (!holds) {
      throw new Violation(what.get());
    }
  }

  /** The answers the client got to one datagram or frame. */
  void answers(byte[] frame, List<byte[]> answers, ClientLink link) {
    observed.delivered++;
    boolean request = isRequest(frame);
    require(request || answers.isEmpty(), () -> "answered what is not a request: " + hex(frame));
    require(answers.size() <= 1, () -> answers.size() + " answers to one request: " + hex(frame));
    for (byte[] answer : answers) {
      wellFormed(answer, frame);
      int method = type(answer) & 0x3EEF;
      int code = errorCode(answer);
      observed.answers.add(name(method) + " " + (code == 0 ? "ok" : code));
      int requestLength = StunWire.HEADER + length(frame);
      require(!(method == BINDING || code == 400) || answer.length <= 2 * requestLength,
          () -> answer.length + "-byte answer to a " + requestLength + "-byte request: " + hex(answer));
      if (code == 0) {
        succeeded(method, frame, link);
      }
    }
  }

  private static boolean isRequest(byte[] frame) {
    return frame.length >= StunWire.HEADER && (frame[0] & 0xC0) == 0
        && ByteBuffer.wrap(frame).getInt(4) == StunWire.MAGIC_COOKIE && (length(frame) & 3) == 0
        && StunWire.HEADER + length(frame) <= frame.length && (type(frame) & 0x0110) == 0;
  }

  private static void wellFormed(byte[] answer, byte[] request) {
    require(answer.length >= StunWire.HEADER + 8 && (answer.length & 3) == 0 && (answer[0] & 0xC0) == 0
            && ByteBuffer.wrap(answer).getInt(4) == StunWire.MAGIC_COOKIE
            && length(answer) == answer.length - StunWire.HEADER,
        () -> "not a STUN message: " + hex(answer));
    require((type(answer) & 0x0100) != 0 && (type(answer) & 0x3EEF) == (type(request) & 0x3EEF),
        () -> "not a response to this request's method: " + hex(answer));
    require(Arrays.equals(answer, 8, 20, request, 8, 20), () -> "another transaction id: " + hex(answer));
    int at = StunWire.HEADER;
    int last = -1;
    while (at + 4 <= answer.length && at + 4 + attributeLength(answer, at) <= answer.length) {
      last = at;
      at += 4 + TurnFuzzInput.padded(attributeLength(answer, at));
    }
    int lastAttribute = last;
    require(at == answer.length, () -> "attributes do not tile the message: " + hex(answer));
    require(lastAttribute == answer.length - 8 && attributeType(answer, lastAttribute) == StunWire.ATTR_FINGERPRINT
        && StunWire.verifyFingerprint(answer, lastAttribute), () -> "no valid FINGERPRINT last: " + hex(answer));
    try {
      Message.decode(answer, 0, answer.length);
    } catch (Exception e) {
      throw new Violation("ice4j cannot decode the answer " + hex(answer), e);
    }
    if (StunWire.find(answer, StunWire.ATTR_MESSAGE_INTEGRITY) >= 0) {
      require(TurnFuzzRig.CREDENTIALS.stream().anyMatch(c -> StunWire.verifyIntegrity(answer, c.key())),
          () -> "MESSAGE-INTEGRITY under none of the keys: " + hex(answer));
    }
  }

  /** What a success promised holds now. */
  private void succeeded(int method, byte[] request, ClientLink link) {
    long now = rig.clock.millis();
    Allocation allocation = rig.server.allocations().stream()
        .filter(a -> a.fiveTuple.equals(link.fiveTuple())).findFirst().orElse(null);
    if (method == ALLOCATE || method == CREATE_PERMISSION || method == CHANNEL_BIND) {
      require(allocation != null && allocation.alive(now), () -> name(method) + " succeeded without a live allocation");
    }
    if (method == ALLOCATE) {
      require(onLoopback(allocation.relay), () -> "relay socket not on loopback");
    } else if (method == CREATE_PERMISSION) {
      List<InetSocketAddress> peers = peerAddresses(request);
      require(peers != null && !peers.isEmpty(), () -> "CreatePermission succeeded without a well-formed peer: "
          + hex(request));
      for (InetSocketAddress peer : peers) {
        require(allocation.permitted(PeerPolicy.canonical(peer.getAddress()), now),
            () -> "CreatePermission succeeded but " + peer + " has no permission: " + hex(request));
      }
    } else if (method == CHANNEL_BIND) {
      List<InetSocketAddress> peers = peerAddresses(request);
      require(peers != null && !peers.isEmpty(), () -> "ChannelBind succeeded without a well-formed peer: "
          + hex(request));
      InetSocketAddress peer = peers.get(peers.size() - 1);
      InetAddress canonical = PeerPolicy.canonical(peer.getAddress());
      int number = lastChannelNumber(request);
      Allocation.Channel channel = allocation.channel(number, now);
      require(channel != null && channel.peer().getAddress().equals(canonical)
              && channel.peer().getPort() == peer.getPort() && allocation.permitted(canonical, now),
          () -> "ChannelBind succeeded but channel " + number + " is not bound to " + peer + ": " + hex(request));
    }
  }

  /** A payload the server sends to a peer (nothing is really sent). */
  void relayed(RelaySocket relay, InetSocketAddress peer) {
    long now = rig.clock.millis();
    Allocation owner = rig.server.allocations().stream().filter(a -> a.relay == relay).findFirst().orElse(null);
    require(owner != null && owner.alive(now), () -> "relayed from a socket no live allocation holds");
    require(onLoopback(relay), () -> "relay socket not on loopback");
    require(owner.permitted(peer.getAddress(), now), () -> "relayed to " + peer + " without a permission");
    require(TurnFuzzRig.POLICY.permits(peer.getAddress()), () -> "relayed to " + peer + ", refused by policy");
    observed.relayed++;
  }

  /** Quotas and bookkeeping, after each step; permissions are counted once expired ones are swept. */
  void state(boolean swept) {
    TurnServer server = rig.server;
    int held = server.allocationCount() + server.reservationCount();
    observed.maxAllocations = Math.max(observed.maxAllocations, server.allocationCount());
    observed.maxReservations = Math.max(observed.maxReservations, server.reservationCount());
    observed.held = held;
    require(held <= TurnFuzzRig.TOTAL_QUOTA, () -> held + " allocations and reservations");
    require(server.relayPortsInUse() == held, () -> server.relayPortsInUse() + " relay ports for " + held);
    require(rig.admission.counted() <= 2 * held, () -> rig.admission.counted() + " quota counts for " + held);
    Map<String, Integer> perPeer = new HashMap<>();
    for (Allocation allocation : server.allocations()) {
      CredentialUser user = CredentialUser.parse(allocation.username);
      int count = perPeer.merge(user == null ? allocation.username : user.peerId(), 1, Integer::sum);
      require(count <= TurnFuzzRig.PEER_QUOTA, () -> count + " allocations of " + allocation.username);
      if (relays.add(allocation.relay)) {
        require(onLoopback(allocation.relay), () -> "relay socket not on loopback");
      }
      observed.maxPermissions = Math.max(observed.maxPermissions, allocation.permissionCount());
      observed.maxChannels = Math.max(observed.maxChannels, allocation.channelCount());
      require(allocation.channelCount() <= TurnFuzzRig.MAX_CHANNELS, () -> allocation.channelCount() + " channels");
      // CreatePermission stops at max-permissions live ones; each ChannelBind installs its peer's permission too,
      // capped by max-channels instead (the defaults allow 128 channels, 64 permissions): both caps bound the map
      int permissionCap = TurnFuzzRig.MAX_PERMISSIONS + TurnFuzzRig.MAX_CHANNELS;
      require(!swept || allocation.permissionCount() <= permissionCap,
          () -> allocation.permissionCount() + " permissions after a sweep");
    }
    require(WARNINGS.isEmpty(), () -> "the relay logged " + WARNINGS.get(0).getMessage() + ": "
        + WARNINGS.get(0).getThrown());
  }

  /** Once the server closed: nothing held, no quota counted, every relay socket closed. */
  void closed() {
    TurnServer server = rig.server;
    require(server.allocationCount() == 0 && server.reservationCount() == 0, () -> "allocations left after close");
    require(server.relayPortsInUse() == 0, () -> server.relayPortsInUse() + " relay ports left after close");
    require(rig.admission.counted() == 0, () -> rig.admission.counted() + " quota counts left after close");
    require(relays.stream().noneMatch(TurnFuzzChecks::isOpen), () -> "a relay socket is open after close");
    require(WARNINGS.isEmpty(), () -> "the relay logged " + WARNINGS.get(0).getMessage());
  }

  /**
   * Every XOR-PEER-ADDRESS before MESSAGE-INTEGRITY, read here independently of the server; null when one is
   * malformed.
   */
  static List<InetSocketAddress> peerAddresses(byte[] request) {
    List<InetSocketAddress> peers = new ArrayList<>();
    int end = Math.min(request.length, StunWire.HEADER + length(request));
    for (int at = StunWire.HEADER; at + 4 <= end; at += 4 + TurnFuzzInput.padded(attributeLength(request, at))) {
      int type = attributeType(request, at);
      int length = attributeLength(request, at);
      if (type == StunWire.ATTR_MESSAGE_INTEGRITY) {
        break;
      }
      if (type != StunWire.ATTR_XOR_PEER_ADDRESS) {
        continue;
      }
      int family = length >= 4 && at + 8 <= end ? request[at + 5] : 0;
      int size = family == 1 ? 4 : family == 2 ? 16 : -1;
      if (length != 4 + size || at + 4 + length > end) {
        return null;
      }
      byte[] ip = new byte[size];
      byte[] mask = Arrays.copyOfRange(request, 4, 20); // the cookie, then the transaction id
      for (int i = 0; i < size; i++) {
        ip[i] = (byte) (request[at + 8 + i] ^ mask[i]);
      }
      int port = (((request[at + 6] & 0xff) << 8) | (request[at + 7] & 0xff)) ^ 0x2112;
      try {
        peers.add(new InetSocketAddress(InetAddress.getByAddress(ip), port));
      } catch (UnknownHostException e) {
        throw new IllegalStateException(e);
      }
    }
    return peers;
  }

  private static int lastChannelNumber(byte[] request) {
    int number = -1;
    int end = Math.min(request.length, StunWire.HEADER + length(request));
    for (int at = StunWire.HEADER; at + 4 <= end; at += 4 + TurnFuzzInput.padded(attributeLength(request, at))) {
      if (attributeType(request, at) == StunWire.ATTR_MESSAGE_INTEGRITY) {
        break;
      }
      if (attributeType(request, at) == ATTR_CHANNEL_NUMBER && at + 6 <= end) {
        number = ((request[at + 4] & 0xff) << 8) | (request[at + 5] & 0xff);
      }
    }
    return number;
  }

  /** The rig's relay sockets are NIO channels (turn.io nio): bound where they say. */
  private static boolean onLoopback(RelaySocket relay) {
    try {
      DatagramChannel channel = ((NioRelaySocket) relay).channel();
      return channel.isOpen() && ((InetSocketAddress) channel.getLocalAddress()).getAddress().isLoopbackAddress();
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean isOpen(RelaySocket relay) {
    return ((NioRelaySocket) relay).channel().isOpen();
  }

  static int errorCode(byte[] answer) {
    int at = StunWire.find(answer, StunWire.ATTR_ERROR_CODE);
    return at < 0 || at + 8 > answer.length ? 0 : (answer[at + 6] & 7) * 100 + (answer[at + 7] & 0xff);
  }

  static String name(int method) {
    return switch (method) {
      case BINDING -> "Binding";
      case ALLOCATE -> "Allocate";
      case REFRESH -> "Refresh";
      case CREATE_PERMISSION -> "CreatePermission";
      case CHANNEL_BIND -> "ChannelBind";
      default -> String.format("0x%03x", method);
    };
  }

  private static int type(byte[] message) {
    return ((message[0] & 0xff) << 8) | (message[1] & 0xff);
  }

  private static int length(byte[] message) {
    return ((message[2] & 0xff) << 8) | (message[3] & 0xff);
  }

  private static int attributeType(byte[] message, int at) {
    return ((message[at] & 0xff) << 8) | (message[at + 1] & 0xff);
  }

  private static int attributeLength(byte[] message, int at) {
    return ((message[at + 2] & 0xff) << 8) | (message[at + 3] & 0xff);
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 200));
  }
}

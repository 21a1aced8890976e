package dev.switchboard.turn.allocation;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.LongAdder;

/**
 * The relay port range, per relay address. It remembers which ports it handed out, so a full range is known
 * without a system call, and it tries at most {@link #MAX_BINDS} binds per request: a port it thinks free may
 * be held by another process, and trying the whole range (thousands of binds) would stall the packet thread
 * that asked.
 */
public final class RelayPorts {
  public static final int MAX_BINDS = 8;

  /** Opens a non-blocking UDP socket on the address, or throws when it is taken. */
  @FunctionalInterface
  public interface Binder {
    RelaySocket bind(InetSocketAddress address) throws IOException;
  }

  /** Thrown when no port could be had: the caller answers 508. */
  public static final class NoPortFree extends IOException {
    NoPortFree(String message) {
      super(message);
    }
  }

  /** One bound port, and the next one when a pair was asked for. */
  public record Bound(RelaySocket socket, int port, RelaySocket next) {
  }

  public final LongAdder bindAttempts = new LongAdder();
  private final int min;
  private final int max;
  private final Binder binder;
  private final Random random;
  private final Map<InetAddress, BitSet> used = new HashMap<>();

  public RelayPorts(int min, int max, Binder binder, Random random) {
    this.min = min;
    this.max = max;
    this.binder = binder;
    this.random = random;
  }

  public RelayPorts(int min, int max) {
    this(min, max, NioRelaySocket::bind, new java.security.SecureRandom());
  }

  /**
   * A free port (an even one with {@code even}), and with {@code pair} the port after it too (RFC 8656 §7.2's
   * EVEN-PORT with R set).
   */
  public synchronized Bound bind(InetAddress ip, boolean even, boolean pair) throws IOException {
    BitSet taken = used.computeIfAbsent(ip, k -> new BitSet(max - min + 1));
    BitSet tried = new BitSet(max - min + 1);
    for (int attempt = 0; attempt < MAX_BINDS; attempt++) {
      int port = pick(taken, tried, even || pair, pair);
      if (port < 0) {
        break;
      }
      tried.set(port - min);
      RelaySocket socket = tryBind(ip, port);
      if (socket == null) {
        continue;
      }
      RelaySocket next = null;
      if (pair) {
        next = tryBind(ip, port + 1);
        if (next == null) {
          socket.close();
          continue;
        }
        taken.set(port + 1 - min);
      }
      taken.set(port - min);
      return new Bound(socket, port, next);
    }
    throw new NoPortFree("no relay port free on " + ip.getHostAddress() + " in " + min + "-" + max);
  }

  public synchronized void release(InetAddress ip, int port) {
    BitSet taken = used.get(ip);
    if (taken != null && port >= min && port <= max) {
      taken.clear(port - min);
    }
  }

  public synchronized int inUse() {
    return used.values().stream().mapToInt(BitSet::cardinality).sum();
  }

  /**
   * A port neither handed out nor tried in this request, the first one after a random place (wrapping around);
   * -1 when none is left. A scan of the bit set, no system calls.
   */
  private int pick(BitSet taken, BitSet tried, boolean even, boolean pair) {
    int span = max - min + 1;
    int start = random.nextInt(span);
    for (int round = 0; round < 2; round++) {
      int to = round == 0 ? span : start;
      for (int index = taken.nextClearBit(round == 0 ? start : 0); index < to; index = taken.nextClearBit(index + 1)) {
        int port = min + index;
        if (tried.get(index) || (even && (port & 1) == 1)) {
          continue;
        }
        if (pair && (index + 1 >= span || taken.get(index + 1) || tried.get(index + 1))) {
          continue;
        }
        return port;
      }
    }
    return -1;
  }

  private RelaySocket tryBind(InetAddress ip, int port) {
    bindAttempts.increment();
    try {
      return binder.bind(new InetSocketAddress(ip, port));
    } catch (IOException taken) {
      return null; // held by another process: try elsewhere
    }
  }
}

package dev.switchboard.load;

import dev.switchboard.load.LoadOptions.UsageError;

import java.util.ArrayList;
import java.util.List;

/**
 * The local addresses connections are made from. One source address has only about 28,000 ephemeral
 * ports (net.ipv4.ip_local_port_range), so large runs spread their sockets over several: on Linux the
 * whole 127.0.0.0/8 is local, so 127.0.0.1-127.0.0.20 needs no set-up.
 */
final class SourceAddresses {
  static final int MAX_ADDRESSES = 4096;

  private SourceAddresses() {
  }

  /** {@code 20} (127.0.0.1 to 127.0.0.20), {@code 127.0.0.1-127.0.0.20}, or a comma-separated list. */
  static List<String> parse(String value) {
    String v = value.trim();
    if (v.matches("\\d{1,4}")) {
      int count = Integer.parseInt(v);
      if (count < 1 || count > 254) {
        throw new UsageError("--source-ips count must be between 1 and 254, found: " + value);
      }
      return range(ipv4("127.0.0.1"), ipv4("127.0.0." + count), value);
    }
    if (v.contains("-")) {
      String[] ends = v.split("-", 2);
      return range(ipv4(ends[0].trim()), ipv4(ends[1].trim()), value);
    }
    List<String> list = new ArrayList<>();
    for (String part : v.split(",")) {
      list.add(format(ipv4(part.trim())));
    }
    return List.copyOf(list);
  }

  private static List<String> range(long from, long to, String value) {
    if (to < from || to - from >= MAX_ADDRESSES) {
      throw new UsageError("--source-ips range must go upwards and hold at most " + MAX_ADDRESSES + " addresses, found: " + value);
    }
    List<String> list = new ArrayList<>();
    for (long a = from; a <= to; a++) {
      list.add(format(a));
    }
    return List.copyOf(list);
  }

  private static long ipv4(String text) {
    String[] octets = text.split("\\.");
    if (octets.length != 4) {
      throw new UsageError("--source-ips needs IPv4 addresses (a.b.c.d), a range a.b.c.d-a.b.c.e or a count, found: " + text);
    }
    long value = 0;
    for (String octet : octets) {
      if (!octet.matches("\\d{1,3}") || Integer.parseInt(octet) > 255) {
        throw new UsageError("--source-ips: not an IPv4 address: " + text);
      }
      value = value << 8 | Integer.parseInt(octet);
    }
    return value;
  }

  private static String format(long a) {
    return (a >> 24 & 255) + "." + (a >> 16 & 255) + "." + (a >> 8 & 255) + "." + (a & 255);
  }
}

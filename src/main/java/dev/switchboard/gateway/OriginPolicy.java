package dev.switchboard.gateway;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which browser origins may open a socket (cross-site WebSocket hijacking guard). Requests without an
 * Origin header come from native clients, which the browser's same-origin rules do not concern.
 */
public final class OriginPolicy {
  private static final Set<String> LOCAL_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

  private final Set<String> allowed;
  private final boolean allowLocalhost;

  public OriginPolicy(List<String> allowedOrigins, boolean allowLocalhost) {
    this.allowed = allowedOrigins.stream().map(OriginPolicy::normalise).collect(Collectors.toUnmodifiableSet());
    this.allowLocalhost = allowLocalhost;
  }

  /**
   * @param origin the Origin header, or null
   * @param host   the Host header of the request (what the browser connected to)
   */
  public boolean allows(String origin, String host) {
    if (origin == null) {
      return true;
    }
    String normalised = normalise(origin);
    if (allowed.contains(normalised)) {
      return true;
    }
    URI uri;
    try {
      uri = URI.create(normalised);
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (uri.getHost() == null || uri.getScheme() == null) {
      return false;
    }
    String authority = uri.getRawAuthority();
    if (host != null && authority.equalsIgnoreCase(host)) {
      return true;
    }
    return allowLocalhost && LOCAL_HOSTS.contains(uri.getHost().toLowerCase(Locale.ROOT));
  }

  private static String normalise(String origin) {
    String trimmed = origin.trim().toLowerCase(Locale.ROOT);
    return trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
  }
}

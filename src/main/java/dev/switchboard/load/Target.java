package dev.switchboard.load;

import dev.switchboard.auth.TokenExtractor;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.SocketAddress;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where the sockets go and how they are opened: one WebSocket client per local source address (each
 * bound with {@code setLocalAddress}, so each has its own ephemeral port range), the socket URL with
 * {@code vsn=2.0.0}, the token offered as phoenix.js offers it, and the Origin header only when asked for.
 */
final class Target {
  private static final int CONNECT_TIMEOUT_MS = 30_000;

  private final List<WebSocketClient> clients = new ArrayList<>();
  private final String host;
  private final int port;
  private final boolean ssl;
  private final String uri;
  private final String origin;
  /** The host's address, resolved once: a blocking lookup per connect would stall the event loops. */
  private final SocketAddress server;

  Target(Vertx vertx, LoadOptions options) {
    this(vertx, options, options.url());
  }

  /** Sockets to another URL with the same options (--span-url). */
  Target(Vertx vertx, LoadOptions options, URI url) {
    this.ssl = "wss".equalsIgnoreCase(url.getScheme());
    this.host = url.getHost();
    this.port = url.getPort() > 0 ? url.getPort() : ssl ? 443 : 80;
    this.uri = pathWithVersion(url);
    this.origin = options.origin();
    this.server = resolve(host, port);
    List<String> sources = options.sourceIps().isEmpty() ? java.util.Collections.singletonList(null) : options.sourceIps();
    for (String source : sources) {
      WebSocketClientOptions clientOptions = new WebSocketClientOptions()
          // the pool would otherwise queue all but a few sockets per server: every socket here is its own connection
          .setMaxConnections(Integer.MAX_VALUE)
          .setConnectTimeout(CONNECT_TIMEOUT_MS)
          .setMaxFrameSize(1 << 20)
          .setMaxMessageSize(1 << 20)
          .setSsl(ssl)
          .setTcpNoDelay(true);
      if (source != null) {
        clientOptions.setLocalAddress(source);
      }
      if (ssl && options.insecure()) {
        // Caddy's local CA (scripts/cluster.sh) or any self-signed certificate: encrypted, not authenticated
        clientOptions.setTrustAll(true).setVerifyHost(false);
      }
      clients.add(vertx.createWebSocketClient(clientOptions));
    }
  }

  /** The client of the peer with this index: peers are spread over the source addresses in turn. */
  WebSocketClient client(long index) {
    return clients.get((int) (index % clients.size()));
  }

  WebSocketConnectOptions connectOptions(String token) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(host).setPort(port).setSsl(ssl).setURI(uri)
        .setTimeout(CONNECT_TIMEOUT_MS).setConnectTimeout(CONNECT_TIMEOUT_MS)
        // Host header and TLS name stay the URL's host; the connection goes to the address resolved at start
        // a native client sends no Origin (the server's Origin check is for browsers), unless --origin says otherwise
        .setAllowOriginHeader(origin != null);
    if (server != null) {
      options.setServer(server);
    }
    if (origin != null) {
      options.addHeader("Origin", origin);
    }
    if (token != null) {
      // as phoenix.js 1.8 with authToken: "phoenix" plus the token in a subprotocol (browsers cannot send headers)
      options.addSubProtocol("phoenix");
      options.addSubProtocol(TokenExtractor.SUBPROTOCOL_PREFIX
          + Base64.getUrlEncoder().withoutPadding().encodeToString(token.getBytes(StandardCharsets.UTF_8)));
    }
    return options;
  }

  String describe() {
    return (ssl ? "wss://" : "ws://") + host + ":" + port + uri;
  }

  void close() {
    for (WebSocketClient client : clients) {
      try {
        client.close().await(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        // closing at exit: the process ends anyway
      }
    }
  }

  /** Null when the name does not resolve now: each connect then tries again (and reports the failure). */
  private static SocketAddress resolve(String host, int port) {
    try {
      return SocketAddress.inetSocketAddress(port, InetAddress.getByName(host).getHostAddress());
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** The URL's path and query, with {@code vsn=2.0.0} added when the query does not name a version. */
  static String pathWithVersion(URI url) {
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/socket/websocket" : url.getRawPath();
    String query = url.getRawQuery();
    if (query == null || query.isEmpty()) {
      return path + "?vsn=2.0.0";
    }
    return query.matches("(.*&)?vsn=.*") ? path + "?" + query : path + "?" + query + "&vsn=2.0.0";
  }
}

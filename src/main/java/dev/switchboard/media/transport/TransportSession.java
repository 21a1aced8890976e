package dev.switchboard.media.transport;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One participant's transport on the node's port: its ICE agent, the 5-tuples bound to it (in the order they were
 * bound, at most the registry's cap) and the handler that gets its DTLS and media. Made by
 * {@link TransportSessions#register}; packet thread only, like the registry.
 */
public final class TransportSession {
  private final TransportSessions registry;
  final IceLite ice;
  final TransportHandler handler;
  final ArrayDeque<InetSocketAddress> addresses = new ArrayDeque<>();
  /** The local ufrags the registry routes to this session: the current one and, after a restart, the previous. */
  final Set<String> ufrags = new TreeSet<>();
  boolean open = true;

  TransportSession(TransportSessions registry, IceLite ice, TransportHandler handler) {
    this.registry = registry;
    this.ice = ice;
    this.handler = handler;
  }

  public IceCredentials local() {
    return ice.local();
  }

  public IceCredentials remote() {
    return ice.remote();
  }

  /** The browser's credentials became known (its answer to a server offer). */
  public void remote(IceCredentials remote) {
    ice.remote(remote);
  }

  /** The nominated remote address media goes to, or null (not nominated yet, or consent lost). */
  public InetSocketAddress selected() {
    return ice.selected();
  }

  /** The remote addresses bound to this session, oldest first. */
  public List<InetSocketAddress> addresses() {
    return new ArrayList<>(addresses);
  }

  public boolean isOpen() {
    return open;
  }

  /**
   * Sends to the selected address, or before a nomination to the latest address that passed a check (see
   * {@link IceLite#destination}); copied, never blocks.
   *
   * @return false, sending nothing, when the session is closed or has nowhere with consent to send to
   */
  public boolean send(byte[] buf, int off, int len) {
    InetSocketAddress to = open ? ice.destination(registry.millis.getAsLong()) : null;
    if (to == null) {
      return false;
    }
    registry.sink.send(to, buf, off, len);
    return true;
  }

  /**
   * ICE restart (see {@link IceLite#restart}): checks with the new local ufrag route here from now on, with the
   * previous one until the browser uses the new one.
   *
   * @return the new local credentials, for the new description
   */
  public IceCredentials restart(IceCredentials newRemote) {
    return registry.restart(this, newRemote);
  }
}

package dev.switchboard.cluster;

import io.vertx.core.Completable;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxBootstrap;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.shareddata.Counter;
import io.vertx.core.shareddata.Lock;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.NodeListener;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.core.spi.cluster.RegistrationListener;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Hazelcast's cluster manager, counting the event-bus consumers this node registers. Every consumer of a
 * clustered event bus passes through {@link #addRegistration}: a cluster-wide one becomes an entry of
 * Vert.x's subscription multimap in Hazelcast (stored on its partition's owner and backup, announced to
 * every member's entry listener), a local one ({@code localOnly}) stays in the node. Capacity runs read
 * the counts per address family from {@code /metrics} to see what one peer or room costs the cluster. It also
 * counts this node's lookups of addresses' consumers ({@link #lookups}).
 * Everything else is passed through unchanged.
 */
public final class CountingClusterManager implements ClusterManager {
  private final HazelcastClusterManager hazelcast;
  private final Function<String, String> family;
  private final Map<String, LongAdder> clustered = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> local = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> lookups = new ConcurrentHashMap<>();

  /** @param family names the family of an address (a closed set: it becomes a metric tag) */
  public CountingClusterManager(HazelcastClusterManager hazelcast, Function<String, String> family) {
    this.hazelcast = hazelcast;
    this.family = family;
  }

  public HazelcastClusterManager hazelcast() {
    return hazelcast;
  }

  /** Consumers registered by this node and not yet removed, by address family; cluster-wide or local ones. */
  public long registrations(String addressFamily, boolean clusterWide) {
    LongAdder count = (clusterWide ? clustered : local).get(addressFamily);
    return count == null ? 0 : count.sum();
  }

  /** Every family seen so far (they stay, at zero, once their consumers are gone). */
  public java.util.Set<String> families(boolean clusterWide) {
    return (clusterWide ? clustered : local).keySet();
  }

  /** Counts the family up front (so a gauge for it can be registered before any consumer exists). */
  public void track(String addressFamily) {
    clustered.computeIfAbsent(addressFamily, f -> new LongAdder());
    local.computeIfAbsent(addressFamily, f -> new LongAdder());
  }

  @Override
  public void addRegistration(String address, RegistrationInfo info, Completable<Void> completion) {
    Promise<Void> done = Promise.promise();
    done.future().onSuccess(v -> count(address, info, 1));
    done.future().onComplete(completion);
    hazelcast.addRegistration(address, info, done);
  }

  @Override
  public void removeRegistration(String address, RegistrationInfo info, Completable<Void> completion) {
    // counted at once: the consumer is gone for this node whether or not Hazelcast confirms the removal
    count(address, info, -1);
    hazelcast.removeRegistration(address, info, completion);
  }

  private void count(String address, RegistrationInfo info, int delta) {
    (info.localOnly() ? local : clustered).computeIfAbsent(family.apply(address), f -> new LongAdder()).add(delta);
  }

  @Override
  public void init(VertxBootstrap bootstrap) {
    hazelcast.init(bootstrap);
  }

  @Override
  public void init(Vertx vertx) {
    hazelcast.init(vertx);
  }

  @Override
  public <K, V> void getAsyncMap(String name, Completable<AsyncMap<K, V>> promise) {
    hazelcast.getAsyncMap(name, promise);
  }

  @Override
  public <K, V> Map<K, V> getSyncMap(String name) {
    return hazelcast.getSyncMap(name);
  }

  @Override
  public void getLockWithTimeout(String name, long timeout, Completable<Lock> promise) {
    hazelcast.getLockWithTimeout(name, timeout, promise);
  }

  @Override
  public void getCounter(String name, Completable<Counter> promise) {
    hazelcast.getCounter(name, promise);
  }

  @Override
  public void nodeListener(NodeListener listener) {
    hazelcast.nodeListener(listener);
  }

  @Override
  public void setNodeInfo(NodeInfo nodeInfo, Completable<Void> promise) {
    hazelcast.setNodeInfo(nodeInfo, promise);
  }

  @Override
  public void join(Completable<Void> promise) {
    hazelcast.join(promise);
  }

  @Override
  public void leave(Completable<Void> promise) {
    hazelcast.leave(promise);
  }

  @Override
  public boolean isActive() {
    return hazelcast.isActive();
  }

  @Override
  public void registrationListener(RegistrationListener listener) {
    hazelcast.registrationListener(listener);
  }

  @Override
  public String clusterHost() {
    return hazelcast.clusterHost();
  }

  @Override
  public String clusterPublicHost() {
    return hazelcast.clusterPublicHost();
  }

  @Override
  public String getNodeId() {
    return hazelcast.getNodeId();
  }

  /**
   * Lookups of an address's cluster-wide consumers this node made, by address family: Vert.x asks the first time
   * this node sends or publishes to an address (a blocking Hazelcast multimap read on the worker pool) and keeps
   * the answer current from then on.
   */
  public long lookups(String addressFamily) {
    LongAdder count = lookups.get(addressFamily);
    return count == null ? 0 : count.sum();
  }

  @Override
  public void getRegistrations(String address, Completable<List<RegistrationInfo>> promise) {
    lookups.computeIfAbsent(family.apply(address), f -> new LongAdder()).increment();
    hazelcast.getRegistrations(address, promise);
  }

  @Override
  public NodeInfo getNodeInfo() {
    return hazelcast.getNodeInfo();
  }

  @Override
  public void getNodeInfo(String nodeId, Completable<NodeInfo> promise) {
    hazelcast.getNodeInfo(nodeId, promise);
  }

  @Override
  public List<String> getNodes() {
    return hazelcast.getNodes();
  }
}

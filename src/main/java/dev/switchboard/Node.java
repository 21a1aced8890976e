package dev.switchboard;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.gateway.GatewayVerticle;
import dev.switchboard.gateway.IceServers;
import dev.switchboard.room.InMemoryRoomStore;
import dev.switchboard.room.RoomRegistryVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One Switchboard node inside a Vert.x instance: the registry, then the gateway instances. Stopping
 * undeploys the gateways first, so every peer leaves its rooms while the registry still answers.
 */
public final class Node {
  private final Vertx vertx;
  private final SwitchboardConfig config;
  private final List<GatewayVerticle> gateways = new CopyOnWriteArrayList<>();
  private String registryDeployment;
  private String gatewayDeployment;

  private Node(Vertx vertx, SwitchboardConfig config) {
    this.vertx = vertx;
    this.config = config;
  }

  public static Future<Node> start(Vertx vertx, SwitchboardConfig config) {
    Node node = new Node(vertx, config);
    return vertx.deployVerticle(new RoomRegistryVerticle(new InMemoryRoomStore(), config.rooms().maxPeers()))
        .compose(id -> {
          node.registryDeployment = id;
          return vertx.deployVerticle(() -> {
            GatewayVerticle gateway = new GatewayVerticle(config, IceServers.NONE);
            node.gateways.add(gateway);
            return gateway;
          }, new DeploymentOptions().setInstances(config.http().instances()));
        })
        .map(id -> {
          node.gatewayDeployment = id;
          return node;
        });
  }

  public Future<Void> stop() {
    Future<Void> gatewaysDown = gatewayDeployment == null ? Future.succeededFuture()
        : vertx.undeploy(gatewayDeployment);
    return gatewaysDown.compose(v -> registryDeployment == null ? Future.succeededFuture()
        : vertx.undeploy(registryDeployment));
  }

  public SwitchboardConfig config() {
    return config;
  }

  public int httpPort() {
    return gateways.get(0).port();
  }

  public int socketCount() {
    return gateways.stream().mapToInt(GatewayVerticle::socketCount).sum();
  }
}

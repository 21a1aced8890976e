package dev.switchboard.bench;

import dev.switchboard.support.ExternalProcess;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Load client for scripts/bench-signaling.sh (not a test): runs one phase against a node in another
 * process and prints its figures.
 *
 * <pre>SignalingBench rtt &lt;target&gt; [port-of-B] | throughput &lt;target&gt; [node-pid] | memory &lt;port&gt; &lt;node-pid&gt; [sockets at each step, e.g. 1000,5000,10000,19000]
 * | reap &lt;port&gt; &lt;other-port&gt; &lt;other-pid&gt; | idle &lt;target&gt; &lt;sockets&gt;</pre>
 *
 * <p>The target is a port on 127.0.0.1, or the URL of any server speaking the same protocol (a Phoenix server:
 * {@code ws://127.0.0.1:4000/socket/websocket}). The client reads the server's frames without building JSON
 * trees (a head scan), so that on a machine it shares with the server it takes as little CPU as it can; each
 * phase prints a {@code RESULT key=value ...} line for scripts/bench-signaling.sh.
 */
public final class SignalingBench {
  /** The body of every throughput signal, as JSON text. */
  private static final String CANDIDATE = "\"candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host\"";
  private final Vertx vertx = Vertx.vertx();
  private final WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
      .setMaxConnections(50_000).setConnectTimeout(30_000));
  private final String host;
  private final int port;
  private final String path;

  private SignalingBench(String target) {
    if (target.matches("\\d+")) {
      host = "127.0.0.1";
      port = Integer.parseInt(target);
      path = "/socket/websocket";
    } else {
      java.net.URI uri = java.net.URI.create(target);
      host = uri.getHost();
      port = uri.getPort() > 0 ? uri.getPort() : 80;
      path = uri.getPath() == null || uri.getPath().isEmpty() ? "/socket/websocket" : uri.getPath();
    }
  }

  public static void main(String[] args) throws Exception {
    SignalingBench bench = new SignalingBench(args[1]);
    try {
      switch (args[0]) {
        case "rtt" -> bench.roundTrip(10_000, 20_000, args.length > 2 ? Integer.parseInt(args[2]) : bench.port);
        case "reap" -> bench.reap(Integer.parseInt(args[2]), Long.parseLong(args[3]));
        case "throughput" -> bench.throughput(Integer.parseInt(System.getProperty("pairs", "50")),
            Integer.parseInt(System.getProperty("seconds", "10")), Integer.parseInt(System.getProperty("warmup", "10")),
            args.length > 2 ? Long.parseLong(args[2]) : -1);
        case "memory" -> bench.memory(Arrays.stream((args.length > 3 ? args[3]
                : System.getProperty("sockets", "1000,5000,10000,19000")).split(","))
            .mapToInt(Integer::parseInt).toArray(), Long.parseLong(args[2]), Integer.getInteger("hold", 0));
        case "idle" -> bench.idle(Integer.parseInt(args[2]));
        default -> throw new IllegalArgumentException(args[0]);
      }
    } finally {
      bench.vertx.close().await(60, TimeUnit.SECONDS); // 19,000 sockets of the memory phase take a while
    }
  }

  /** One connected, joined peer driven by callbacks on its event loop. */
  private final class Peer {
    int port = SignalingBench.this.port;
    Runnable onLeft = () -> { };
    WebSocket ws;
    io.vertx.core.Context context;
    String id;
    String roomJoinRef = "1";
    String room;
    long ref = 10;
    /** A relayed signal's whole frame text. */
    Consumer<String> onSignal = f -> { };
    /** Whether a reply to one of this peer's pushes said ok. */
    Consumer<Boolean> onReply = ok -> { };
    String roomTopic;

    Future<Peer> enter(String room) {
      this.room = room;
      this.roomTopic = "\"room:" + room + "\"";
      Promise<Peer> entered = Promise.promise();
      WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(host).setPort(port)
          .setURI(path + "?vsn=2.0.0");
      client.connect(options).onFailure(entered::tryFail).onSuccess(socket -> {
        ws = socket;
        context = Vertx.currentContext();
        socket.textMessageHandler(text -> {
          String[] head = FrameHead.read(text);
          String event = head[3];
          if (event.startsWith("signal:")) {
            onSignal.accept(text);
          } else if ("phx_reply".equals(event) && "1".equals(head[1])) {
            id = new JsonArray(text).getJsonObject(4).getJsonObject("response").getString("peer_id");
            socket.writeTextMessage(new JsonArray().add("2").add("2").add("peer:" + id).add("phx_join")
                .add(new JsonObject()).encode());
          } else if ("phx_reply".equals(event) && "2".equals(head[1])) {
            entered.tryComplete(this);
          } else if ("peer:left".equals(event)) {
            onLeft.run();
          } else if ("phx_reply".equals(event)) {
            onReply.accept(text.contains("\"status\":\"ok\""));
          }
        });
        socket.writeTextMessage(new JsonArray().add("1").add("1").add("room:" + room).add("phx_join")
            .add(new JsonObject()).encode());
      });
      return entered.future();
    }

    /** {@code body}: JSON text. */
    void signal(String to, String body) {
      ws.writeTextMessage("[\"" + roomJoinRef + "\",\"" + ref++ + "\"," + roomTopic
          + ",\"signal:candidate\",{\"to\":\"" + to + "\",\"body\":" + body + "}]");
    }

    void heartbeatFromAnyThread() {
      context.runOnContext(v -> heartbeat());
    }

    void heartbeat() {
      ws.writeTextMessage(new JsonArray().addNull().add(String.valueOf(ref++)).add("phoenix").add("heartbeat")
          .add(new JsonObject()).encode());
    }
  }

  private Peer[] pair(String room) throws Exception {
    return pair(room, port);
  }

  /** A on this bench's node, B on the node at {@code portB} (the same node unless clustered). */
  private Peer[] pair(String room, int portB) throws Exception {
    Peer a = new Peer();
    Peer b = new Peer();
    b.port = portB;
    a.enter(room).await(30, TimeUnit.SECONDS);
    b.enter(room).await(30, TimeUnit.SECONDS);
    return new Peer[] {a, b};
  }

  /** A on this node, B on another; the other node is killed (SIGKILL): how long until A hears peer:left. */
  private void reap(int otherPort, long otherPid) throws Exception {
    Peer[] p = pair("reap", otherPort);
    Promise<Long> left = Promise.promise();
    p[0].onLeft = () -> left.tryComplete(System.nanoTime());
    long killed = System.nanoTime();
    ExternalProcess.run(Duration.ofSeconds(10), "kill", "-9", String.valueOf(otherPid));
    long at = left.future().await(60, TimeUnit.SECONDS);
    System.out.printf("dead node reaped: peer:left reached the surviving node's client %.0f ms after kill -9%n",
        (at - killed) / 1e6);
  }

  /** A→B→A over an otherwise idle node, one signal in flight at a time. */
  private void roundTrip(int warmup, int samples, int portB) throws Exception {
    Peer[] p = pair("rtt", portB);
    Peer a = p[0];
    Peer b = p[1];
    b.onSignal = f -> b.signal(a.id, new JsonArray(f).getJsonObject(4).getValue("body").toString());
    long[] rtts = new long[warmup + samples];
    Promise<Void> done = Promise.promise();
    int[] i = {0};
    long[] sentAt = {0};
    a.onSignal = f -> {
      rtts[i[0]++] = System.nanoTime() - sentAt[0];
      if (i[0] == rtts.length) {
        done.complete();
      } else {
        sentAt[0] = System.nanoTime();
        a.signal(b.id, String.valueOf(i[0]));
      }
    };
    a.context.runOnContext(v -> {
      sentAt[0] = System.nanoTime();
      a.signal(b.id, "0");
    });
    done.future().await(120, TimeUnit.SECONDS);
    long[] measured = Arrays.copyOfRange(rtts, warmup, rtts.length);
    Arrays.sort(measured);
    System.out.printf("signal round trip A->B->A (%s) over %d samples: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms%n",
        portB == port ? "same node" : "A and B on different nodes", samples, ms(measured, 0.50), ms(measured, 0.90), ms(measured, 0.99), measured[measured.length - 1] / 1e6);
    System.out.printf("RESULT rtt_p50_ms=%.3f rtt_p99_ms=%.3f%n", ms(measured, 0.50), ms(measured, 0.99));
  }

  private static double ms(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))] / 1e6;
  }

  /** Senders keep a window of unanswered pushes full; delivered signals are counted at the receivers. */
  /**
   * Targeted signals between the two peers of each pair, both ways (as in a call, every peer sends and
   * receives), each peer keeping {@code window / 2} signals unanswered. With the node's pid, also the
   * node's CPU over the measured window: signals per node CPU-second.
   */
  private void throughput(int pairs, int seconds, int warmupSeconds, long nodePid) throws Exception {
    int window = 100;
    List<Peer[]> all = new ArrayList<>();
    for (int i = 0; i < pairs; i++) {
      all.add(pair("tp-" + i));
    }
    AtomicLong delivered = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    for (Peer[] p : all) {
      for (int side = 0; side < 2; side++) {
        Peer sender = p[side];
        Peer receiver = p[1 - side];
        sender.onSignal = f -> delivered.incrementAndGet();
        sender.onReply = ok -> {
          if (!ok) {
            refused.incrementAndGet();
          }
          sender.signal(receiver.id, CANDIDATE);
        };
        sender.context.runOnContext(v -> {
          for (int w = 0; w < window / 2; w++) {
            sender.signal(receiver.id, CANDIDATE);
          }
        });
      }
    }
    Thread.sleep(warmupSeconds * 1000L); // until the JIT is done with the hot path
    long start = delivered.get();
    long cpu0 = nodePid > 0 ? cpuTicks(nodePid) : 0;
    long self0 = cpuTicks(ProcessHandle.current().pid());
    long t0 = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    long count = delivered.get() - start;
    double elapsed = (System.nanoTime() - t0) / 1e9;
    double clientCpu = (cpuTicks(ProcessHandle.current().pid()) - self0) / 100.0;
    System.out.printf("targeted signal relay: %d pairs both ways, window %d per pair, %.0f signals/s delivered (%d in %.1f s after %d s"
        + " warm-up), refused %d; load client CPU %.1f s%n", pairs, window, count / elapsed, count, elapsed,
        warmupSeconds, refused.get(), clientCpu);
    double nodeCpu = nodePid > 0 ? (cpuTicks(nodePid) - cpu0) / 100.0 : 0;
    if (nodePid > 0) {
      System.out.printf("node CPU over the window: %.1f s (%.2f cores): %.0f signals per node CPU-second%n",
          nodeCpu, nodeCpu / elapsed, count / nodeCpu);
    }
    System.out.printf("RESULT signals_per_s=%.0f refused=%d client_cores=%.2f node_cores=%.2f node_cpu_us_per_signal=%.2f%n",
        count / elapsed, refused.get(), clientCpu / elapsed, nodeCpu / elapsed, nodeCpu * 1e6 / Math.max(1, count));
  }

  /**
   * Holds {@code sockets} joined sockets (rooms of 5, each socket also on its peer topic) for a scaling run until
   * the process is killed: they send nothing but a heartbeat every 25 s each, spread over the 25 s.
   */
  private void idle(int sockets) throws Exception {
    List<Future<Peer>> entering = new ArrayList<>();
    List<Peer> peers = new ArrayList<>();
    for (int i = 0; i < sockets; i++) {
      Peer peer = new Peer();
      peers.add(peer);
      entering.add(peer.enter("idle-" + (i / 5)));
      if (i % 200 == 199) {
        Future.all(entering).await(120, TimeUnit.SECONDS);
        entering.clear();
      }
    }
    Future.all(entering).await(120, TimeUnit.SECONDS);
    System.out.printf("idle sockets ready: %d joined in %d rooms%n", sockets, (sockets + 4) / 5);
    System.out.flush();
    long perSocketMillis = Math.max(1, 25_000 / Math.max(1, sockets));
    int[] next = {0};
    vertx.setPeriodic(perSocketMillis, t -> peers.get(next[0]++ % peers.size()).heartbeatFromAnyThread());
    Thread.sleep(Long.MAX_VALUE);
  }

  /**
   * Idle sockets each joined to a room (rooms of 5) and to their own peer topic, heartbeating every 30 s as
   * phoenix.js does, added step by step up to each count of {@code steps}. At every step, after a full GC of the
   * node: (RSS now - RSS with no socket) / sockets, and the same for the live heap. {@code holdSeconds}
   * ({@code -Dhold}) keeps the last step's sockets open (heartbeating) before its figures, to see whether RSS
   * stays put or is returned.
   */
  private void memory(int[] steps, long nodePid, int holdSeconds) throws Exception {
    // -Dgc=false: the node's RSS as its collector leaves it, without the full GC before each figure
    boolean forcedGc = Boolean.parseBoolean(System.getProperty("gc", "true"));
    System.out.println("node JVM: " + nodeJvmOptions(nodePid));
    gc(nodePid);
    Thread.sleep(1000);
    long rss0 = rssKb(nodePid);
    long heap0 = heapUsedKb(nodePid);
    System.out.printf("no socket: node RSS %.1f MB, live heap %.1f MB%n", rss0 / 1024.0, heap0 / 1024.0);
    List<Peer> peers = new ArrayList<>();
    long heartbeats = vertx.setPeriodic(30_000, t -> {
      List<Peer> all;
      synchronized (peers) {
        all = List.copyOf(peers);
      }
      for (Peer peer : all) {
        if (peer.context != null) {
          peer.context.runOnContext(v -> peer.heartbeat());
        }
      }
    });
    for (int target : steps) {
      List<Future<Peer>> entering = new ArrayList<>();
      long t0 = System.nanoTime();
      int added = target - peers.size();
      while (peers.size() < target) {
        Peer peer = new Peer();
        entering.add(peer.enter("mem-" + (peers.size() / 5)));
        synchronized (peers) {
          peers.add(peer);
        }
        if (entering.size() == 200) {
          Future.all(entering).await(60, TimeUnit.SECONDS);
          entering.clear();
        }
      }
      Future.all(entering).await(60, TimeUnit.SECONDS);
      double joinSeconds = (System.nanoTime() - t0) / 1e9;
      if (target == steps[steps.length - 1] && holdSeconds > 0) {
        Thread.sleep(holdSeconds * 1000L);
      }
      Thread.sleep(2000);
      if (forcedGc) {
        gc(nodePid);
        Thread.sleep(1000);
      }
      long rss = rssKb(nodePid);
      long heap = heapUsedKb(nodePid);
      System.out.printf("%,6d idle joined sockets: RSS %.0f MB, %.2f KB per socket; %s %.0f MB, %.2f KB per"
              + " socket (%s; %d sockets connected and joined in %.1f s)%n", target, rss / 1024.0,
          (rss - rss0) / (double) target, forcedGc ? "live heap" : "heap used", heap / 1024.0,
          (heap - heap0) / (double) target, forcedGc ? "after a full GC" : "no GC forced", added, joinSeconds);
    }
    vertx.cancelTimer(heartbeats);
    String histogram = System.getProperty("histogram");
    if (histogram != null) {
      // which classes the sockets cost: jcmd's live-object histogram while all of them are still joined
      ExternalProcess.run(new ProcessBuilder("jcmd", String.valueOf(nodePid), "GC.class_histogram")
          .redirectErrorStream(true).redirectOutput(new java.io.File(histogram)), Duration.ofSeconds(60));
    }
    String heapDump = System.getProperty("heapdump");
    if (heapDump != null) {
      // for paths from the GC roots to what the sockets keep (jcmd writes only live objects)
      ExternalProcess.run(Duration.ofSeconds(120), "jcmd", String.valueOf(nodePid), "GC.heap_dump", heapDump);
    }
  }

  /** The node's JVM options as it was started (its command line up to -jar), and its collector. */
  private static String nodeJvmOptions(long pid) throws Exception {
    String[] args = Files.readString(Path.of("/proc/" + pid + "/cmdline")).split("\\u0000");
    List<String> options = new ArrayList<>();
    for (int i = 1; i < args.length && !"-jar".equals(args[i]) && !"-cp".equals(args[i]); i++) {
      options.add(args[i]);
    }
    String flags = ExternalProcess.run(Duration.ofSeconds(30), "jcmd", String.valueOf(pid), "VM.flags").output();
    java.util.regex.Matcher gc = java.util.regex.Pattern.compile("-XX:\\+Use(\\w+GC)").matcher(flags);
    java.util.regex.Matcher max = java.util.regex.Pattern.compile("-XX:MaxHeapSize=(\\d+)").matcher(flags);
    return (options.isEmpty() ? "(defaults)" : String.join(" ", options)) + "; collector " + (gc.find() ? gc.group(1) : "?")
        + ", max heap " + (max.find() ? Long.parseLong(max.group(1)) >> 20 : -1) + " MB";
  }

  private static void gc(long pid) throws Exception {
    ExternalProcess.run(Duration.ofSeconds(30), "jcmd", String.valueOf(pid), "GC.run");
  }

  /** Live heap from jcmd GC.heap_info: the "used" of every generation (G1 has one line, Serial two). */
  private static long heapUsedKb(long pid) throws Exception {
    String heapInfo = ExternalProcess.run(Duration.ofSeconds(30), "jcmd", String.valueOf(pid), "GC.heap_info").output();
    long used = 0;
    for (String line : heapInfo.split("\n")) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("used (\\d+)K").matcher(line);
      if (!line.trim().startsWith("Metaspace") && !line.trim().startsWith("class space") && m.find()) {
        used += Long.parseLong(m.group(1));
      }
    }
    return used;
  }

  /** utime + stime of a process, in clock ticks (100 per second on Linux). */
  private static long cpuTicks(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  private static long rssKb(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no VmRSS for " + pid);
  }
}

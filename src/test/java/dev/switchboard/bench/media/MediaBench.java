package dev.switchboard.bench.media;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.switchboard.media.client.MediaClient;
import dev.switchboard.media.client.ReceiverStats;
import dev.switchboard.media.client.Vp8Publisher;

/**
 * Load client of scripts/bench-media.sh (not a test): one scenario against one SFU in another process, then one
 * {@code RESULT} line with its figures. Publishers send synthetic VP8 ({@link Vp8Publisher}: fixed frame rate and
 * bitrate, a keyframe every few seconds, the send time in every payload); every receiver counts what it gets per
 * stream. After all expected streams flow and a warm-up, one measured window: forwarded packets (received by all
 * receivers), loss (sequence gaps per stream), one-way latency through the SFU (send time in the payload against
 * the receive time, same host clock), and the SFU process's CPU time (/proc/&lt;pid&gt;/stat) and RSS.
 *
 * <pre>MediaBench switchboard &lt;http-port&gt; | janus &lt;api-url&gt;   fanout &lt;subscribers&gt; | mesh &lt;participants&gt;
 *   -Dpid=&lt;sfu pid&gt; -Dseconds=20 -Dwarmup=8 -Dfps=30 -Dbitrate=1000000 -Dkeyframe-seconds=2 -Dhz=100</pre>
 */
public final class MediaBench {
  private static final long FIRST_SSRC = 0x5000_0000L;

  private MediaBench() {
  }

  public static void main(String[] args) throws Exception {
    String sfuName = args[0];
    boolean mesh = args[2].equals("mesh");
    int count = Integer.parseInt(args[3]);
    int publishers = mesh ? count : 1;
    Run run = new Run(Integer.getInteger("fps", 30), Integer.getInteger("bitrate", 1_000_000),
        Integer.getInteger("keyframe-seconds", 2), Integer.getInteger("warmup", 8), Integer.getInteger("seconds", 20),
        Long.getLong("pid", -1), Integer.getInteger("hz", 100));
    try (SfuUnderTest sfu = sfuName.equals("janus") ? new JanusSfu(URI.create(args[1]), 1234, publishers,
        InetAddress.getByName(System.getProperty("janus-client-ip", "127.0.0.1")))
        : new SwitchboardSfu(Integer.parseInt(args[1]), "bench")) {
      Figures figures = run.measure(sfu, publishers, mesh ? count : count + 1);
      System.out.printf("RESULT sfu=%s scenario=%s-%d %s%n", sfuName, args[2], count, figures.line());
    }
    System.exit(0); // daemon reader threads and HTTP clients: end now that the line is out
  }

  record Run(int fps, int bitrate, int keyframeSeconds, int warmupSeconds, int seconds, long pid, int hz) {
    /** Participants 0..publishers-1 publish; every participant but a lone publisher receives. */
    Figures measure(SfuUnderTest sfu, int publishers, int participants) throws Exception {
      List<ReceiveTally> tallies = new ArrayList<>();
      List<MediaClient> senders = new ArrayList<>();
      long idleRssKb = rssKb(pid);
      long setupStart = System.nanoTime();
      for (int i = 0; i < participants; i++) {
        tallies.add(new ReceiveTally());
      }
      for (int i = 0; i < publishers; i++) {
        senders.add(sfu.publish(i, FIRST_SSRC + 16L * i, tallies.get(i)));
      }
      List<ReceiveTally> receivers = new ArrayList<>();
      for (int i = publishers == participants ? 0 : publishers; i < participants; i++) {
        sfu.subscribe(i, tallies.get(i));
        receivers.add(tallies.get(i));
      }
      int streamsPerReceiver = publishers == participants ? publishers - 1 : publishers;
      System.err.printf("connected %d participants in %d ms%n", participants, (System.nanoTime() - setupStart) / 1_000_000);

      ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "publishers");
        t.setDaemon(true);
        return t;
      });
      AtomicLong sent = new AtomicLong();
      AtomicLong sendFailures = new AtomicLong();
      long period = 1_000_000_000L / fps;
      for (int i = 0; i < senders.size(); i++) {
        MediaClient client = senders.get(i);
        Vp8Publisher camera = new Vp8Publisher((int) (FIRST_SSRC + 16L * i), 96, fps, bitrate, fps * keyframeSeconds);
        pacer.scheduleAtFixedRate(() -> {
          try {
            sent.addAndGet(camera.sendFrame(client::sendRtp));
          } catch (IOException | RuntimeException e) {
            sendFailures.incrementAndGet();
          }
        }, period * i / senders.size(), period, TimeUnit.NANOSECONDS);
      }

      long flowDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (System.nanoTime() < flowDeadline && !receivers.stream().allMatch(t -> t.streamsWithAtLeast(30) >= streamsPerReceiver)) {
        Thread.sleep(100);
      }
      int flowing = receivers.stream().mapToInt(t -> Math.min(streamsPerReceiver, t.streamsWithAtLeast(30))).sum();
      int expected = receivers.size() * streamsPerReceiver;
      System.err.printf("%d of %d streams flowing; warm-up %d s%n", flowing, expected, warmupSeconds);
      Thread.sleep(TimeUnit.SECONDS.toMillis(warmupSeconds));

      long cpuBefore = cpuTicks(pid);
      long clientCpuBefore = clientCpuNanos();
      long sentBefore = sent.get();
      long start = System.nanoTime();
      receivers.forEach(ReceiveTally::open);
      Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
      List<ReceiveTally.Window> windows = receivers.stream().map(ReceiveTally::close).toList();
      double elapsed = (System.nanoTime() - start) / 1e9;
      long cpuAfter = cpuTicks(pid);
      long clientCpu = clientCpuNanos() - clientCpuBefore;
      long sentInWindow = sent.get() - sentBefore;
      long rssKb = rssKb(pid);
      pacer.shutdownNow();

      LatencyHistogram latency = new LatencyHistogram();
      long received = 0;
      long lost = 0;
      int streams = 0;
      for (ReceiveTally.Window w : windows) {
        latency.merge(w.latency);
        for (ReceiverStats s : w.streams.values()) {
          received += s.received();
          lost += s.lost();
          streams++;
        }
      }
      double serverCpu = cpuBefore < 0 ? -1 : (cpuAfter - cpuBefore) / (double) hz;
      return new Figures(streams, expected, sentInWindow, received, lost, elapsed, latency, serverCpu, rssKb,
          idleRssKb, receivers.size(), clientCpu / 1e9, sendFailures.get());
    }
  }

  /** One measured window of one scenario against one SFU. */
  record Figures(int streams, int expectedStreams, long published, long forwarded, long lost, double seconds,
      LatencyHistogram latency, double serverCpuSeconds, long rssKb, long idleRssKb, int receivers,
      double clientCpuSeconds, long sendFailures) {
    double lossPercent() {
      return forwarded + lost == 0 ? 0 : 100.0 * lost / (forwarded + lost);
    }

    /** The RESULT line's fields, key=value, which scripts/bench-media.sh tabulates. */
    String line() {
      return String.format(Locale.ROOT,
          "streams=%d/%d published_pkts=%d forwarded_pkts=%d fwd_pps=%.0f loss_pct=%.3f p50_ms=%.3f p99_ms=%.3f "
              + "max_ms=%.3f cpu_s=%.2f cpu_ms_per_1k=%.3f pkts_per_cpu_s=%.0f rss_mb=%.1f idle_rss_mb=%.1f "
              + "rss_kb_per_receiver=%.0f client_cpu_s=%.2f "
              + "send_failures=%d seconds=%.1f",
          streams, expectedStreams, published, forwarded, forwarded / seconds, lossPercent(),
          latency.quantileNanos(0.5) / 1e6, latency.quantileNanos(0.99) / 1e6, latency.maxNanos() / 1e6,
          serverCpuSeconds, forwarded == 0 ? -1 : serverCpuSeconds * 1000 / (forwarded / 1000.0),
          serverCpuSeconds <= 0 ? 0 : forwarded / serverCpuSeconds, rssKb / 1024.0, idleRssKb / 1024.0,
          receivers == 0 ? 0 : (rssKb - idleRssKb) / (double) receivers, clientCpuSeconds, sendFailures,
          seconds);
    }
  }

  /** utime + stime of a process in clock ticks (fields 14 and 15 of /proc/&lt;pid&gt;/stat), -1 without a pid. */
  static long cpuTicks(long pid) throws IOException {
    if (pid < 0) {
      return -1;
    }
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // the name may hold spaces
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // field 3 is fields[0]
  }

  static long rssKb(long pid) throws IOException {
    if (pid < 0) {
      return 0;
    }
    return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("VmRSS:"))
        .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(0);
  }

  private static long clientCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }
}

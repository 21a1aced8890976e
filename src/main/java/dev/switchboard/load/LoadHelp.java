package dev.switchboard.load;

/** The manual of {@code switchboard.jar load}, printed by --help. */
final class LoadHelp {
  private LoadHelp() {
  }

  static final String TEXT = """
      Usage: scripts/load.sh SCENARIO [options]      (java -jar switchboard.jar load SCENARIO [options])
      Load-tests a Switchboard deployment over its signaling socket (Phoenix Channels V2, docs/protocol.md).

      Scenarios
        idle    --sockets N sockets, each joining a room of --room-size peers and its own peer topic,
                heartbeating, held for --duration (0: until Ctrl-C / SIGTERM). With --report-at the ramp
                pauses at each milestone for a measurement row.
        relay   --pairs P pairs, each in its own room, signalling both ways at --rate per pair per second
                (0, the default: flat out, --window signals unanswered per pair); checks that no signal
                answered ok is lost, duplicated, reordered per pair or delivered to the wrong peer.
        churn   --rate cycles per second (default 10) for --duration: connect, join a room and the peer
                topic, leave, disconnect.
        rtt     round trips A->B->A of a targeted signal (and the time to A's ok reply), --rate a second per
                pair (default 50; 0: back to back), for --pairs pairs (default 1) under --background idle
                joined sockets.

      Target
        --url URL              ws:// or wss:// socket URL (default ws://127.0.0.1:4000/socket/websocket);
                               vsn=2.0.0 is added to the query when missing
        --insecure             accept any TLS certificate (Caddy's local CA in scripts/cluster.sh, self-signed)
        --token TOKEN          one access token for every socket (token mode; see scripts/token.sh)
        --token-secret KID:SECRET
                               mint one token per peer, signed HS256 like scripts/token.sh, with one entry of
                               the server's auth.keys: identity ROOM_PREFIX-INDEX, admitting to the peer's room
        --origin ORIGIN        send this Origin header (none by default: a native client sends none)

      Shape of the load
        --sockets N            idle: sockets to open (default 100)
        --room-size R          peers per room for idle, churn and rtt's background (default 5; mesh rooms
                               hold at most 6, SFU rooms 25)
        --duration T           how long to hold or signal: 30, 30s, 5m, 2h (default 10 s; idle: 0 = until
                               interrupted)
        --heartbeat T          heartbeat interval per socket (default 30 s); each heartbeat's round trip is
                               measured
        --connect-rate R       new sockets per second during the ramp (default 500)
        --pairs P              relay: pairs (default 10); rtt: measuring pairs (default 1)
        --rate R               relay: signals per pair per second, half each way (default 0 = flat out);
                               churn: cycles per second (default 10); rtt: round trips per second per pair
                               (default 50, within the server's default rate limit; 0 = back to back)
        --window W             relay flat out: signals unanswered per pair (default 100, at most 1024)
        --background N         rtt: idle joined sockets in the background (default 0)
        --report-at N,N,...    idle: pause the ramp at these socket counts and print a row each: connect+join
                               rate, heartbeat round trip p50/p99, signal round trip p50/p99 between two
                               joined peers of one room, and the server's RSS per socket with --server-pid
        --report-seconds T     how long each milestone measures (default 5 s)

      Several client processes, many sockets
        --source-ips SPEC      spread sockets over local source addresses: a count (20 = 127.0.0.1-127.0.0.20),
                               a range 127.0.0.1-127.0.0.20, or a list. One address has about 28,000
                               ephemeral ports; on Linux all of 127.0.0.0/8 is local
        --room-prefix P        prefix of room names and minted identities (default load)
        --id-offset K          number this process's peers from K, so that several processes with the same
                               prefix use distinct rooms and identities (give each a multiple of --room-size)
        --event-loops N        client event loops (default 2)
        --span-url URL         rooms spanning two servers (e.g. two nodes of a cluster): in every --span-every-th
        --span-every N         room (default 1: every room) the members joining second, fourth... connect to
                               this URL, the others to --url; in a pair, B goes there

      Output
        --server-pid PID       report that local process's CPU seconds used during the run and its RSS
                               (from /proc/PID/stat and /proc/PID/status) in the progress line and summary
        --server-heap          idle with --report-at: at each milestone also force a full GC in the server
                               (jcmd PID GC.run; same user, jcmd on PATH) and report its live heap per socket
        --json                 print the summary as one JSON object instead of a table
        --no-progress          no progress line on stderr
        --help                 this text

      Every second a progress line goes to stderr: sockets open/target, joined, errors, frames received per
      second, and p50/p99 ms over the last second of the scenario's latency (idle: heartbeat round trip;
      relay: ok reply; rtt: round trip; churn: cycle). The summary goes to stdout. Its fields (--json):
        common   scenario, url, elapsed_s, connected, joined (sockets that joined room and peer topic),
                 open_at_end, errors, error_reasons {reason: count}, frames_sent, frames_received,
                 heartbeats, heartbeat_rtt_ms, peer_left (peer:left events heard), last_peer_left_epoch_ms,
                 peer_left_node_lost, last_node_lost_epoch_ms (those of room-mates reaped with a dead node),
                 client_rss_mb, client_heap_used_mb, server {pid, cpu_s, rss_start_mb, rss_mb, rss_kb_per_socket}
        idle     sockets, room_size, milestones [{sockets, open, errors, connect_join_per_s,
                 heartbeat_p50_ms, heartbeat_p99_ms, heartbeat_samples, signal_rtt_p50_ms,
                 signal_rtt_p99_ms, signal_samples, server_cpu_s, server_rss_mb, server_rss_kb_per_socket,
                 server_live_heap_mb, server_live_heap_kb_per_socket, server_rss_after_gc_mb}]
        relay    pairs, pairs_signalling, rate_per_pair, window, signalling_s, signals_sent, signals_ok,
                 signals_refused, delivered, delivered_per_s, lost, duplicates, out_of_order,
                 misdelivered, ack_ms
        churn    rate, room_size, cycles_started, cycles_completed, cycles_failed, cycles_per_s, cycle_ms
        rtt      background, pairs, rate_per_pair, round_trips, round_trips_per_s, rtt_ms, ack_ms
      A latency (*_ms) is {count, p50, p99, max} in milliseconds; null when there was no sample.
      rate_per_pair 0 means flat out (relay) or back to back (rtt).

      The server's per-address caps stop a load run from one machine long before the server is full. Raise
      them on the server for the run (conf/switchboard.yaml keys, or their SWITCHBOARD_* variables):
        SWITCHBOARD_HTTP_MAX_CONNECTIONS_PER_IP      sockets per client address (default 100)
        SWITCHBOARD_HTTP_JOINS_PER_IP_PER_SECOND     room joins per address per second (default 20)
        SWITCHBOARD_HTTP_JOIN_BURST_PER_IP           join burst per address (default 100)
        SWITCHBOARD_HTTP_MAX_CONNECTIONS             sockets per node (default 15000; under the node's ulimit -n)
        SWITCHBOARD_CHANNEL_RATE_LIMIT_MESSAGES_PER_SECOND and SWITCHBOARD_CHANNEL_RATE_LIMIT_BURST
                                                     messages per socket (default 100/s, 300): relay flat out
                                                     and rtt --rate 0 exceed them
      Behind Caddy the caps count the X-Forwarded-For client, so the same caps apply.
      The client itself holds one file descriptor per socket: raise ulimit -n (scripts/load.sh raises it to
      the hard limit) and keep one process under it.

      Exit status: 0 the scenario ran without an error; 1 errors occurred (refused connects or joins, error
      replies, sockets closed by the server, unanswered heartbeats, lost, duplicated or reordered signals:
      see error_reasons); 2 a bad command line.

      Example: scripts/load.sh idle --sockets 5000 --room-size 5 --duration 60 --connect-rate 1000 \\
                 --url ws://127.0.0.1:4000/socket/websocket --report-at 1000,5000 --server-pid SERVER_PID
      """;
}

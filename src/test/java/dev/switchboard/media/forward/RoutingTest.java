package dev.switchboard.media.forward;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(5)
class RoutingTest {
  private static Track camera(String owner, int ssrc) {
    return new Track(owner + "-cam", owner, Track.Kind.VIDEO, ssrc, ssrc + 1, 90_000, 96);
  }

  private static Track microphone(String owner, int ssrc) {
    return new Track(owner + "-mic", owner, Track.Kind.AUDIO, ssrc, 0, 48_000, 111);
  }

  private static Router router(Router.Limits limits) {
    return new Router(limits, new SplittableRandom(1));
  }

  private static MediaRefusal.Cause refusal(Runnable r) {
    MediaRefusal e = assertThrows(MediaRefusal.class, r::run);
    assertEquals("media_unavailable", e.reason());
    return e.refusal();
  }

  @Test
  void a_packet_of_a_published_track_goes_to_every_subscriber_of_it() {
    Router router = router(Router.Limits.defaults());
    RoomMedia room = router.join("r", "alice");
    router.join("r", "bob");
    router.join("r", "carol");
    router.publish("alice", camera("alice", 1000));
    Downstream bob = router.subscribe("bob", "alice-cam");
    Downstream carol = router.subscribe("carol", "alice-cam");
    assertArrayEquals(new Downstream[] {bob, carol}, room.downstreams(1000));
    assertEquals(0, room.downstreams(1001).length, "RTX is unwrapped by the caller first");
    assertSame(room.track(1001), room.track(1000));
    assertEquals(0, room.downstreams(4242).length);
    assertSame(bob, room.downstream("bob", bob.outgoingSsrc()));
    assertSame(bob, room.downstream("bob", bob.outgoingRtxSsrc()));
    assertNull(room.downstream("carol", bob.outgoingSsrc() == carol.outgoingSsrc() ? 0 : bob.outgoingSsrc()));
  }

  @Test
  void the_fanout_array_is_a_snapshot_replaced_on_change_and_looking_it_up_does_not_allocate() {
    Router router = router(Router.Limits.defaults());
    RoomMedia room = router.join("r", "alice");
    router.join("r", "bob");
    router.join("r", "carol");
    router.publish("alice", microphone("alice", 77));
    router.subscribe("bob", "alice-mic");
    Downstream[] before = room.downstreams(77);
    assertSame(before, room.downstreams(77));
    router.subscribe("carol", "alice-mic");
    Downstream[] after = room.downstreams(77);
    assertEquals(1, before.length, "a forwarding loop in progress keeps its array");
    assertEquals(2, after.length);
    com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long start = bean.getCurrentThreadAllocatedBytes();
    int n = 0;
    for (int i = 0; i < 100_000; i++) {
      n += room.downstreams(77).length + room.downstreams(i + 1_000_000).length;
    }
    long allocated = bean.getCurrentThreadAllocatedBytes() - start;
    assertEquals(200_000, n);
    assertTrue(allocated < 4096, "allocated " + allocated);
  }

  @Test
  void outgoing_ssrcs_are_random_unique_per_subscriber_and_never_0() {
    // a generator that offers 0, repeats, and a publisher's SSRC before anything usable
    Deque<Integer> ints = new ArrayDeque<>(List.of(0, 5, 5, 1000, 5, 6, 7, 8, 9, 10));
    RandomGenerator scripted = new RandomGenerator() {
      @Override
      public long nextLong() {
        return 0;
      }

      @Override
      public int nextInt() {
        return ints.isEmpty() ? 99 : ints.poll();
      }

      @Override
      public int nextInt(int bound) {
        return 0;
      }
    };
    Router router = new Router(Router.Limits.defaults(), scripted);
    RoomMedia room = router.join("r", "alice");
    router.join("r", "bob");
    router.publish("alice", camera("alice", 1000));
    router.publish("alice", microphone("alice", 2000));
    Downstream cam = router.subscribe("bob", "alice-cam");
    Downstream mic = router.subscribe("bob", "alice-mic");
    Set<Integer> seen = new HashSet<>(List.of(cam.outgoingSsrc(), cam.outgoingRtxSsrc(), mic.outgoingSsrc()));
    assertEquals(3, seen.size());
    assertTrue(!seen.contains(0) && !seen.contains(1000) && !seen.contains(1001) && !seen.contains(2000));
    assertEquals(5, cam.outgoingSsrc());
    assertEquals(0, mic.outgoingRtxSsrc(), "no RTX for audio");
    assertSame(mic, room.downstream("bob", mic.outgoingSsrc()));
  }

  @Test
  void a_republished_track_keeps_its_subscribers_streams_and_their_rewriters_see_a_source_switch() {
    Router router = router(Router.Limits.defaults());
    RoomMedia room = router.join("r", "alice");
    router.join("r", "bob");
    router.publish("alice", camera("alice", 1000));
    Downstream bob = router.subscribe("bob", "alice-cam");
    int first = bob.rewriter().forward(1000, 10, 0, 0);
    bob.awaitingKeyframe(false);
    room.republish(new Track("alice-cam", "alice", Track.Kind.VIDEO, 3000, 3001, 90_000, 96));
    assertEquals(0, room.downstreams(1000).length, "the old source is no longer routed");
    assertArrayEquals(new Downstream[] {bob}, room.downstreams(3000));
    assertNull(room.track(1000));
    assertEquals(3000, bob.track().ssrc());
    assertTrue(bob.awaitingKeyframe(), "the new source starts with a keyframe");
    assertEquals((first + 1) & 0xFFFF, bob.rewriter().forward(3000, 777, 5, 20_000_000L));
  }

  @Test
  void leaving_ends_the_tracks_the_subscriptions_and_an_empty_room() {
    Router router = router(Router.Limits.defaults());
    RoomMedia room = router.join("r", "alice");
    router.join("r", "bob");
    router.publish("alice", camera("alice", 1000));
    router.publish("bob", microphone("bob", 2000));
    Downstream bobSeesAlice = router.subscribe("bob", "alice-cam");
    Downstream aliceHearsBob = router.subscribe("alice", "bob-mic");
    List<Downstream> ended = router.leave("alice");
    assertEquals(Set.of(bobSeesAlice, aliceHearsBob), new HashSet<>(ended));
    assertEquals(0, room.downstreams(1000).length);
    assertEquals(0, room.downstreams(2000).length);
    assertNull(room.track(1000));
    assertTrue(room.subscriptions("bob").isEmpty());
    assertEquals(1, router.participantCount());
    router.leave("bob");
    assertEquals(0, router.roomCount());
    assertNull(router.room("r"));
  }

  @Test
  void unsubscribing_stops_the_stream() {
    Router router = router(Router.Limits.defaults());
    RoomMedia room = router.join("r", "alice");
    router.join("r", "bob");
    router.publish("alice", microphone("alice", 5));
    Downstream d = router.subscribe("bob", "alice-mic");
    assertSame(d, router.subscribe("bob", "alice-mic"), "subscribing twice is one stream");
    assertSame(d, router.unsubscribe("bob", "alice-mic"));
    assertEquals(0, room.downstreams(5).length);
    assertNull(room.downstream("bob", d.outgoingSsrc()));
    assertNull(router.unsubscribe("bob", "alice-mic"));
  }

  @Test
  void a_full_room_refuses_one_more_participant() {
    Router router = router(new Router.Limits(10, 100, 2, 4));
    router.join("r", "a");
    router.join("r", "b");
    assertEquals(MediaRefusal.Cause.ROOM_FULL, refusal(() -> router.join("r", "c")));
    router.join("s", "c");
  }

  @Test
  void the_room_cap_follows_rooms_max_peers_when_a_deployment_raises_it() {
    Router router = router(Router.Limits.defaults().perRoom(50));
    for (int i = 0; i < 50; i++) {
      router.join("big", "p" + i);
    }
    assertEquals(MediaRefusal.Cause.ROOM_FULL, refusal(() -> router.join("big", "p50")));
    assertEquals(600, Router.Limits.defaults().perRoom(600).maxParticipants(), "a room never outgrows its node");
  }

  @Test
  void a_full_node_refuses_rooms_and_participants() {
    Router router = router(new Router.Limits(2, 3, 10, 4));
    router.join("r1", "a");
    router.join("r2", "b");
    assertEquals(MediaRefusal.Cause.NODE_ROOMS_FULL, refusal(() -> router.join("r3", "c")));
    router.join("r1", "c");
    assertEquals(MediaRefusal.Cause.NODE_PARTICIPANTS_FULL, refusal(() -> router.join("r2", "d")));
    router.leave("c");
    router.join("r2", "d");
  }

  @Test
  void a_participant_publishes_at_most_four_tracks() {
    Router router = router(Router.Limits.defaults());
    router.join("r", "a");
    for (int i = 0; i < 4; i++) {
      router.publish("a", new Track("t" + i, "a", Track.Kind.AUDIO, 100 + i, 0, 48_000, 111));
    }
    assertEquals(MediaRefusal.Cause.TOO_MANY_TRACKS,
        refusal(() -> router.publish("a", new Track("t4", "a", Track.Kind.AUDIO, 200, 0, 48_000, 111))));
    router.unpublish("a", "t0");
    router.publish("a", new Track("t4", "a", Track.Kind.AUDIO, 200, 0, 48_000, 111));
  }

  @Test
  void conflicting_or_foreign_media_is_refused() {
    Router router = router(Router.Limits.defaults());
    router.join("r", "a");
    router.join("r", "b");
    router.join("other", "z");
    router.publish("a", camera("a", 1000));
    assertEquals(MediaRefusal.Cause.SSRC_IN_USE, refusal(() -> router.publish("b", camera("b", 1001))));
    assertEquals(MediaRefusal.Cause.NOT_ALLOWED, refusal(() -> router.publish("b", camera("a", 5000))));
    assertEquals(MediaRefusal.Cause.NOT_ALLOWED, refusal(() -> router.subscribe("a", "a-cam")));
    assertEquals(MediaRefusal.Cause.UNKNOWN_TRACK, refusal(() -> router.subscribe("z", "a-cam")));
    assertEquals(MediaRefusal.Cause.NOT_JOINED, refusal(() -> router.subscribe("nobody", "a-cam")));
    assertEquals(MediaRefusal.Cause.IN_ANOTHER_ROOM, refusal(() -> router.join("other", "a")));
    assertSame(router.roomOf("a"), router.join("r", "a"));
  }

  @Test
  void the_lowest_subscriber_estimate_caps_the_publisher() {
    Router router = router(Router.Limits.defaults());
    RoomMedia room = router.join("r", "alice");
    router.join("r", "bob");
    router.join("r", "carol");
    router.publish("alice", camera("alice", 1000));
    Downstream bob = router.subscribe("bob", "alice-cam");
    Downstream carol = router.subscribe("carol", "alice-cam");
    assertEquals(-1, room.lowestSubscriberEstimate(1000));
    bob.subscriberEstimateBps(1_200_000);
    carol.subscriberEstimateBps(700_000);
    assertEquals(700_000, room.lowestSubscriberEstimate(1000));
  }

  @Test
  void payload_types_map_to_the_subscribers_and_unknown_ones_drop() {
    Downstream d = new Downstream("bob", camera("alice", 1000), 42, 43, 0, 0, 0);
    assertEquals(96, d.payloadType(96));
    d.mapPayloadType(96, 100);
    assertEquals(100, d.payloadType(96));
    assertEquals(-1, d.payloadType(97));
    int first = d.nextRtxSeq();
    assertEquals((first + 1) & 0xFFFF, d.nextRtxSeq());
    assertNotEquals(d.outgoingSsrc(), d.outgoingRtxSsrc());
  }

  @Test
  void a_resumed_video_stream_waits_for_a_keyframe() {
    Downstream video = new Downstream("bob", camera("alice", 1000), 42, 43, 0, 0, 0);
    assertTrue(video.awaitingKeyframe());
    video.awaitingKeyframe(false);
    video.paused(true);
    video.paused(false);
    assertTrue(video.awaitingKeyframe());
    Downstream audio = new Downstream("bob", microphone("alice", 7), 44, 0, 0, 0, 0);
    assertTrue(!audio.awaitingKeyframe());
  }
}

package dev.switchboard.gateway;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A pair's signals never overtake each other by taking different paths. */
class SignalLanesTest {
  private final SignalLanes<String> lanes = new SignalLanes<>();
  private final List<String> started = new ArrayList<>();
  private final List<Promise<Void>> inFlight = new ArrayList<>();

  private Future<Void> submit(String target, AtomicReference<String> path, String signal) {
    return lanes.submit(target, path::get, lane -> {
      started.add(signal + "@" + lane);
      Promise<Void> sent = Promise.promise();
      inFlight.add(sent);
      return sent.future();
    });
  }

  @Test
  void signals_on_one_path_go_out_at_once_one_after_another() {
    AtomicReference<String> path = new AtomicReference<>("direct");
    submit("t", path, "1");
    submit("t", path, "2");
    assertEquals(List.of("1@direct", "2@direct"), started);
  }

  @Test
  void a_signal_whose_path_changed_waits_for_the_pair_in_flight_and_so_do_the_ones_after_it() {
    AtomicReference<String> path = new AtomicReference<>("registry");
    Future<Void> first = submit("t", path, "1");
    path.set("direct");
    Future<Void> second = submit("t", path, "2");
    Future<Void> third = submit("t", path, "3");
    assertEquals(List.of("1@registry"), started, "2 and 3 wait behind 1");
    inFlight.get(0).complete();
    assertTrue(first.succeeded());
    assertEquals(List.of("1@registry", "2@direct", "3@direct"), started);
    inFlight.get(1).complete();
    inFlight.get(2).fail("unknown_peer");
    assertTrue(second.succeeded());
    assertTrue(third.failed());
    assertEquals(0, lanes.pairsActive(), "nothing kept once the pair is idle");
  }

  @Test
  void the_path_is_chosen_when_the_signal_starts() {
    AtomicReference<String> path = new AtomicReference<>("registry");
    submit("t", path, "1");
    path.set("direct");
    submit("t", path, "2");
    path.set("registry"); // the target left again before 2 could start
    inFlight.get(0).complete();
    assertEquals(List.of("1@registry", "2@registry"), started);
  }

  @Test
  void pairs_do_not_wait_for_each_other() {
    AtomicReference<String> registry = new AtomicReference<>("registry");
    AtomicReference<String> direct = new AtomicReference<>("direct");
    Future<Void> toT = submit("t", registry, "1");
    submit("u", direct, "2");
    assertEquals(List.of("1@registry", "2@direct"), started);
    assertFalse(toT.isComplete());
  }

  @Test
  void a_path_that_fails_at_once_frees_the_pair() {
    AtomicReference<String> path = new AtomicReference<>("direct");
    Future<Void> failed = lanes.submit("t", path::get, lane -> Future.failedFuture("gone"));
    assertTrue(failed.failed());
    assertEquals(0, lanes.pairsActive());
    path.set("registry");
    submit("t", path, "2");
    assertEquals(List.of("2@registry"), started);
  }
}

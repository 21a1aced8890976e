package dev.switchboard.support;

import io.vertx.core.Future;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Blocks a test thread (never an event loop) on a future, failing the test after a timeout. */
public final class Wait {
  private Wait() {
  }

  public static <T> T on(Future<T> future, int seconds) {
    try {
      return future.await(seconds, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("not completed within " + seconds + " s", e);
    }
  }
}

package dev.replicateaudio.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a call with a time limit, for tests that must prove "never a hang": the call runs on a
 * daemon thread, and a call still running at the limit fails the test (and is interrupted).
 * Exceptions of the call come out unchanged. Thread-safe.
 */
public final class Bounded {
  /** The limit property tests use for one parser call: generous for a loaded CI machine, short for a hang. */
  public static final Duration PARSE_LIMIT = Duration.ofSeconds(10);

  private static final ExecutorService RUNNER = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "bounded-call");
    t.setDaemon(true);
    return t;
  });

  private Bounded() {
  }

  /**
   * The result of {@code call}, which must return or throw within {@code limit}.
   *
   * @throws AssertionError when it is still running at the limit
   */
  public static <T> T call(Duration limit, Callable<T> call) throws Exception {
    Future<T> future = RUNNER.submit(call);
    try {
      return future.get(limit.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new AssertionError("still running after " + limit.toMillis() + " ms: a hang");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception) {
        throw (Exception) cause;
      }
      throw (Error) cause;
    }
  }

  /** {@link #call(Duration, Callable)} with {@link #PARSE_LIMIT}. */
  public static <T> T call(Callable<T> call) throws Exception {
    return call(PARSE_LIMIT, call);
  }
}

package dev.replicateaudio.examples;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Thread factories for the examples', the simulator's, the benchmark's and the tests' executors: named,
 * daemon, so a forgotten one never holds the JVM.
 */
public final class Threads {
  private static final Pattern DIGITS = Pattern.compile("[0-9]+");

  private Threads() {
  }

  /**
   * The pool a thread belongs to, from its name: every run of digits folded to {@code #}
   * ({@code OkHttp Dispatcher}, {@code replicate-simulator-#-webhook-#}), so that a pool's threads count
   * together.
   */
  public static String pool(String threadName) {
    return DIGITS.matcher(threadName).replaceAll("#");
  }

  /** Daemon threads named {@code prefix-1}, {@code prefix-2}, ... */
  public static ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}

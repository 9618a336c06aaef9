package dev.replicateaudio.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ContentKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WebhookNotifierFactoryTest {
  private static final Duration LONG = Duration.ofMinutes(5);

  @Test
  void globalNotifierIsOneInstanceForEveryThread() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<CompletableFuture<WebhookCompletionNotifier>> got = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        got.add(CompletableFuture.supplyAsync(() -> {
          try {
            start.await();
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
          return WebhookNotifierFactory.globalNotifier();
        }, pool));
      }
      start.countDown();
      WebhookCompletionNotifier global = WebhookNotifierFactory.globalNotifier();
      for (CompletableFuture<WebhookCompletionNotifier> f : got) {
        assertThat(f.get(10, TimeUnit.SECONDS)).isSameAs(global);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void createdNotifiersAreIsolatedFromEachOtherAndFromTheGlobalOne() {
    WebhookCompletionNotifier a = WebhookNotifierFactory.createNotifier();
    WebhookCompletionNotifier b = WebhookNotifierFactory.createNotifier();
    WebhookCompletionNotifier global = WebhookNotifierFactory.globalNotifier();
    assertThat(a).isNotSameAs(b).isNotSameAs(global);
    ContentKey key = ContentKey.of("isolation_test", 1);
    CompletableFuture<CompletionOutcome> onB = b.waitForCompletion(key, LONG);
    CompletableFuture<CompletionOutcome> onGlobal = global.waitForCompletion(key, LONG);

    a.notifyCompletion(key, CompletionOutcome.succeeded("p1"));

    assertThat(onB).isNotDone();
    assertThat(onGlobal).isNotDone();
    assertThat(b.waitForCompletion(key, Duration.ofSeconds(1))).as("nothing remembered on b").isNotDone();
    assertThat(a.waitForCompletion(key, LONG)).isCompletedWithValue(CompletionOutcome.succeeded("p1"));

    global.notifyCompletion(key, CompletionOutcome.succeeded("p2"));
    assertThat(onGlobal).isCompletedWithValue(CompletionOutcome.succeeded("p2"));
    assertThat(onB).isNotDone();
    global.forget(key);
    a.close();
    b.close();
    assertThat(onB).isCancelled();
  }

  @Test
  void globalNotifierCannotBeClosed() {
    WebhookCompletionNotifier global = WebhookNotifierFactory.globalNotifier();
    ContentKey key = ContentKey.of("global_close_test", 1);
    CompletableFuture<CompletionOutcome> f = global.waitForCompletion(key, LONG);

    assertThatThrownBy(global::close)
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("the global notifier is shared by the whole JVM and can't be closed");

    assertThat(f).isNotDone();
    global.notifyCompletion(key, CompletionOutcome.succeeded("p1"));
    assertThat(f).isCompletedWithValue(CompletionOutcome.succeeded("p1"));
    global.forget(key);
  }
}

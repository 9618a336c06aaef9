package dev.replicateaudio.ffmpeg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class PermitsTest {
  @Test
  void countsPermitsInUseAndWaitersInOrder() {
    Permits permits = new Permits(2);
    CompletableFuture<Void> a = permits.acquire();
    CompletableFuture<Void> b = permits.acquire();
    CompletableFuture<Void> c = permits.acquire();
    CompletableFuture<Void> d = permits.acquire();

    assertThat(a).isDone();
    assertThat(b).isDone();
    assertThat(permits.inUse()).isEqualTo(2);
    assertThat(permits.waiting()).isEqualTo(2);

    permits.release();
    assertThat(c).isDone(); // the oldest waiter first
    assertThat(d).isNotDone();
    assertThat(permits.inUse()).isEqualTo(2);
    assertThat(permits.waiting()).isEqualTo(1);
  }

  @Test
  void aCancelledWaiterIsSkippedAndItsTurnGoesToTheNext() {
    Permits permits = new Permits(1);
    permits.acquire();
    CompletableFuture<Void> gaveUp = permits.acquire();
    CompletableFuture<Void> next = permits.acquire();
    gaveUp.cancel(false); // cancelled by the caller, not through Permits.cancel: still queued

    permits.release();

    assertThat(next).isDone();
    assertThat(permits.waiting()).isZero();
  }

  @Test
  void releasingMoreThanWasAcquiredIsABug() {
    Permits permits = new Permits(1);
    permits.acquire();
    permits.release();

    assertThatThrownBy(permits::release).isInstanceOf(IllegalStateException.class)
        .hasMessage("released more permits than acquired (max 1)");
    assertThat(permits.inUse()).isZero();
  }
}

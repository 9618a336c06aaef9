package dev.replicateaudio.spring.boot.autoconfigure;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ffmpeg.FfmpegListener;
import dev.replicateaudio.port.DownloadListener;
import dev.replicateaudio.webhook.RecoveryListener;
import dev.replicateaudio.webhook.RecoveryReport;
import dev.replicateaudio.webhook.WebhookListener;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Every listener bean of a kind, as the one listener a piece takes: {@code NONE} when there is
 * none (the piece then skips its calls), the bean itself when there is one, else a composite that
 * calls each in order and logs (WARN) and swallows what one throws.
 */
final class Listeners {
  private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

  private Listeners() {
  }

  static FfmpegListener ffmpeg(ObjectProvider<FfmpegListener> beans) {
    return combine(beans, FfmpegListener.NONE, all -> new FfmpegListener() {
      @Override
      public void runFinished(Program program, Outcome outcome, Duration elapsed) {
        each(all, l -> l.runFinished(program, outcome, elapsed));
      }
    });
  }

  static DownloadListener download(ObjectProvider<DownloadListener> beans) {
    return combine(beans, DownloadListener.NONE, all -> new DownloadListener() {
      @Override
      public void downloadSucceeded(long sizeBytes, Duration elapsed) {
        each(all, l -> l.downloadSucceeded(sizeBytes, elapsed));
      }

      @Override
      public void downloadFailed(Throwable failure, Duration elapsed) {
        each(all, l -> l.downloadFailed(failure, elapsed));
      }
    });
  }

  static WebhookListener webhook(ObjectProvider<WebhookListener> beans) {
    return combine(beans, WebhookListener.NONE, all -> new WebhookListener() {
      @Override
      public void requestAnswered(int statusCode, Duration elapsed) {
        each(all, l -> l.requestAnswered(statusCode, elapsed));
      }

      @Override
      public void processingFinished(CompletionOutcome outcome, Duration elapsed) {
        each(all, l -> l.processingFinished(outcome, elapsed));
      }

      @Override
      public void processingFailed(Throwable failure, Duration elapsed) {
        each(all, l -> l.processingFailed(failure, elapsed));
      }
    });
  }

  static RecoveryListener recovery(ObjectProvider<RecoveryListener> beans) {
    return combine(beans, RecoveryListener.NONE, all -> new RecoveryListener() {
      @Override
      public void runFinished(RecoveryReport report, Duration elapsed) {
        each(all, l -> l.runFinished(report, elapsed));
      }

      @Override
      public void runFailed(Throwable failure, Duration elapsed) {
        each(all, l -> l.runFailed(failure, elapsed));
      }
    });
  }

  private static <L> L combine(ObjectProvider<L> beans, L none, Function<List<L>, L> composite) {
    List<L> all = beans.orderedStream().toList();
    if (all.isEmpty()) {
      return none;
    }
    return all.size() == 1 ? all.get(0) : composite.apply(all);
  }

  private static <L> void each(List<L> all, Consumer<L> call) {
    for (L l : all) {
      try {
        call.accept(l);
      } catch (RuntimeException e) {
        LOG.warn("Listener {} threw; ignored", l, e);
      }
    }
  }
}

package dev.replicateaudio.spring.boot.autoconfigure;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ffmpeg.FfmpegListener;
import dev.replicateaudio.port.DownloadListener;
import dev.replicateaudio.webhook.RecoveryListener;
import dev.replicateaudio.webhook.RecoveryReport;
import dev.replicateaudio.webhook.WebhookListener;
import java.time.Duration;
import java.util.List;
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
    List<FfmpegListener> all = beans.orderedStream().toList();
    if (all.isEmpty()) {
      return FfmpegListener.NONE;
    }
    if (all.size() == 1) {
      return all.get(0);
    }
    return new FfmpegListener() {
      @Override
      public void runFinished(Program program, Outcome outcome, Duration elapsed) {
        for (FfmpegListener l : all) {
          try {
            l.runFinished(program, outcome, elapsed);
          } catch (RuntimeException e) {
            LOG.warn("FfmpegListener {} threw; ignored", l, e);
          }
        }
      }
    };
  }

  static DownloadListener download(ObjectProvider<DownloadListener> beans) {
    List<DownloadListener> all = beans.orderedStream().toList();
    if (all.isEmpty()) {
      return DownloadListener.NONE;
    }
    if (all.size() == 1) {
      return all.get(0);
    }
    return new DownloadListener() {
      @Override
      public void downloadSucceeded(long sizeBytes, Duration elapsed) {
        for (DownloadListener l : all) {
          try {
            l.downloadSucceeded(sizeBytes, elapsed);
          } catch (RuntimeException e) {
            LOG.warn("DownloadListener {} threw; ignored", l, e);
          }
        }
      }

      @Override
      public void downloadFailed(Throwable failure, Duration elapsed) {
        for (DownloadListener l : all) {
          try {
            l.downloadFailed(failure, elapsed);
          } catch (RuntimeException e) {
            LOG.warn("DownloadListener {} threw; ignored", l, e);
          }
        }
      }
    };
  }

  static WebhookListener webhook(ObjectProvider<WebhookListener> beans) {
    List<WebhookListener> all = beans.orderedStream().toList();
    if (all.isEmpty()) {
      return WebhookListener.NONE;
    }
    if (all.size() == 1) {
      return all.get(0);
    }
    return new WebhookListener() {
      @Override
      public void requestAnswered(int statusCode, Duration elapsed) {
        for (WebhookListener l : all) {
          try {
            l.requestAnswered(statusCode, elapsed);
          } catch (RuntimeException e) {
            LOG.warn("WebhookListener {} threw; ignored", l, e);
          }
        }
      }

      @Override
      public void processingFinished(CompletionOutcome outcome, Duration elapsed) {
        for (WebhookListener l : all) {
          try {
            l.processingFinished(outcome, elapsed);
          } catch (RuntimeException e) {
            LOG.warn("WebhookListener {} threw; ignored", l, e);
          }
        }
      }

      @Override
      public void processingFailed(Throwable failure, Duration elapsed) {
        for (WebhookListener l : all) {
          try {
            l.processingFailed(failure, elapsed);
          } catch (RuntimeException e) {
            LOG.warn("WebhookListener {} threw; ignored", l, e);
          }
        }
      }
    };
  }

  static RecoveryListener recovery(ObjectProvider<RecoveryListener> beans) {
    List<RecoveryListener> all = beans.orderedStream().toList();
    if (all.isEmpty()) {
      return RecoveryListener.NONE;
    }
    if (all.size() == 1) {
      return all.get(0);
    }
    return new RecoveryListener() {
      @Override
      public void runFinished(RecoveryReport report, Duration elapsed) {
        for (RecoveryListener l : all) {
          try {
            l.runFinished(report, elapsed);
          } catch (RuntimeException e) {
            LOG.warn("RecoveryListener {} threw; ignored", l, e);
          }
        }
      }

      @Override
      public void runFailed(Throwable failure, Duration elapsed) {
        for (RecoveryListener l : all) {
          try {
            l.runFailed(failure, elapsed);
          } catch (RuntimeException e) {
            LOG.warn("RecoveryListener {} threw; ignored", l, e);
          }
        }
      }
    };
  }
}

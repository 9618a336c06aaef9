package dev.replicateaudio.testing;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.notify.CompletionListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what a notifier reports, for assertions. This class is thread-safe. */
public final class RecordingCompletionListener implements CompletionListener {
  private final List<CompletionEvent> events = new CopyOnWriteArrayList<>();
  private final List<Map.Entry<ContentKey, CompletionOutcome>> waitsCompleted = new CopyOnWriteArrayList<>();
  private final List<ContentKey> timeouts = new CopyOnWriteArrayList<>();

  @Override
  public void onCompletion(CompletionEvent event) {
    events.add(event);
  }

  @Override
  public void onWaitCompleted(ContentKey key, String predictionId, CompletionOutcome outcome) {
    waitsCompleted.add(Map.entry(key, outcome));
  }

  @Override
  public void onWaitTimedOut(ContentKey key, String predictionId, Duration timeout) {
    timeouts.add(key);
  }

  public List<CompletionEvent> events() {
    return List.copyOf(events);
  }

  /** Every notification as key → outcome, in order. */
  public List<Map.Entry<ContentKey, CompletionOutcome>> notified() {
    return events.stream().map(e -> Map.entry(e.key(), e.outcome())).toList();
  }

  /** Every answered wait as key → outcome, in order. */
  public List<Map.Entry<ContentKey, CompletionOutcome>> waitsCompleted() {
    return List.copyOf(waitsCompleted);
  }

  /** The key of every timed-out wait, in order. */
  public List<ContentKey> timeouts() {
    return List.copyOf(timeouts);
  }
}

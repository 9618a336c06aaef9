package dev.replicateaudio.okhttp;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code webhook-id}s a {@link WebhookEndpoint} answered with a 2xx lately, each kept for a
 * fixed time and at most {@code capacity} of them (the oldest go first). Thread-safe: one lock,
 * held for a map operation.
 */
final class RecentDeliveries {
  private final int capacity;
  private final long keepNanos;
  /** id → System.nanoTime() at which it is forgotten; insertion order, so the oldest come first. */
  private final LinkedHashMap<String, Long> ids = new LinkedHashMap<>();

  RecentDeliveries(int capacity, long keepNanos) {
    this.capacity = capacity;
    this.keepNanos = keepNanos;
  }

  /** Whether {@code id} was answered with a 2xx within the keeping time. */
  synchronized boolean contains(String id) {
    Long until = ids.get(id);
    if (until == null) {
      return false;
    }
    if (System.nanoTime() - until > 0) {
      ids.remove(id);
      return false;
    }
    return true;
  }

  /** Remembers {@code id} for the keeping time; forgets expired ids and, past the capacity, the oldest. */
  synchronized void add(String id) {
    long now = System.nanoTime();
    ids.remove(id);
    ids.put(id, now + keepNanos);
    Iterator<Map.Entry<String, Long>> it = ids.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Long> oldest = it.next();
      if (ids.size() > capacity || now - oldest.getValue() > 0) {
        it.remove();
      } else {
        break;
      }
    }
  }

  int capacity() {
    return capacity;
  }

  synchronized int size() {
    return ids.size();
  }
}

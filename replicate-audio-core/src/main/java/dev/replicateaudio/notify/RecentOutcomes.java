package dev.replicateaudio.notify;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ContentKey;
import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * The last outcome of each recently completed key, so that a wait starting after its notification
 * still resolves. Bounded by age and by count; both are enforced on every access, oldest first, with
 * no thread and no timer per entry.
 *
 * <p>Entries are kept in insertion order (a key notified again moves to the end), which is also
 * expiry order while the clock moves forward. If the wall clock steps back, an entry may outlive its
 * age for a while; it is still never returned once expired, and the count bound always holds.
 *
 * <p>This class is thread-safe: one lock guards the map and is held only for map operations. It is
 * not final only so that tests can interleave a notification with a lookup.
 */
class RecentOutcomes {
  private final LinkedHashMap<ContentKey, Entry> entries = new LinkedHashMap<>();
  private final long ttlMillis;
  private final int maxEntries;

  RecentOutcomes(long ttlMillis, int maxEntries) {
    this.ttlMillis = ttlMillis;
    this.maxEntries = maxEntries;
  }

  /** Whether anything is remembered at all (a zero age or count disables remembering). */
  boolean enabled() {
    return ttlMillis > 0 && maxEntries > 0;
  }

  void remember(ContentKey key, CompletionOutcome outcome, long nowMillis) {
    if (!enabled()) {
      return;
    }
    Entry entry = new Entry(outcome, saturatedAdd(nowMillis, ttlMillis));
    synchronized (entries) {
      entries.remove(key);
      entries.put(key, entry);
      evict(nowMillis);
    }
  }

  /**
   * The remembered outcome of {@code key} that a waiter for {@code predictionId} (null: any
   * prediction) accepts, or null.
   */
  CompletionOutcome find(ContentKey key, String predictionId, long nowMillis) {
    if (!enabled()) {
      return null;
    }
    Entry e;
    synchronized (entries) {
      if (entries.isEmpty()) {
        return null;
      }
      evict(nowMillis);
      e = entries.get(key);
    }
    if (e == null || e.expiresAtMillis <= nowMillis) {
      return null;
    }
    return predictionId == null || predictionId.equals(e.outcome.predictionId()) ? e.outcome : null;
  }

  void forget(ContentKey key) {
    synchronized (entries) {
      entries.remove(key);
    }
  }

  void clear() {
    synchronized (entries) {
      entries.clear();
    }
  }

  /** How many outcomes are remembered, after dropping the expired ones. */
  int size(long nowMillis) {
    synchronized (entries) {
      evict(nowMillis);
      return entries.size();
    }
  }

  /** Drops entries past their age from the head, and the oldest beyond the count. Hold the lock. */
  private void evict(long nowMillis) {
    int excess = entries.size() - maxEntries;
    for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (excess > 0 || e.expiresAtMillis <= nowMillis) {
        it.remove();
        excess--;
      } else {
        return;
      }
    }
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }

  private static final class Entry {
    final CompletionOutcome outcome;
    final long expiresAtMillis;

    Entry(CompletionOutcome outcome, long expiresAtMillis) {
      this.outcome = outcome;
      this.expiresAtMillis = expiresAtMillis;
    }
  }
}

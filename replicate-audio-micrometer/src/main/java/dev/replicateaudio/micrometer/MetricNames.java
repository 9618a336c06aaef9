package dev.replicateaudio.micrometer;

/**
 * The names of the meters {@link ReplicateAudioMetrics} registers, and of their tags. They are
 * public API: dashboards and alerts use them, and a test pins their Prometheus form. Micrometer
 * names are dot-separated; a Prometheus registry renders {@code replicate.audio.webhook.requests}
 * as {@code replicate_audio_webhook_requests_seconds_count}/{@code _sum}/{@code _max}, counters
 * with {@code _total} and distribution summaries with their base unit ({@code _bytes}).
 *
 * <p>This class is thread-safe (constants only).
 */
public final class MetricNames {
  /** The prefix every meter of this library starts with. */
  public static final String PREFIX = "replicate.audio";

  /** Timer: webhook requests by the answer's {@link #TAG_STATUS}, from the start of handling to the answer. */
  public static final String WEBHOOK_REQUESTS = PREFIX + ".webhook.requests";
  /** Timer: verified webhooks from decoding to the processing outcome ({@link #TAG_OUTCOME}), also after a 202. */
  public static final String WEBHOOK_PROCESSING = PREFIX + ".webhook.processing";
  /** Timer: audio downloads by {@link #TAG_OUTCOME} ({@code success}, {@code too_large}, {@code failed}). */
  public static final String DOWNLOADS = PREFIX + ".download";
  /** Distribution summary, bytes: the size of each successful download. */
  public static final String DOWNLOAD_SIZE = PREFIX + ".download.size";
  /** Timer: ffmpeg and ffprobe processes by {@link #TAG_TOOL} and {@link #TAG_OUTCOME}, start to exit. */
  public static final String FFMPEG_RUNS = PREFIX + ".ffmpeg.runs";
  /** Gauge: ffmpeg/ffprobe processes alive right now. */
  public static final String FFMPEG_RUNNING = PREFIX + ".ffmpeg.running";
  /** Gauge: runs waiting for a process slot right now. */
  public static final String FFMPEG_WAITING = PREFIX + ".ffmpeg.waiting";
  /** Gauge: the most processes that run at once ({@code maxConcurrentFfmpeg}). */
  public static final String FFMPEG_LIMIT = PREFIX + ".ffmpeg.limit";
  /** Gauge: waits parked in the completion notifier right now. */
  public static final String WAITERS_PENDING = PREFIX + ".waiters.pending";
  /** Gauge: recent outcomes the notifier remembers for late waiters. */
  public static final String OUTCOMES_REMEMBERED = PREFIX + ".outcomes.remembered";
  /** Counter: completions notified, by {@link #TAG_STATUS} and {@link #TAG_ORIGIN}. */
  public static final String COMPLETIONS = PREFIX + ".completions";
  /** Counter: waits answered, by {@link #TAG_STATUS} ({@code timed_out} for a wait whose timeout passed). */
  public static final String WAITS = PREFIX + ".waits";
  /** Timer: recovery runs by {@link #TAG_OUTCOME} ({@code success}, {@code error}). */
  public static final String RECOVERY_RUNS = PREFIX + ".recovery.runs";
  /** Counter: jobs recovery claimed, by {@link #TAG_RESULT}. */
  public static final String RECOVERY_JOBS = PREFIX + ".recovery.jobs";
  /** Function counter: local completions a completion bridge published, by {@link #TAG_BRIDGE}. */
  public static final String BRIDGE_PUBLISHED = PREFIX + ".bridge.published";
  /** Function counter: remote completions a bridge handed to the notifier, by {@link #TAG_BRIDGE}. */
  public static final String BRIDGE_RECEIVED = PREFIX + ".bridge.received";
  /** Function counter: local completions a bridge could not publish, by {@link #TAG_BRIDGE}. */
  public static final String BRIDGE_DROPPED = PREFIX + ".bridge.dropped";
  /** Function counter: lost bridge connections, by {@link #TAG_BRIDGE} and {@link #TAG_CONNECTION}. */
  public static final String BRIDGE_OUTAGES = PREFIX + ".bridge.outages";
  /** Gauge: 1 while a bridge listens, else 0, by {@link #TAG_BRIDGE}. */
  public static final String BRIDGE_LISTENING = PREFIX + ".bridge.listening";
  /** Gauge: completions waiting in a bridge's send queue, by {@link #TAG_BRIDGE}. */
  public static final String BRIDGE_QUEUED = PREFIX + ".bridge.queued";
  /**
   * Function counter: a polling bridge's rounds (publish what is queued, read the others' completions),
   * by {@link #TAG_BRIDGE} and {@link #TAG_OUTCOME} ({@code success}, {@code failure}); 0 for a push bridge.
   */
  public static final String BRIDGE_POLLS = PREFIX + ".bridge.polls";

  /** Tag: an HTTP status ({@code 200}, {@code 202}, {@code 400}, {@code 401}, {@code 413}, {@code 500}, {@code 503}, {@code other}) or a completion status. */
  public static final String TAG_STATUS = "status";
  /** Tag: how something ended; the values are listed with each meter. */
  public static final String TAG_OUTCOME = "outcome";
  /** Tag: {@code ffmpeg} or {@code ffprobe}. */
  public static final String TAG_TOOL = "tool";
  /** Tag: {@code local} or {@code remote}. */
  public static final String TAG_ORIGIN = "origin";
  /** Tag: {@code succeeded}, {@code failed}, {@code canceled}, {@code still_running} or {@code error}. */
  public static final String TAG_RESULT = "result";
  /** Tag: the completion bridge's kind: {@code postgres} ({@code LISTEN}/{@code NOTIFY}) or {@code polling}. */
  public static final String TAG_BRIDGE = "bridge";
  /** Tag: {@code listener} or {@code sender}. */
  public static final String TAG_CONNECTION = "connection";

  private MetricNames() {
  }
}

package dev.replicateaudio;

import dev.replicateaudio.internal.SettingParsers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of the core, with the seed's defaults. Immutable; derive changed copies with
 * {@link #toBuilder()}.
 *
 * <table>
 *   <caption>Settings, environment variables and defaults</caption>
 *   <tr><th>setting</th><th>variable</th><th>default</th></tr>
 *   <tr><td>{@code webhookTimeout}</td><td>{@code REPLICATE_WEBHOOK_TIMEOUT}</td><td>300 s</td></tr>
 *   <tr><td>{@code soundEffectsTimeout}</td><td>{@code REPLICATE_SOUND_EFFECTS_TIMEOUT}</td><td>300 s</td></tr>
 *   <tr><td>{@code downloadTimeout}</td><td>{@code REPLICATE_DOWNLOAD_TIMEOUT}</td><td>30 s</td></tr>
 *   <tr><td>{@code ffmpegTimeout}</td><td>{@code REPLICATE_FFMPEG_TIMEOUT}</td><td>30 s</td></tr>
 *   <tr><td>{@code maxFileSize}</td><td>{@code REPLICATE_MAX_FILE_SIZE}</td><td>50,000,000 bytes</td></tr>
 *   <tr><td>{@code silenceThreshold}</td><td>{@code REPLICATE_SILENCE_THRESHOLD}</td><td>{@code -60dB}</td></tr>
 *   <tr><td>{@code ffmpegPath}</td><td>{@code REPLICATE_FFMPEG_PATH}</td><td>{@code ffmpeg} (on PATH)</td></tr>
 *   <tr><td>{@code ffprobePath}</td><td>{@code REPLICATE_FFPROBE_PATH}</td><td>{@code ffprobe} (on PATH)</td></tr>
 *   <tr><td>{@code maxConcurrentFfmpeg}</td><td>{@code REPLICATE_FFMPEG_MAX_CONCURRENCY}</td><td>available processors</td></tr>
 * </table>
 *
 * <p>Timeouts accept plain seconds ({@code 300}, {@code 2.5}) or ISO-8601 ({@code PT5M}) and must lie
 * in (0, 24 h]. Sizes accept bytes ({@code 50000000}) or a number with a unit: {@code KB}, {@code MB},
 * {@code GB} (powers of 1000) or {@code KiB}, {@code MiB}, {@code GiB} (powers of 1024), at most 1 TiB.
 * The silence threshold is {@code -NdB} with N in [0, 200], or a linear amplitude in (0, 1]; nothing
 * else is accepted because it becomes part of an ffmpeg filter graph. Unset or blank variables take
 * the default. Invalid values throw {@link ConfigurationException} listing every bad variable at once.
 *
 * <p>This class is immutable and thread-safe; its {@link Builder} is not thread-safe.
 *
 * @param webhookTimeout how long to wait for a generation's webhook before recovery polls Replicate
 * @param soundEffectsTimeout how long a batch of sound effects may take as a whole
 * @param downloadTimeout the deadline for downloading one audio file, start to end
 * @param ffmpegTimeout the deadline for one ffmpeg or ffprobe process
 * @param maxFileSize the largest audio file accepted, in bytes
 * @param silenceThreshold the level below which leading and trailing audio counts as silence
 * @param ffmpegPath the ffmpeg executable: a path, or a name looked up on PATH
 * @param ffprobePath the ffprobe executable: a path, or a name looked up on PATH
 * @param maxConcurrentFfmpeg how many ffmpeg/ffprobe processes may run at once
 */
public record ReplicateAudioSettings(
    Duration webhookTimeout,
    Duration soundEffectsTimeout,
    Duration downloadTimeout,
    Duration ffmpegTimeout,
    long maxFileSize,
    String silenceThreshold,
    String ffmpegPath,
    String ffprobePath,
    int maxConcurrentFfmpeg) {

  /** Default {@code webhookTimeout}: 300 s. */
  public static final Duration DEFAULT_WEBHOOK_TIMEOUT = Duration.ofSeconds(300);
  /** Default {@code soundEffectsTimeout}: 300 s. */
  public static final Duration DEFAULT_SOUND_EFFECTS_TIMEOUT = Duration.ofSeconds(300);
  /** Default {@code downloadTimeout}: 30 s. */
  public static final Duration DEFAULT_DOWNLOAD_TIMEOUT = Duration.ofSeconds(30);
  /** Default {@code ffmpegTimeout}: 30 s. */
  public static final Duration DEFAULT_FFMPEG_TIMEOUT = Duration.ofSeconds(30);
  /** Default {@code maxFileSize}: 50,000,000 bytes. */
  public static final long DEFAULT_MAX_FILE_SIZE = 50_000_000L;
  /** Default {@code silenceThreshold}: {@code -60dB}. */
  public static final String DEFAULT_SILENCE_THRESHOLD = "-60dB";
  /** Default {@code ffmpegPath}: {@code ffmpeg}, looked up on PATH. */
  public static final String DEFAULT_FFMPEG_PATH = "ffmpeg";
  /** Default {@code ffprobePath}: {@code ffprobe}, looked up on PATH. */
  public static final String DEFAULT_FFPROBE_PATH = "ffprobe";

  /** The largest timeout accepted. */
  public static final Duration MAX_TIMEOUT = Duration.ofHours(24);
  /** The largest {@code maxFileSize} accepted: 1 TiB. */
  public static final long MAX_FILE_SIZE_LIMIT = 1L << 40;
  /** The largest {@code maxConcurrentFfmpeg} accepted. */
  public static final int MAX_CONCURRENCY_LIMIT = 1024;

  /** Environment variable of {@code webhookTimeout}. */
  public static final String ENV_WEBHOOK_TIMEOUT = "REPLICATE_WEBHOOK_TIMEOUT";
  /** Environment variable of {@code soundEffectsTimeout}. */
  public static final String ENV_SOUND_EFFECTS_TIMEOUT = "REPLICATE_SOUND_EFFECTS_TIMEOUT";
  /** Environment variable of {@code downloadTimeout}. */
  public static final String ENV_DOWNLOAD_TIMEOUT = "REPLICATE_DOWNLOAD_TIMEOUT";
  /** Environment variable of {@code ffmpegTimeout}. */
  public static final String ENV_FFMPEG_TIMEOUT = "REPLICATE_FFMPEG_TIMEOUT";
  /** Environment variable of {@code maxFileSize}. */
  public static final String ENV_MAX_FILE_SIZE = "REPLICATE_MAX_FILE_SIZE";
  /** Environment variable of {@code silenceThreshold}. */
  public static final String ENV_SILENCE_THRESHOLD = "REPLICATE_SILENCE_THRESHOLD";
  /** Environment variable of {@code ffmpegPath}. */
  public static final String ENV_FFMPEG_PATH = "REPLICATE_FFMPEG_PATH";
  /** Environment variable of {@code ffprobePath}. */
  public static final String ENV_FFPROBE_PATH = "REPLICATE_FFPROBE_PATH";
  /** Environment variable of {@code maxConcurrentFfmpeg}. */
  public static final String ENV_FFMPEG_MAX_CONCURRENCY = "REPLICATE_FFMPEG_MAX_CONCURRENCY";

  /**
   * Checks every value at once.
   *
   * @param webhookTimeout how long to wait for a generation's webhook before recovery polls Replicate
   * @param soundEffectsTimeout how long a batch of sound effects may take as a whole
   * @param downloadTimeout the deadline for downloading one audio file, start to end
   * @param ffmpegTimeout the deadline for one ffmpeg or ffprobe process
   * @param maxFileSize the largest audio file accepted, in bytes
   * @param silenceThreshold the level below which leading and trailing audio counts as silence
   * @param ffmpegPath the ffmpeg executable: a path, or a name looked up on PATH
   * @param ffprobePath the ffprobe executable: a path, or a name looked up on PATH
   * @param maxConcurrentFfmpeg how many ffmpeg/ffprobe processes may run at once
   * @throws ConfigurationException listing every invalid value, with what is accepted
   */
  public ReplicateAudioSettings {
    List<String> problems = new ArrayList<>();
    SettingParsers.checkTimeout("webhookTimeout", webhookTimeout, MAX_TIMEOUT, problems);
    SettingParsers.checkTimeout("soundEffectsTimeout", soundEffectsTimeout, MAX_TIMEOUT, problems);
    SettingParsers.checkTimeout("downloadTimeout", downloadTimeout, MAX_TIMEOUT, problems);
    SettingParsers.checkTimeout("ffmpegTimeout", ffmpegTimeout, MAX_TIMEOUT, problems);
    SettingParsers.checkSize("maxFileSize", maxFileSize, MAX_FILE_SIZE_LIMIT, problems);
    SettingParsers.checkSilenceThreshold("silenceThreshold", silenceThreshold, problems);
    SettingParsers.checkExecutable("ffmpegPath", ffmpegPath, problems);
    SettingParsers.checkExecutable("ffprobePath", ffprobePath, problems);
    SettingParsers.checkCount("maxConcurrentFfmpeg", maxConcurrentFfmpeg, MAX_CONCURRENCY_LIMIT, problems);
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
  }

  /**
   * The seed's defaults; {@code maxConcurrentFfmpeg} is the number of available processors.
   *
   * @return the default settings
   */
  public static ReplicateAudioSettings defaults() {
    return new Builder().build();
  }

  /**
   * Reads the {@code REPLICATE_*} variables of this process's environment.
   *
   * @return the settings, defaults for unset or blank variables
   * @throws ConfigurationException naming every variable whose value can't be used
   */
  public static ReplicateAudioSettings fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /**
   * Reads the {@code REPLICATE_*} variables from {@code environment}; unset or blank ones take their
   * default, other keys are ignored.
   *
   * @param environment variable names to values, for example {@code System.getenv()}
   * @return the settings
   * @throws ConfigurationException naming every variable whose value can't be used
   */
  public static ReplicateAudioSettings fromEnvironment(Map<String, String> environment) {
    Objects.requireNonNull(environment, "environment == null");
    SettingParsers.EnvReader env = new SettingParsers.EnvReader(environment);
    Builder b = builder();
    env.timeout(ENV_WEBHOOK_TIMEOUT, MAX_TIMEOUT).ifPresent(b::webhookTimeout);
    env.timeout(ENV_SOUND_EFFECTS_TIMEOUT, MAX_TIMEOUT).ifPresent(b::soundEffectsTimeout);
    env.timeout(ENV_DOWNLOAD_TIMEOUT, MAX_TIMEOUT).ifPresent(b::downloadTimeout);
    env.timeout(ENV_FFMPEG_TIMEOUT, MAX_TIMEOUT).ifPresent(b::ffmpegTimeout);
    env.size(ENV_MAX_FILE_SIZE, MAX_FILE_SIZE_LIMIT).ifPresent(b::maxFileSize);
    env.silenceThreshold(ENV_SILENCE_THRESHOLD).ifPresent(b::silenceThreshold);
    env.executable(ENV_FFMPEG_PATH).ifPresent(b::ffmpegPath);
    env.executable(ENV_FFPROBE_PATH).ifPresent(b::ffprobePath);
    env.count(ENV_FFMPEG_MAX_CONCURRENCY, MAX_CONCURRENCY_LIMIT).ifPresent(b::maxConcurrentFfmpeg);
    env.throwIfProblems();
    return b.build();
  }

  /**
   * A builder starting from the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding this instance's values, to derive a changed copy.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Builds {@link ReplicateAudioSettings}; starts from the defaults. Not thread-safe. */
  public static final class Builder {
    private Duration webhookTimeout = DEFAULT_WEBHOOK_TIMEOUT;
    private Duration soundEffectsTimeout = DEFAULT_SOUND_EFFECTS_TIMEOUT;
    private Duration downloadTimeout = DEFAULT_DOWNLOAD_TIMEOUT;
    private Duration ffmpegTimeout = DEFAULT_FFMPEG_TIMEOUT;
    private long maxFileSize = DEFAULT_MAX_FILE_SIZE;
    private String silenceThreshold = DEFAULT_SILENCE_THRESHOLD;
    private String ffmpegPath = DEFAULT_FFMPEG_PATH;
    private String ffprobePath = DEFAULT_FFPROBE_PATH;
    private int maxConcurrentFfmpeg = Math.min(MAX_CONCURRENCY_LIMIT, Runtime.getRuntime().availableProcessors());

    private Builder() {
    }

    private Builder(ReplicateAudioSettings s) {
      webhookTimeout = s.webhookTimeout;
      soundEffectsTimeout = s.soundEffectsTimeout;
      downloadTimeout = s.downloadTimeout;
      ffmpegTimeout = s.ffmpegTimeout;
      maxFileSize = s.maxFileSize;
      silenceThreshold = s.silenceThreshold;
      ffmpegPath = s.ffmpegPath;
      ffprobePath = s.ffprobePath;
      maxConcurrentFfmpeg = s.maxConcurrentFfmpeg;
    }

    /**
     * Sets {@code webhookTimeout}; checked by {@link #build()}.
     *
     * @param webhookTimeout how long to wait for a generation's webhook before recovery looks it up; (0, 24 h], default 300 s
     * @return this builder
     */
    public Builder webhookTimeout(Duration webhookTimeout) {
      this.webhookTimeout = webhookTimeout;
      return this;
    }

    /**
     * Sets {@code soundEffectsTimeout}; checked by {@link #build()}.
     *
     * @param soundEffectsTimeout how long a batch may take as a whole; (0, 24 h], default 300 s
     * @return this builder
     */
    public Builder soundEffectsTimeout(Duration soundEffectsTimeout) {
      this.soundEffectsTimeout = soundEffectsTimeout;
      return this;
    }

    /**
     * Sets {@code downloadTimeout}; checked by {@link #build()}.
     *
     * @param downloadTimeout the deadline for downloading one output, start to end; (0, 24 h], default 30 s
     * @return this builder
     */
    public Builder downloadTimeout(Duration downloadTimeout) {
      this.downloadTimeout = downloadTimeout;
      return this;
    }

    /**
     * Sets {@code ffmpegTimeout}; checked by {@link #build()}.
     *
     * @param ffmpegTimeout the deadline for one ffmpeg or ffprobe process; (0, 24 h], default 30 s
     * @return this builder
     */
    public Builder ffmpegTimeout(Duration ffmpegTimeout) {
      this.ffmpegTimeout = ffmpegTimeout;
      return this;
    }

    /**
     * Sets {@code maxFileSize}; checked by {@link #build()}.
     *
     * @param maxFileSize the largest output accepted, in bytes; 1 to 1 TiB, default 50,000,000
     * @return this builder
     */
    public Builder maxFileSize(long maxFileSize) {
      this.maxFileSize = maxFileSize;
      return this;
    }

    /**
     * Sets {@code silenceThreshold}; checked by {@link #build()}.
     *
     * @param silenceThreshold {@code -NdB} (N in [0, 200]) or an amplitude in (0, 1]; default {@code -60dB}
     * @return this builder
     */
    public Builder silenceThreshold(String silenceThreshold) {
      this.silenceThreshold = silenceThreshold;
      return this;
    }

    /**
     * Sets {@code ffmpegPath}; checked by {@link #build()}.
     *
     * @param ffmpegPath the ffmpeg executable, a path or a name on PATH; default {@code ffmpeg}
     * @return this builder
     */
    public Builder ffmpegPath(String ffmpegPath) {
      this.ffmpegPath = ffmpegPath;
      return this;
    }

    /**
     * Sets {@code ffprobePath}; checked by {@link #build()}.
     *
     * @param ffprobePath the ffprobe executable, a path or a name on PATH; default {@code ffprobe}
     * @return this builder
     */
    public Builder ffprobePath(String ffprobePath) {
      this.ffprobePath = ffprobePath;
      return this;
    }

    /**
     * Sets {@code maxConcurrentFfmpeg}; checked by {@link #build()}.
     *
     * @param maxConcurrentFfmpeg how many ffmpeg/ffprobe processes may run at once; 1 to 1024, default the available processors
     * @return this builder
     */
    public Builder maxConcurrentFfmpeg(int maxConcurrentFfmpeg) {
      this.maxConcurrentFfmpeg = maxConcurrentFfmpeg;
      return this;
    }

    /**
     * Builds the settings.
     *
     * @return the settings
     * @throws ConfigurationException listing every invalid value
     */
    public ReplicateAudioSettings build() {
      return new ReplicateAudioSettings(webhookTimeout, soundEffectsTimeout, downloadTimeout, ffmpegTimeout,
          maxFileSize, silenceThreshold, ffmpegPath, ffprobePath, maxConcurrentFfmpeg);
    }
  }
}

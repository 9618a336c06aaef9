package dev.replicateaudio.audio;

import dev.replicateaudio.ContentKey;
import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which {@link AudioPostProcessor} handles which content type. Immutable.
 *
 * <pre>{@code
 * AudioPostProcessors processors = AudioPostProcessors.defaults(runner, settings).toBuilder()
 *     .register("podcast_intro", SoundEffectProcessor.create(runner, settings))
 *     .build();
 * ProcessedAudio a = processors.forType(key.contentType()).process(downloaded, target);
 * }</pre>
 *
 * <p>{@link #defaults} maps {@code sound_effect} to {@link SoundEffectProcessor} (trim silence) and
 * {@code background_music} and {@code speech} to {@link PassThroughProcessor} (validate, keep as
 * is), and has the pass-through as its fallback: a content type without a processor of its own is
 * validated and stored unchanged, never trimmed. A registry built from {@link #builder()} without
 * {@link Builder#fallback} has no fallback: {@link #forType} then throws for unknown types.
 *
 * <p>This class is immutable and thread-safe; its {@link Builder} is not thread-safe.
 */
public final class AudioPostProcessors {
  private final Map<String, AudioPostProcessor> byType;
  private final AudioPostProcessor fallback;

  private AudioPostProcessors(Map<String, AudioPostProcessor> byType, AudioPostProcessor fallback) {
    this.byType = Collections.unmodifiableMap(new LinkedHashMap<>(byType));
    this.fallback = fallback;
  }

  /**
   * The standard registry: {@code sound_effect} → trim, {@code background_music} and
   * {@code speech} → validate, anything else → validate (fallback).
   *
   * @param runner runs ffmpeg for every processor
   * @param settings the silence threshold to trim at
   * @return the registry
   */
  public static AudioPostProcessors defaults(FfmpegRunner runner, ReplicateAudioSettings settings) {
    PassThroughProcessor validate = PassThroughProcessor.create(runner, settings);
    return builder()
        .register(ContentKey.SOUND_EFFECT, SoundEffectProcessor.create(runner, settings))
        .register(ContentKey.BACKGROUND_MUSIC, validate)
        .register(ContentKey.SPEECH, validate)
        .fallback(validate)
        .build();
  }

  /**
   * An empty builder: no types, no fallback.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding this registry's types and fallback.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.byType.putAll(byType);
    b.fallback = fallback;
    return b;
  }

  /**
   * The processor for {@code contentType}, or the fallback for a type without its own.
   *
   * @param contentType a content type, for example {@code sound_effect}
   * @return the processor
   * @throws IllegalArgumentException when there is neither (the message lists the registered types)
   */
  public AudioPostProcessor forType(String contentType) {
    Objects.requireNonNull(contentType, "contentType == null");
    AudioPostProcessor p = byType.get(contentType);
    if (p != null) {
      return p;
    }
    if (fallback != null) {
      return fallback;
    }
    throw new IllegalArgumentException("No AudioPostProcessor for content type '" + contentType
        + "' and no fallback; registered: " + byType.keySet());
  }

  /**
   * The processor registered for exactly {@code contentType}, ignoring the fallback.
   *
   * @param contentType a content type
   * @return its processor; empty when it has none of its own
   */
  public Optional<AudioPostProcessor> find(String contentType) {
    Objects.requireNonNull(contentType, "contentType == null");
    return Optional.ofNullable(byType.get(contentType));
  }

  /**
   * The fallback for unregistered types, if any.
   *
   * @return the fallback; empty when there is none
   */
  public Optional<AudioPostProcessor> fallback() {
    return Optional.ofNullable(fallback);
  }

  /**
   * The registered content types, in registration order.
   *
   * @return the types, unmodifiable
   */
  public Set<String> contentTypes() {
    return byType.keySet();
  }

  @Override
  public String toString() {
    return "AudioPostProcessors" + byType + (fallback == null ? "" : " fallback " + fallback);
  }

  /** Builds {@link AudioPostProcessors}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, AudioPostProcessor> byType = new LinkedHashMap<>();
    private AudioPostProcessor fallback;

    private Builder() {
    }

    /**
     * Sets the processor for {@code contentType}, replacing any earlier one.
     *
     * @param contentType a valid {@link ContentKey} content type
     * @param processor its processor
     * @return this builder
     * @throws IllegalArgumentException when {@code contentType} is not a valid {@link ContentKey} type
     */
    public Builder register(String contentType, AudioPostProcessor processor) {
      Objects.requireNonNull(contentType, "contentType == null");
      Objects.requireNonNull(processor, "processor == null");
      new ContentKey(contentType, 0); // validates the type's syntax with ContentKey's message
      byType.put(contentType, processor);
      return this;
    }

    /**
     * Removes the processor for {@code contentType}, if any.
     *
     * @param contentType the type
     * @return this builder
     */
    public Builder unregister(String contentType) {
      byType.remove(Objects.requireNonNull(contentType, "contentType == null"));
      return this;
    }

    /**
     * The processor for types without their own; null for none (then unknown types are refused).
     *
     * @param fallback the processor, or null for none
     * @return this builder
     */
    public Builder fallback(AudioPostProcessor fallback) {
      this.fallback = fallback;
      return this;
    }

    /**
     * Builds the registry from a copy of this builder's types.
     *
     * @return the registry
     */
    public AudioPostProcessors build() {
      return new AudioPostProcessors(byType, fallback);
    }
  }
}

/**
 * Post-processing of downloaded audio, one {@link dev.replicateaudio.audio.AudioPostProcessor} per
 * content type, chosen through {@link dev.replicateaudio.audio.AudioPostProcessors}: sound effects are
 * trimmed of leading and trailing silence ({@link dev.replicateaudio.audio.SoundEffectProcessor}),
 * other audio is validated and kept as is ({@link dev.replicateaudio.audio.PassThroughProcessor}).
 * Every argument and return value is non-null unless its Javadoc says otherwise.
 */
package dev.replicateaudio.audio;

package dev.replicateaudio.ffmpeg;

import dev.replicateaudio.ReplicateAudioSettings;

/** The two programs the runner starts. */
enum Tool {
  FFMPEG("ffmpeg", ReplicateAudioSettings.ENV_FFMPEG_PATH, "ffmpegPath"),
  FFPROBE("ffprobe", ReplicateAudioSettings.ENV_FFPROBE_PATH, "ffprobePath");

  final String displayName;
  final String envVariable;
  final String settingName;

  Tool(String displayName, String envVariable, String settingName) {
    this.displayName = displayName;
    this.envVariable = envVariable;
    this.settingName = settingName;
  }
}

package dev.replicateaudio.ffmpeg;

import dev.replicateaudio.ReplicateAudioSettings;

/** The two programs the runner starts. */
enum Tool {
  FFMPEG("ffmpeg", ReplicateAudioSettings.ENV_FFMPEG_PATH, "ffmpegPath", FfmpegListener.Program.FFMPEG),
  FFPROBE("ffprobe", ReplicateAudioSettings.ENV_FFPROBE_PATH, "ffprobePath", FfmpegListener.Program.FFPROBE);

  final String displayName;
  final String envVariable;
  final String settingName;
  final FfmpegListener.Program program;

  Tool(String displayName, String envVariable, String settingName, FfmpegListener.Program program) {
    this.program = program;
    this.displayName = displayName;
    this.envVariable = envVariable;
    this.settingName = settingName;
  }
}

package dev.replicateaudio.ffmpeg;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Executable {@code /bin/sh} scripts that stand in for ffmpeg or ffprobe in tests. */
final class ShellScripts {
  private ShellScripts() {
  }

  /** Writes {@code dir/name} running {@code body} with {@code /bin/sh}, executable, and returns it. */
  static Path write(Path dir, String name, String body) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + body + "\n", UTF_8);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }
}

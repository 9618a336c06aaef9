package dev.replicateaudio.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AudioMetadataTest {
  @TempDir Path dir;

  @Test
  void ofReadsTheFilesSizeAndSha256() throws Exception {
    Path file = Files.write(dir.resolve("abc.wav"), "abc".getBytes(StandardCharsets.US_ASCII));

    AudioMetadata m = AudioMetadata.of(file, "audio/wav", Duration.ofSeconds(1));

    // FIPS 180-2's known answer for "abc"
    assertThat(m).isEqualTo(new AudioMetadata("audio/wav", 3,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Duration.ofSeconds(1)));
  }

  @Test
  void ofAMissingFileSaysWhich() {
    Path missing = dir.resolve("missing.wav");
    assertThatThrownBy(() -> AudioMetadata.of(missing, "audio/wav", null))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining(missing.toString());
  }
}

package dev.replicateaudio.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replicateaudio.ContentKey;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStampTest {
  @TempDir Path dir;

  @Test
  void aStampHoldsUntilTheFileIsWrittenOrReplaced() throws Exception {
    Path file = Files.write(dir.resolve("a.wav"), "abc".getBytes(StandardCharsets.US_ASCII));
    FileStamp stamp = FileStamp.of(file);
    assertThat(stamp.sizeBytes()).isEqualTo(3);
    assertThat(FileStamp.of(file)).isEqualTo(stamp);
    Files.readAllBytes(file); // reading changes nothing
    assertThat(FileStamp.of(file)).isEqualTo(stamp);

    Files.write(file, "abd".getBytes(StandardCharsets.US_ASCII));
    Files.setLastModifiedTime(file, FileTime.from(stamp.lastModified().toInstant().plusSeconds(1)));
    assertThat(FileStamp.of(file)).as("same size, written later").isNotEqualTo(stamp);

    assertThatThrownBy(() -> FileStamp.of(dir.resolve("missing.wav")))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("missing.wav");
    assertThatThrownBy(() -> new FileStamp(-1, stamp.lastModified(), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sizeBytes < 0: -1");
  }

  @Test
  void theDefaultStoreOfAHashedFileRefusesOneThatChangedAndOtherwiseStoresIt() throws Exception {
    Path file = Files.write(dir.resolve("b.wav"), "abc".getBytes(StandardCharsets.US_ASCII));
    AudioMetadata metadata = AudioMetadata.of(file, "audio/wav", null);
    FileStamp hashedAs = FileStamp.of(file);
    List<ContentKey> stored = new ArrayList<>();
    AudioStore store = (key, audioFile, m) -> stored.add(key);

    store.storeAudio(ContentKey.speech(1), file, metadata, hashedAs);
    assertThat(stored).containsExactly(ContentKey.speech(1));

    Files.write(file, "abcd".getBytes(StandardCharsets.US_ASCII));
    assertThatThrownBy(() -> store.storeAudio(ContentKey.speech(2), file, metadata, hashedAs))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("storeAudio(speech:2) failed: " + file + " changed after it was hashed")
        .satisfies(e -> assertThat(((StorageException) e).isRetryable()).isFalse());
    Files.delete(file);
    assertThatThrownBy(() -> store.storeAudio(ContentKey.speech(3), file, metadata, hashedAs))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("b.wav");
    assertThat(stored).containsExactly(ContentKey.speech(1));
  }
}

package dev.replicateaudio.examples.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the benchmark's audio: 16-bit PCM WAV, a sine tone at half scale with 5 ms fades, between
 * stretches of digital silence that {@code SoundEffectProcessor} trims. Streams through a small
 * buffer, so a 50 MB file costs no heap.
 */
final class BenchAudio {
  private static final int HEADER_BYTES = 44;

  private BenchAudio() {
  }

  /**
   * A WAV of exactly {@code totalBytes} (header included): {@code leadSeconds} of silence, the
   * tone, {@code tailSeconds} of silence.
   */
  static Path wavOfSize(Path file, long totalBytes, int sampleRate, int channels, double leadSeconds,
      double tailSeconds) {
    int frameBytes = 2 * channels;
    long frames = (totalBytes - HEADER_BYTES) / frameBytes;
    long lead = Math.round(leadSeconds * sampleRate);
    long tail = Math.round(tailSeconds * sampleRate);
    if (frames <= lead + tail || (totalBytes - HEADER_BYTES) % frameBytes != 0) {
      throw new IllegalArgumentException("can't make a " + totalBytes + "-byte WAV of " + channels
          + " channel(s) with " + leadSeconds + " s + " + tailSeconds + " s of silence");
    }
    return write(file, sampleRate, channels, lead, frames - lead - tail, tail);
  }

  /** A WAV with the given lengths of silence, tone and silence, in seconds. */
  static Path wav(Path file, int sampleRate, int channels, double leadSeconds, double toneSeconds,
      double tailSeconds) {
    return write(file, sampleRate, channels, Math.round(leadSeconds * sampleRate),
        Math.round(toneSeconds * sampleRate), Math.round(tailSeconds * sampleRate));
  }

  private static Path write(Path file, int sampleRate, int channels, long lead, long tone, long tail) {
    long frames = lead + tone + tail;
    long dataBytes = frames * 2 * channels;
    if (dataBytes > 0xFFFF_FFFFL - 36) {
      throw new IllegalArgumentException("too long for a RIFF WAV: " + dataBytes + " bytes of samples");
    }
    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    header.put(new byte[] {'R', 'I', 'F', 'F'}).putInt((int) (36 + dataBytes)).put(new byte[] {'W', 'A', 'V', 'E'});
    header.put(new byte[] {'f', 'm', 't', ' '}).putInt(16).putShort((short) 1).putShort((short) channels)
        .putInt(sampleRate).putInt(sampleRate * channels * 2).putShort((short) (channels * 2)).putShort((short) 16);
    header.put(new byte[] {'d', 'a', 't', 'a'}).putInt((int) dataBytes);
    double freq = 440.0;
    long fade = Math.max(1, sampleRate / 200); // 5 ms
    byte[] frame = new byte[2 * channels];
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024)) {
      out.write(header.array());
      for (long i = 0; i < frames; i++) {
        short sample = 0;
        long t = i - lead;
        if (t >= 0 && t < tone) {
          double envelope = Math.min(1.0, Math.min(t + 1, tone - t) / (double) fade);
          sample = (short) Math.round(0.5 * envelope * Short.MAX_VALUE * Math.sin(2 * Math.PI * freq * t / sampleRate));
        }
        for (int c = 0; c < channels; c++) {
          frame[2 * c] = (byte) sample;
          frame[2 * c + 1] = (byte) (sample >> 8);
        }
        out.write(frame);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("can't write " + file, e);
    }
    return file;
  }
}

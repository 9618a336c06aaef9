package dev.replicateaudio.examples.bench;

import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.examples.simulator.ReplicateSimulator;
import dev.replicateaudio.okhttp.ReplicateClient;
import dev.replicateaudio.prediction.Prediction;
import dev.replicateaudio.prediction.PredictionRequest;
import dev.replicateaudio.prediction.PredictionStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Audio to download, from the local Replicate simulator: predictions created through its API (with
 * the library's {@link ReplicateClient}, outside any timed section) whose outputs are WAV sound
 * effects of a requested size (mono, 44.1 kHz, a tone between 0.5 s silences), served from its
 * delivery URLs as {@code replicate.delivery} would. The simulator's webhooks are switched off
 * ({@code lost_webhook}): the benchmarks post their own, timed.
 */
final class SimulatorDelivery implements AutoCloseable {
  private final ReplicateSimulator simulator;
  private final ReplicateClient client;
  private final OkHttpClient http = new OkHttpClient();
  private int predictions;

  private SimulatorDelivery(ReplicateSimulator simulator) {
    this.simulator = simulator;
    this.client = ReplicateClient.builder().apiToken(simulator.apiToken()).baseUrl(simulator.baseUrl()).build();
  }

  static SimulatorDelivery start(ReplicateAudioSettings settings) {
    return new SimulatorDelivery(ReplicateSimulator.builder()
        .startDelay(Duration.ZERO)
        .processingTime(Duration.ZERO)
        .ffmpeg(settings)
        .start());
  }

  /**
   * The delivery URLs of {@code count} new predictions, each a WAV of {@code sizeBytes}; every URL
   * has been downloaded once, so the simulator has rendered the clip before anything is timed.
   */
  List<URI> wavs(long sizeBytes, int count) {
    List<URI> urls = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      // the benchmarks post their own webhooks, timed: the simulator's are switched off (lost_webhook)
      PredictionRequest request = PredictionRequest.forModel("bench/sound-effect")
          .input(Map.of("prompt", "benchmark tone", "size_bytes", sizeBytes, "output_format", "wav",
              "simulate", "lost_webhook"))
          .webhook(URI.create("http://127.0.0.1:9/never-called"))
          .build();
      String id = client.createWebhookPrediction(request).id();
      predictions++;
      URI url = awaitOutput(id);
      urls.add(url);
      fetch(url, sizeBytes);
    }
    return urls;
  }

  private URI awaitOutput(String id) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      Prediction p = simulator.prediction(id)
          .orElseThrow(() -> new IllegalStateException("the simulator forgot " + id));
      if (p.status() == PredictionStatus.SUCCEEDED && p.firstOutput().isPresent()) {
        return p.firstOutput().get();
      }
      if (p.isTerminal()) {
        throw new IllegalStateException("simulated prediction " + id + " ended " + p);
      }
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
    throw new IllegalStateException("simulated prediction " + id + " did not succeed within 60 s");
  }

  /** Downloads {@code url} into {@code file}, for the bare ffmpeg runs on the same audio. */
  void download(URI url, java.nio.file.Path file) {
    try (Response r = http.newCall(new Request.Builder().url(url.toString()).build()).execute();
        InputStream in = r.body().byteStream()) {
      if (r.code() != 200) {
        throw new IllegalStateException("the simulator answered HTTP " + r.code() + " for " + url);
      }
      java.nio.file.Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("can't download " + url, e);
    }
  }

  /** Downloads {@code url} to nowhere and checks its size (within a few bytes of the request). */
  private void fetch(URI url, long sizeBytes) {
    try (Response r = http.newCall(new Request.Builder().url(url.toString()).build()).execute();
        InputStream in = r.body().byteStream()) {
      long n = in.transferTo(java.io.OutputStream.nullOutputStream());
      if (r.code() != 200 || Math.abs(n - sizeBytes) > 4) {
        throw new IllegalStateException("the simulator served " + n + " bytes with HTTP " + r.code() + " for "
            + url + ", expected " + sizeBytes);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("can't download " + url, e);
    }
  }

  /** How many predictions were created. */
  int predictions() {
    return predictions;
  }

  @Override
  public void close() {
    client.close();
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
    simulator.close();
  }
}

package dev.replicateaudio.examples.soak;

import dev.replicateaudio.CompletionStatus;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.examples.simulator.Fault;
import dev.replicateaudio.port.JobStatus;
import dev.replicateaudio.prediction.PredictionRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak's steady mix of jobs: plain successes (WAV and MP3 sound effects, music), every fault of
 * the simulator, ffmpeg that hangs, crashes or floods its stderr (content types whose processor runs
 * a wrapper script), and the database session ended in the middle of the store transaction; each
 * with the state it must end in ({@link Expect}). Jobs are dealt from a shuffled deck, so every
 * label comes up at its share in every stretch of the run. Thread-safe.
 */
final class FaultMix {
  static final String MODEL = "sepal/audiogen";
  /** Content types whose processor runs an ffmpeg wrapper that misbehaves (see {@link SoakStack}). */
  static final String FFMPEG_HANG = "sfx_ffmpeg_hang";
  static final String FFMPEG_CRASH = "sfx_ffmpeg_crash";
  static final String FFMPEG_FLOOD = "sfx_ffmpeg_flood";
  /** Content type whose first store transaction has its database connection terminated. */
  static final String DB_KILL = "sfx_db_kill";

  /** What a job ends as: job state, outcome, whether audio is stored, a piece of the error (lower case). */
  record Expect(JobStatus job, CompletionStatus outcome, boolean audio, String error) {
    static Expect stored() {
      return new Expect(JobStatus.SUCCEEDED, CompletionStatus.SUCCEEDED, true, null);
    }

    static Expect failed(CompletionStatus outcome, String error) {
      return new Expect(JobStatus.FAILED, outcome, false, error);
    }
  }

  /** One kind of job: its label, how many of it in a deck, and how to make its request. */
  record Kind(String label, int perDeck, String contentType, String format, List<Fault> faults, Expect expect) {
  }

  /** One job to run. */
  record Job(ContentKey key, Kind kind, PredictionRequest request) {
  }

  private static final List<String> PROMPTS = List.of("door creak", "glass shatter", "footsteps", "thunder", "coins",
      "laser shot", "cat meow", "telephone ring");

  private final List<Kind> kinds;
  private final Random random;
  private final AtomicLong ids = new AtomicLong();
  private final List<Kind> deck = new ArrayList<>();

  private FaultMix(List<Kind> kinds, long seed) {
    this.kinds = List.copyOf(kinds);
    this.random = new Random(seed);
  }

  /**
   * The standard mix: in every deck of 70 jobs, 30 plain successes and 40 faults (each simulator
   * fault and each host-side fault), so that failures keep their share over any stretch of the run.
   *
   */
  static FaultMix standard(long seed) {
    List<Kind> k = new ArrayList<>();
    k.add(sfx("none (wav)", 16, "wav", Expect.stored()));
    k.add(sfx("none (mp3)", 8, "mp3", Expect.stored()));
    k.add(new Kind("none (music)", 6, ContentKey.BACKGROUND_MUSIC, "mp3", List.of(), Expect.stored()));
    k.add(sfx(Fault.FAIL, 2, Expect.failed(CompletionStatus.FAILED, "simulated")));
    k.add(sfx(Fault.CANCEL, 2, Expect.failed(CompletionStatus.CANCELED, "cancel")));
    k.add(sfx(Fault.ABORT, 2, Expect.failed(CompletionStatus.CANCELED, "aborted")));
    k.add(sfx(Fault.NO_OUTPUT, 1, Expect.failed(CompletionStatus.FAILED, "no output")));
    k.add(sfx(Fault.LOST_WEBHOOK, 3, Expect.stored()));
    k.add(sfx(Fault.DUPLICATE_WEBHOOKS, 4, Expect.stored()));
    k.add(sfx(Fault.OUT_OF_ORDER, 3, Expect.stored()));
    k.add(sfx(Fault.SILENT, 2, Expect.failed(CompletionStatus.FAILED, "silent")));
    k.add(sfx(Fault.CORRUPT, 2, Expect.failed(CompletionStatus.FAILED, "")));
    k.add(sfx(Fault.GARBAGE, 2, Expect.failed(CompletionStatus.FAILED, "")));
    k.add(sfx(Fault.DATA_URI, 2, Expect.stored()));
    k.add(sfx(Fault.SLOW_DOWNLOAD, 1, Expect.stored()));
    k.add(sfx(Fault.OVERSIZED, 1, Expect.failed(CompletionStatus.FAILED, "larger than the limit")));
    k.add(sfx(Fault.OVERSIZED_CHUNKED, 1, Expect.failed(CompletionStatus.FAILED, "larger than the limit")));
    k.add(sfx(Fault.DISCONNECT, 1, Expect.failed(CompletionStatus.FAILED, "gave up after 5 attempts")));
    k.add(sfx(Fault.HTTP_500, 1, Expect.failed(CompletionStatus.FAILED, "gave up after 5 attempts")));
    k.add(sfx(Fault.HANG_DOWNLOAD, 1, Expect.failed(CompletionStatus.FAILED, "gave up after 5 attempts")));
    k.add(sfx(Fault.REDIRECT_LOOP, 1, Expect.failed(CompletionStatus.FAILED, "more than 5 redirects")));
    k.add(sfx(Fault.REDIRECT_PRIVATE, 1, Expect.failed(CompletionStatus.FAILED, "169.254.169.254")));
    k.add(new Kind(FFMPEG_HANG, 1, FFMPEG_HANG, "wav", List.of(),
        Expect.failed(CompletionStatus.FAILED, "gave up after 5 attempts")));
    k.add(new Kind(FFMPEG_CRASH, 1, FFMPEG_CRASH, "wav", List.of(),
        Expect.failed(CompletionStatus.FAILED, "ffmpeg exited with code 139")));
    k.add(new Kind(FFMPEG_FLOOD, 1, FFMPEG_FLOOD, "wav", List.of(),
        Expect.failed(CompletionStatus.FAILED, "ffmpeg exited with code 1")));
    k.add(new Kind(DB_KILL, 2, DB_KILL, "wav", List.of(), Expect.stored()));
    return new FaultMix(k, seed);
  }

  private static Kind sfx(String label, int perDeck, String format, Expect expect) {
    return new Kind(label, perDeck, ContentKey.SOUND_EFFECT, format, List.of(), expect);
  }

  private static Kind sfx(Fault fault, int perDeck, Expect expect) {
    return new Kind(fault.inputValue(), perDeck, ContentKey.SOUND_EFFECT, "wav", List.of(fault), expect);
  }

  List<Kind> kinds() {
    return kinds;
  }

  /** The next job: a new content key, the next kind of the deck. */
  synchronized Job next() {
    if (deck.isEmpty()) {
      for (Kind k : kinds) {
        for (int i = 0; i < k.perDeck(); i++) {
          deck.add(k);
        }
      }
      Collections.shuffle(deck, random);
    }
    Kind kind = deck.remove(deck.size() - 1);
    long id = ids.incrementAndGet();
    Map<String, Object> input = new LinkedHashMap<>();
    input.put("prompt", PROMPTS.get((int) (id % PROMPTS.size())));
    input.put("duration", 0.3);
    input.put("output_format", kind.format());
    if (!kind.faults().isEmpty()) {
      input.put("simulate", kind.faults().stream().map(Fault::inputValue).collect(java.util.stream.Collectors.toList()));
    }
    return new Job(new ContentKey(kind.contentType(), id), kind, PredictionRequest.forModel(MODEL).input(input).build());
  }
}

package dev.replicateaudio.testing;

import dev.replicateaudio.ManagedTempFiles;
import dev.replicateaudio.internal.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves something behind: a new entry in the temp root
 * ({@link ManagedTempFiles#defaultBaseDirectory()}, {@code ${java.io.tmpdir}/replicate-audio}) or a new
 * live child process of the JVM (any descendant of {@link ProcessHandle#current()} that is not a
 * zombie).
 *
 * <pre>{@code
 * @ExtendWith(LeakCheckExtension.class)
 * class MyTest { ... }
 * }</pre>
 *
 * <p>Before each test it records what exists; after it, it waits up to {@link #GRACE} (or the grace
 * given to {@link #LeakCheckExtension(Duration)}, for use with {@code @RegisterExtension}) for newcomers
 * to go away (a killed process takes a moment to die), then fails listing them: directory names,
 * process ids and command lines. It also removes them (kills the processes forcibly, deletes the
 * entries), so one leak is reported by the test that caused it and not by every following one.
 * Tests that run in parallel inside one JVM can't be told apart; run them sequentially.
 */
public final class LeakCheckExtension implements BeforeEachCallback, AfterEachCallback {
  /** How long leftovers may take to disappear after the test. */
  public static final Duration GRACE = Duration.ofSeconds(5);

  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LeakCheckExtension.class);

  private final Duration grace;

  /** An extension waiting {@link #GRACE} for leftovers to disappear. */
  public LeakCheckExtension() {
    this(GRACE);
  }

  /** An extension waiting {@code grace} for leftovers to disappear. */
  public LeakCheckExtension(Duration grace) {
    this.grace = java.util.Objects.requireNonNull(grace, "grace == null");
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    ExtensionContext.Store store = context.getStore(NS);
    store.put("entries", tempEntries());
    store.put("pids", livePids());
  }

  @Override
  public void afterEach(ExtensionContext context) {
    ExtensionContext.Store store = context.getStore(NS);
    @SuppressWarnings("unchecked")
    Set<String> entriesBefore = store.get("entries", Set.class);
    @SuppressWarnings("unchecked")
    Set<Long> pidsBefore = store.get("pids", Set.class);
    long deadline = System.nanoTime() + grace.toNanos();
    Set<String> newEntries;
    List<ProcessHandle> newProcesses;
    while (true) {
      newEntries = new TreeSet<>(tempEntries());
      newEntries.removeAll(entriesBefore);
      newProcesses = liveDescendants().stream().filter(p -> !pidsBefore.contains(p.pid())).collect(Collectors.toList());
      if ((newEntries.isEmpty() && newProcesses.isEmpty()) || System.nanoTime() - deadline > 0) {
        break;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (newEntries.isEmpty() && newProcesses.isEmpty()) {
      return;
    }
    StringBuilder msg = new StringBuilder("Test left resources behind after a grace period of " + grace.toMillis()
        + " ms:");
    for (String e : newEntries) {
      msg.append("\n  temp entry ").append(ManagedTempFiles.defaultBaseDirectory().resolve(e));
    }
    for (ProcessHandle p : newProcesses) {
      msg.append("\n  process ").append(p.pid()).append(' ')
          .append(p.info().commandLine().orElse(p.info().command().orElse("?")));
    }
    newProcesses.forEach(ProcessHandle::destroyForcibly);
    newEntries.forEach(e -> deleteTree(ManagedTempFiles.defaultBaseDirectory().resolve(e)));
    throw new AssertionError(msg.toString());
  }

  /** Names of the entries in the temp root now. */
  public static Set<String> tempEntries() {
    Path root = ManagedTempFiles.defaultBaseDirectory();
    Set<String> names = new TreeSet<>();
    if (!Files.isDirectory(root)) {
      return names;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
      for (Path p : ds) {
        names.add(p.getFileName().toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return names;
  }

  /** The JVM's live descendant processes now. */
  public static List<ProcessHandle> liveDescendants() {
    try (Stream<ProcessHandle> s = ProcessHandle.current().descendants()) {
      return s.filter(Processes::isRunning).collect(Collectors.toList());
    }
  }

  private static Set<Long> livePids() {
    return liveDescendants().stream().map(ProcessHandle::pid).collect(Collectors.toSet());
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException ignored) {
      // reported already
    }
  }

  /** For diagnostics: a map of pid to command line of the live descendants. */
  public static Map<Long, String> describeLiveDescendants() {
    return liveDescendants().stream().collect(Collectors.toMap(ProcessHandle::pid,
        p -> p.info().commandLine().orElse("?"), (a, b) -> a));
  }
}

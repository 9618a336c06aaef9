package dev.replicateaudio.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replicateaudio.ManagedTempFiles;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The leak check itself must be able to fail. */
class LeakCheckExtensionTest {
  /** A hand-made ExtensionContext whose only working part is a map-backed store. */
  private static ExtensionContext fakeContext() {
    Map<Object, Object> values = new HashMap<>();
    ExtensionContext.Store store = (ExtensionContext.Store) Proxy.newProxyInstance(
        LeakCheckExtensionTest.class.getClassLoader(), new Class<?>[] {ExtensionContext.Store.class},
        (proxy, method, args) -> {
          switch (method.getName()) {
            case "put":
              values.put(args[0], args[1]);
              return null;
            case "get":
              return values.get(args[0]);
            default:
              throw new UnsupportedOperationException(method.getName());
          }
        });
    return (ExtensionContext) Proxy.newProxyInstance(LeakCheckExtensionTest.class.getClassLoader(),
        new Class<?>[] {ExtensionContext.class}, (proxy, method, args) -> {
          if (method.getName().equals("getStore")) {
            return store;
          }
          throw new UnsupportedOperationException(method.getName());
        });
  }

  @Test
  void failsATestThatLeavesATempEntryOrAChildProcessAndCleansThemUp() throws Exception {
    LeakCheckExtension check = new LeakCheckExtension(Duration.ofMillis(200));
    ExtensionContext ctx = fakeContext();
    check.beforeEach(ctx);
    ManagedTempFiles leaked = ManagedTempFiles.create(".wav");
    Files.writeString(leaked.path(0), "x");
    Process sleeper = new ProcessBuilder("sleep", "60").start();

    assertThatThrownBy(() -> check.afterEach(ctx)).isInstanceOf(AssertionError.class)
        .hasMessageContaining("temp entry " + leaked.directory())
        .hasMessageContaining("process " + sleeper.pid())
        .hasMessageContaining("sleep 60");

    assertThat(sleeper.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(leaked.directory()).doesNotExist();
  }

  @Test
  void passesWhenLeftoversDisappearWithinTheGracePeriod() throws Exception {
    LeakCheckExtension check = new LeakCheckExtension(Duration.ofSeconds(10));
    ExtensionContext ctx = fakeContext();
    check.beforeEach(ctx);
    Process shortLived = new ProcessBuilder("sleep", "0.3").start();
    Path dir = ManagedTempFiles.create(".x").directory();
    Thread cleaner = new Thread(() -> {
      try {
        Thread.sleep(300);
        Files.delete(dir);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    cleaner.start();
    check.afterEach(ctx);
    cleaner.join();
    assertThat(shortLived.isAlive()).isFalse();
  }
}

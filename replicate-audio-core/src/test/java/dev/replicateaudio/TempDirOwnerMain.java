package dev.replicateaudio;

import java.nio.file.Paths;

/**
 * Run in a child JVM by the tests: creates a {@link ManagedTempFiles} under the base directory given
 * as the first argument, prints its directory, and waits to be killed.
 */
final class TempDirOwnerMain {
  private TempDirOwnerMain() {
  }

  public static void main(String[] args) throws Exception {
    ManagedTempFiles temp = ManagedTempFiles.create(Paths.get(args[0]), ".wav");
    java.nio.file.Files.writeString(temp.path(0), "partial download");
    System.out.println(temp.directory());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}

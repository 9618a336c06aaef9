package dev.replicateaudio.jdbi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replicateaudio.jdbi.internal.SchemaMigrations;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The migration scripts on the classpath: one script and one undo script per version and database, nothing else. */
class SchemaMigrationsLayoutTest {
  @Test
  void everyDatabaseHasAScriptAndAnUndoScriptForEveryVersionAndNothingElse() throws Exception {
    assertThat(SchemaInstaller.LATEST_VERSION).isEqualTo(SchemaMigrations.latest()).isEqualTo(SchemaMigrations.steps().size());
    Set<String> expected = new TreeSet<>();
    for (SchemaMigrations.Step step : SchemaMigrations.steps()) {
      expected.add(step.fileName(false));
      expected.add(step.fileName(true));
    }
    URL root = getClass().getClassLoader().getResource(SchemaMigrations.ROOT);
    List<String> directories = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(Path.of(root.toURI()))) {
      dirs.forEach(d -> directories.add(d.getFileName().toString()));
    }
    assertThat(directories).containsExactlyInAnyOrder("h2", "postgresql", "mysql", "sqlite");
    for (SqlDialect dialect : SqlDialect.values()) {
      Path dir = Path.of(getClass().getClassLoader().getResource(SchemaInstaller.migrationsDirectory(dialect)).toURI());
      try (Stream<Path> files = Files.list(dir)) {
        Set<String> found = files.map(f -> f.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        assertThat(found).as(dialect.displayName()).isEqualTo(expected);
      }
    }
    assertThat(SchemaInstaller.migrationsDirectory(SqlDialect.MARIADB)).isEqualTo("dev/replicateaudio/jdbi/migrations/mysql");
  }

  @Test
  void theChecksumIsSha256OfTheTextWithLineEndingsNormalised() {
    // sha256sum of the script with \n line endings
    String lf = "6ddf1ee262c62bb5f1b65ea5e6fce5115bc393884f69cfbca9f4bbebf34e29ec";
    assertThat(SchemaMigrations.checksum("CREATE TABLE t (x INT);\nDROP TABLE t;\n")).isEqualTo(lf);
    assertThat(SchemaMigrations.checksum("CREATE TABLE t (x INT);\r\nDROP TABLE t;\r\n")).isEqualTo(lf);
    assertThat(SchemaMigrations.checksum("CREATE TABLE t (x BIGINT);\nDROP TABLE t;\n")).isNotEqualTo(lf);
  }
}

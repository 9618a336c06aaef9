package dev.replicateaudio.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checks on made-up reactors, so each failure they exist for is seen to fail. */
class ReactorChecksTest {
  private static final String METADATA = "<url>https://example.org</url>"
      + "<licenses><license><name>Apache-2.0</name></license></licenses>"
      + "<developers><developer><id>p</id></developer></developers>"
      + "<scm><connection>scm:git:x</connection><url>https://example.org/scm</url></scm>";

  @TempDir Path root;

  @Test
  void aCompleteBomHasNoProblems() throws Exception {
    reactor("<dependency><groupId>${project.groupId}</groupId><artifactId>a-core</artifactId>"
        + "<version>${project.version}</version></dependency>"
        + "<dependency><groupId>org.example</groupId><artifactId>a-extra</artifactId>"
        + "<version>${project.version}</version></dependency>");

    assertThat(ReactorChecks.bomProblems(root, "a-bom")).isEmpty();
  }

  @Test
  void aPublishedModuleMissingFromTheBomIsNamed() throws Exception {
    reactor("<dependency><groupId>org.example</groupId><artifactId>a-core</artifactId>"
        + "<version>${project.version}</version></dependency>");

    assertThat(ReactorChecks.bomProblems(root, "a-bom")).singleElement().asString()
        .startsWith("a-bom/pom.xml lacks the published module a-extra (nested/a-extra/pom.xml): add it");
  }

  @Test
  void anUnpublishedOrUnknownModuleInTheBomIsNamed() throws Exception {
    reactor(managed("a-core") + managed("a-extra") + managed("a-examples") + managed("a-gone"));

    assertThat(ReactorChecks.bomProblems(root, "a-bom")).containsExactly(
        "a-bom/pom.xml lists a-examples, which is not a published module of the reactor: remove it",
        "a-bom/pom.xml lists a-gone, which is not a published module of the reactor: remove it");
  }

  @Test
  void aFixedVersionOrAForeignGroupIsRefused() throws Exception {
    reactor("<dependency><groupId>org.example</groupId><artifactId>a-core</artifactId>"
        + "<version>1.0</version></dependency>" + managed("a-extra")
        + "<dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-databind</artifactId>"
        + "<version>2.0</version></dependency>");

    assertThat(ReactorChecks.bomProblems(root, "a-bom")).containsExactly(
        "a-bom/pom.xml gives a-core the version '1.0': write ${project.version}",
        "a-bom/pom.xml manages com.fasterxml.jackson.core:jackson-databind, which is not one of this project's"
            + " modules (groupId org.example): remove it");
  }

  @Test
  void theBomMustRepeatTheRootsVersionAndMetadata() throws Exception {
    reactor(managed("a-core") + managed("a-extra"));
    String bom = Files.readString(root.resolve("a-bom/pom.xml"));
    Files.writeString(root.resolve("a-bom/pom.xml"),
        bom.replace("<version>1.2.0-SNAPSHOT</version>", "<version>1.1.0</version>")
            .replace("<name>Apache-2.0</name>", "<name>MIT</name>"));

    assertThat(ReactorChecks.bomProblems(root, "a-bom")).containsExactly(
        "a-bom/pom.xml has <version> '1.1.0' where the root pom has '1.2.0-SNAPSHOT': make them equal"
            + " (the BOM does not inherit from the parent)",
        "a-bom/pom.xml has <licenses/license/name> 'MIT' where the root pom has 'Apache-2.0': make them equal"
            + " (the BOM does not inherit from the parent)");
  }

  @Test
  void theLastModuleMustDependOnEveryModuleWithCode() throws Exception {
    reactor(managed("a-core") + managed("a-extra"));

    assertThat(ReactorChecks.buildsLastProblems(root, "a-build")).singleElement().asString()
        .startsWith("a-build/pom.xml does not depend on a-examples: add it");
  }

  @Test
  void aMissingModuleDirectoryIsAnError() throws Exception {
    write("pom.xml", "<project><groupId>g</groupId><modules><module>nowhere</module></modules></project>");

    assertThatThrownBy(() -> Reactor.modules(root)).isInstanceOf(IOException.class);
  }

  private static String managed(String artifactId) {
    return "<dependency><groupId>org.example</groupId><artifactId>" + artifactId + "</artifactId>"
        + "<version>${project.version}</version></dependency>";
  }

  /**
   * A reactor with a BOM, two published modules with code (one under a nested aggregator), the
   * examples (code, not published) and a build module depending on core, extra and itself only.
   */
  private void reactor(String bomDependencies) throws IOException {
    write("pom.xml", "<project><groupId>org.example</groupId><artifactId>a-parent</artifactId>"
        + "<version>1.2.0-SNAPSHOT</version>" + METADATA
        + "<modules><module>a-bom</module><module>a-core</module><module>nested</module>"
        + "<module>a-examples</module><module>a-build</module></modules></project>");
    write("a-bom/pom.xml", "<project><groupId>org.example</groupId><artifactId>a-bom</artifactId>"
        + "<version>1.2.0-SNAPSHOT</version><packaging>pom</packaging>" + METADATA
        + "<dependencyManagement><dependencies>" + bomDependencies + "</dependencies></dependencyManagement>"
        + "</project>");
    module("a-core", "a-core", "");
    write("nested/pom.xml", "<project><artifactId>a-nested</artifactId><packaging>pom</packaging>"
        + "<modules><module>a-extra</module></modules></project>");
    module("nested/a-extra", "a-extra", "");
    module("a-examples", "a-examples", "<properties><maven.deploy.skip>true</maven.deploy.skip></properties>");
    module("a-build", "a-build", "<properties><maven.deploy.skip> true </maven.deploy.skip></properties>"
        + "<dependencies><dependency><artifactId>a-core</artifactId></dependency>"
        + "<dependency><artifactId>a-extra</artifactId></dependency></dependencies>");
  }

  private void module(String directory, String artifactId, String more) throws IOException {
    write(directory + "/pom.xml", "<project><artifactId>" + artifactId + "</artifactId>" + more + "</project>");
    Files.createDirectories(root.resolve(directory).resolve("src/main/java"));
  }

  private void write(String file, String content) throws IOException {
    Path path = root.resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(path, content, StandardCharsets.UTF_8);
  }
}

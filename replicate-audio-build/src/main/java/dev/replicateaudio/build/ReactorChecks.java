package dev.replicateaudio.build;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.w3c.dom.Element;

/**
 * Release checks on the reactor's pom.xml files, each returning the problems it finds as sentences that
 * say what to change (empty when all is well).
 */
final class ReactorChecks {
  private ReactorChecks() {}

  /**
   * The BOM manages every published module of the reactor at {@code ${project.version}} and nothing else,
   * carries the root's version, and the root's licence, URL and SCM (it has no parent to inherit them from).
   */
  static List<String> bomProblems(Path rootDirectory, String bomArtifactId) throws IOException {
    List<String> problems = new ArrayList<>();
    List<Reactor.Module> modules = Reactor.modules(rootDirectory);
    Optional<Reactor.Module> found =
        modules.stream().filter(m -> m.artifactId().equals(bomArtifactId)).findFirst();
    if (found.isEmpty()) {
      problems.add("the reactor has no module " + bomArtifactId + ": add it to the root pom's <modules>");
      return problems;
    }
    Element bom = found.get().pom();
    String bomFile = rootDirectory.relativize(found.get().directory().resolve("pom.xml")).toString();
    Element root = Reactor.read(rootDirectory.resolve("pom.xml"));
    String groupId = Reactor.text(root, "groupId").orElse("");

    Set<String> listed = new LinkedHashSet<>();
    for (Element dependency : Reactor.children(bom, "dependencyManagement", "dependencies", "dependency")) {
      String artifactId = Reactor.text(dependency, "artifactId").orElse("");
      String dependencyGroup = Reactor.text(dependency, "groupId").orElse("");
      if (!dependencyGroup.equals(groupId) && !dependencyGroup.equals("${project.groupId}")) {
        problems.add(bomFile + " manages " + dependencyGroup + ":" + artifactId
            + ", which is not one of this project's modules (groupId " + groupId + "): remove it");
        continue;
      }
      String version = Reactor.text(dependency, "version").orElse("");
      if (!version.equals("${project.version}")) {
        problems.add(bomFile + " gives " + artifactId + " the version '" + version
            + "': write ${project.version}");
      }
      listed.add(artifactId);
    }
    for (Reactor.Module module : modules) {
      if (module.published() && !module.artifactId().equals(bomArtifactId)
          && !listed.contains(module.artifactId())) {
        problems.add(bomFile + " lacks the published module " + module.artifactId() + " ("
            + rootDirectory.relativize(module.directory().resolve("pom.xml"))
            + "): add it to the BOM's dependencyManagement at ${project.version}, or set maven.deploy.skip"
            + " to true in that module if it is not published");
      }
    }
    for (String artifactId : listed) {
      boolean published = modules.stream()
          .anyMatch(m -> m.artifactId().equals(artifactId) && m.published() && !m.artifactId().equals(bomArtifactId));
      if (!published) {
        problems.add(bomFile + " lists " + artifactId
            + ", which is not a published module of the reactor: remove it");
      }
    }
    for (String[] path : new String[][] {
        {"version"}, {"url"}, {"licenses", "license", "name"}, {"scm", "url"}, {"scm", "connection"},
        {"developers", "developer", "id"}}) {
      String expected = Reactor.text(root, path).orElse("");
      String actual = Reactor.text(bom, path).orElse("");
      if (!expected.equals(actual)) {
        problems.add(bomFile + " has <" + String.join("/", path) + "> '" + actual + "' where the root pom has '"
            + expected + "': make them equal (the BOM does not inherit from the parent)");
      }
    }
    return problems;
  }

  /**
   * The module {@code lastArtifactId} depends on every other module of the reactor that has code, so the
   * reactor builds it last and its aggregate coverage report covers them all.
   */
  static List<String> buildsLastProblems(Path rootDirectory, String lastArtifactId) throws IOException {
    List<String> problems = new ArrayList<>();
    List<Reactor.Module> modules = Reactor.modules(rootDirectory);
    Optional<Reactor.Module> last =
        modules.stream().filter(m -> m.artifactId().equals(lastArtifactId)).findFirst();
    if (last.isEmpty()) {
      problems.add("the reactor has no module " + lastArtifactId + ": add it to the root pom's <modules>");
      return problems;
    }
    Set<String> dependencies = new LinkedHashSet<>();
    for (Element dependency : Reactor.children(last.get().pom(), "dependencies", "dependency")) {
      dependencies.add(Reactor.text(dependency, "artifactId").orElse(""));
    }
    String file = rootDirectory.relativize(last.get().directory().resolve("pom.xml")).toString();
    for (Reactor.Module module : modules) {
      if (module.hasCode() && !module.artifactId().equals(lastArtifactId)
          && !dependencies.contains(module.artifactId())) {
        problems.add(file + " does not depend on " + module.artifactId()
            + ": add it (with the exclusion of *:* like the others), so that the reactor builds "
            + lastArtifactId + " after it and the coverage summary includes it");
      }
    }
    return problems;
  }
}

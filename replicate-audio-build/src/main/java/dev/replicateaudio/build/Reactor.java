package dev.replicateaudio.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * The modules of a Maven reactor as their {@code pom.xml} files declare them, read with the JDK's XML
 * parser (no Maven model: the checks must see what a person edits). Nested aggregators are walked;
 * modules declared only inside profiles are not.
 */
final class Reactor {
  /**
   * One module.
   *
   * @param artifactId its artifactId
   * @param directory the directory holding its pom.xml
   * @param pom the root element of its pom.xml
   */
  record Module(String artifactId, Path directory, Element pom) {
    /** Whether it has main code (src/main/java), hence a jar and coverage data. */
    boolean hasCode() {
      return Files.isDirectory(directory.resolve("src/main/java"));
    }

    /** Whether it only aggregates other modules (it lists modules of its own). */
    boolean aggregator() {
      return child(pom, "modules").isPresent();
    }

    /**
     * Whether a host can depend on it: not an aggregator, and not kept from deployment by
     * {@code <maven.deploy.skip>true</maven.deploy.skip>} in its own properties.
     */
    boolean published() {
      return !aggregator() && !property("maven.deploy.skip").map("true"::equals).orElse(false);
    }

    /** A property set in this pom's own {@code <properties>} (not inherited ones), trimmed. */
    Optional<String> property(String name) {
      return child(pom, "properties").flatMap(properties -> child(properties, name)).map(Reactor::text);
    }
  }

  private Reactor() {}

  /** Every module under the aggregator at {@code rootDirectory}, depth first, the root itself excluded. */
  static List<Module> modules(Path rootDirectory) throws IOException {
    List<Module> modules = new ArrayList<>();
    collect(read(rootDirectory.resolve("pom.xml")), rootDirectory, modules);
    return modules;
  }

  private static void collect(Element aggregator, Path directory, List<Module> into) throws IOException {
    for (Element module : children(aggregator, "modules", "module")) {
      Path moduleDirectory = directory.resolve(text(module)).normalize();
      Element pom = read(moduleDirectory.resolve("pom.xml"));
      Element artifactId = child(pom, "artifactId").orElseThrow(
          () -> new IOException(moduleDirectory.resolve("pom.xml") + " has no artifactId"));
      into.add(new Module(text(artifactId), moduleDirectory, pom));
      collect(pom, moduleDirectory, into);
    }
  }

  /** Parses a pom.xml without resolving external entities; returns its root element. */
  static Element read(Path pom) throws IOException {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setNamespaceAware(false);
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
      DocumentBuilder builder = factory.newDocumentBuilder();
      return builder.parse(pom.toFile()).getDocumentElement();
    } catch (ParserConfigurationException | SAXException e) {
      throw new IOException("can't parse " + pom + ": " + e.getMessage(), e);
    }
  }

  /** The first direct child element named {@code name}. */
  static Optional<Element> child(Element parent, String name) {
    for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
      if (node instanceof Element && ((Element) node).getTagName().equals(name)) {
        return Optional.of((Element) node);
      }
    }
    return Optional.empty();
  }

  /** The elements at {@code path} below {@code parent}; the last name may repeat (a list). */
  static List<Element> children(Element parent, String... path) {
    Element current = parent;
    for (int i = 0; i < path.length - 1; i++) {
      Optional<Element> next = child(current, path[i]);
      if (next.isEmpty()) {
        return List.of();
      }
      current = next.get();
    }
    List<Element> found = new ArrayList<>();
    for (Node node = current.getFirstChild(); node != null; node = node.getNextSibling()) {
      if (node instanceof Element && ((Element) node).getTagName().equals(path[path.length - 1])) {
        found.add((Element) node);
      }
    }
    return found;
  }

  /** The text at {@code path} below {@code parent}, trimmed, or empty. */
  static Optional<String> text(Element parent, String... path) {
    List<Element> found = children(parent, path);
    return found.isEmpty() ? Optional.empty() : Optional.of(text(found.get(0)));
  }

  static String text(Element element) {
    return element.getTextContent().trim();
  }
}

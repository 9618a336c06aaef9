package dev.replicateaudio.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CoverageSummaryTest {
  private static final String HEADER = "GROUP,PACKAGE,CLASS,INSTRUCTION_MISSED,INSTRUCTION_COVERED,BRANCH_MISSED,"
      + "BRANCH_COVERED,LINE_MISSED,LINE_COVERED,COMPLEXITY_MISSED,COMPLEXITY_COVERED,METHOD_MISSED,METHOD_COVERED";

  @TempDir Path root;

  @Test
  void parsesJacocoCsvRowsIntoLineAndBranchCounts() {
    List<CoverageSummary.Row> rows = CoverageSummary.parse(List.of(HEADER,
        "a-core,org.example,Runner,1,2,3,4,5,6,0,0,0,0",
        "a-build/a-core,org.example,Runner.Async,0,0,1,1,2,8,0,0,0,0"));

    assertThat(rows).containsExactly(
        new CoverageSummary.Row("a-core", "org.example.Runner", new CoverageSummary.Counts(5, 6, 3, 4)),
        new CoverageSummary.Row("a-build/a-core", "org.example.Runner.Async", new CoverageSummary.Counts(2, 8, 1, 1)));
    assertThat(rows.get(1).module()).isEqualTo("a-core");
    assertThat(CoverageSummary.sum(rows, "a-core")).isEqualTo(new CoverageSummary.Counts(7, 14, 4, 5));
  }

  @Test
  void ratiosShowCoveredOverTotalAndAPercentage() {
    CoverageSummary.Counts counts = new CoverageSummary.Counts(1, 1999, 0, 0);

    assertThat(counts.lines()).isEqualTo("1,999/2,000 100.0 %");
    assertThat(counts.branches()).isEqualTo("-");
    assertThat(new CoverageSummary.Counts(3, 7, 1, 3).lines()).isEqualTo("7/10  70.0 %");
  }

  @Test
  void refusesWhatIsNotAJacocoReport() {
    assertThatThrownBy(() -> CoverageSummary.parse(List.of("a,b,c")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a JaCoCo CSV report: the header is 'a,b,c'");
    assertThatThrownBy(() -> CoverageSummary.parse(List.of(HEADER, "a-core,org.example,X,1,2")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("a JaCoCo CSV row has 5 cells, the header 13");
  }

  @Test
  void rendersOneLinePerModuleOwnAndAggregateThenTheNamedClasses() throws Exception {
    write("pom.xml", "<project><modules><module>a-core</module><module>a-lib</module>"
        + "<module>a-build</module></modules></project>");
    write("a-core/pom.xml", "<project><artifactId>a-core</artifactId></project>");
    write("a-core/src/main/java/.keep", "");
    write("a-core/target/site/jacoco/jacoco.csv", HEADER + "\n"
        + "a-core,org.example,Runner,0,0,1,3,10,90,0,0,0,0\n"
        + "a-core,org.example,Other,0,0,0,0,0,100,0,0,0,0\n"
        + "a-core,org.example,RunnerFactory,0,0,0,0,0,7,0,0,0,0\n"
        + "a-core,org.example,Runner.Async,0,0,1,1,2,8,0,0,0,0\n");
    write("a-lib/pom.xml", "<project><artifactId>a-lib</artifactId></project>");
    write("a-lib/src/main/java/.keep", "");
    write("a-build/pom.xml", "<project><artifactId>a-build</artifactId></project>");
    write("a-build/target/site/jacoco-aggregate/jacoco.csv", HEADER + "\n"
        + "a-build/a-core,org.example,Runner,0,0,0,4,5,95,0,0,0,0\n"
        + "a-build/a-core,org.example,Other,0,0,0,0,0,100,0,0,0,0\n");

    String summary = CoverageSummary.render(root, List.of("org.example.Runner", "org.example.Missing"),
        "a-build");

    assertThat(summary).contains(
        "module                       own lines                own branches             all lines                all branches\n"
        + "a-core                       205/217  94.5 %          4/6  66.7 %              195/200  97.5 %          4/4 100.0 %\n"
        + "a-lib                        no report                                         -                        -\n",
        "class (own module's tests)   lines                    branches\n"
        + "Runner                       90/100  90.0 %           3/4  75.0 %\n"
        + "Runner.Async                 8/10  80.0 %             1/2  50.0 %\n"
        + "Missing                      no report\n");
  }

  private void write(String file, String content) throws Exception {
    Path path = root.resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(path, content, StandardCharsets.UTF_8);
  }
}

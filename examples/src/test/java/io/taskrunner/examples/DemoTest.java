package io.taskrunner.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskrunner.Workload;
import io.taskrunner.examples.Demo.Format;
import io.taskrunner.examples.Demo.Row;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs the demo small, so that it never rots: every scenario, every format, right answers. */
@Timeout(300)
class DemoTest {

  private static String output(Format format, String scenario, double scale, List<Row> rowsOut)
      throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      rowsOut.addAll(Demo.run(scale, scenario, format, out, null));
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void everyScenario_runsOnEveryAvailableStrategy_withTheSameAnswer() throws Exception {
    List<Row> rows = new java.util.ArrayList<>();
    String text = output(Format.TEXT, "all", 0.02, rows);
    assertThat(rows).extracting(Row::scenario).contains("http", "cpu", "fanout", "report", "watch");
    for (String scenario : List.of("http", "cpu", "fanout", "report", "watch")) {
      List<Row> ran = rows.stream().filter(r -> r.scenario().equals(scenario)).toList();
      assertThat(ran).hasSize(Demo.CONTENDERS.size());
      assertThat(ran).filteredOn(Row::chosen).hasSize(1);
      // The thread-based strategies are always here; whatever ran computed the same answer.
      assertThat(ran)
          .filteredOn(r -> r.workload().equals(Workload.cpuBound()) || r.workload().equals(Workload.ioBound()))
          .allMatch(r -> r.wall() != null, "ran");
      long answer = ran.stream().filter(r -> r.wall() != null).findFirst().orElseThrow().checksum();
      assertThat(ran).filteredOn(r -> r.wall() != null).allMatch(r -> r.checksum() == answer);
      assertThat(ran).noneMatch(r -> r.note().startsWith("WRONG") || r.note().startsWith("failed"));
    }
    assertThat(text).contains("== http:").contains("-> VIRTUAL_THREADS").contains("-> THREAD_POOL");
    assertThat(text).contains("(*) the chooser's pick");
  }

  @Test
  void markdownAndCsv_haveOneLinePerRun() throws Exception {
    List<Row> rows = new java.util.ArrayList<>();
    String markdown = output(Format.MARKDOWN, "cpu", 0.02, rows);
    assertThat(markdown.lines().filter(l -> l.startsWith("| cpu |"))).hasSize(Demo.CONTENDERS.size());
    String csv = output(Format.CSV, "cpu", 0.02, new java.util.ArrayList<>());
    assertThat(csv.lines().filter(l -> l.startsWith("cpu,"))).hasSize(Demo.CONTENDERS.size());
    assertThat(csv.lines().findFirst().orElseThrow()).startsWith("scenario,workload,strategy,wall_ms");
  }

  @Test
  void countPrimes_matchesKnownValues() {
    assertThat(Scenarios.countPrimes(0, 100)).isEqualTo(25);
    assertThat(Scenarios.countPrimes(0, 200_000)).isEqualTo(17_984);
    assertThat(Scenarios.countPrimes(100, 200)).isEqualTo(21);
  }
}

package io.taskrunner.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskrunner.strategies.BlockedLoopException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every small example runs and shows what it promises. */
@Timeout(120)
class SmallExamplesTest {

  @Test
  void crashingWorker_killsOnlyItsWorker_andThePoolServesOn() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int exitCode;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      exitCode = CrashingWorkerExample.run(out);
    }
    assertThat(exitCode).isEqualTo(3);
    String output = bytes.toString(StandardCharsets.UTF_8);
    assertThat(output).contains("about to take my worker down").contains("still serving");
  }

  @Test
  void blockedLoop_isReportedOnceWithTheBlockingFrame_andRunBlockingIsNot() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    List<BlockedLoopException> reports;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      reports = BlockedLoopExample.run(out);
    }
    assertThat(reports).hasSize(1);
    assertThat(reports.get(0).getStackTrace())
        .anyMatch(frame -> frame.getMethodName().equals("legacyBlockingLookup"));
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .contains("both answered: row 42, row 42")
        .contains("blocked-loop reports: 1");
  }

  @Test
  void explain_printsEveryKind() {
    PrintStream original = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      System.setOut(out);
      ExplainExample.main(new String[0]);
    } finally {
      System.setOut(original);
    }
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .contains("THREAD_POOL", "PROCESS_POOL", "VIRTUAL_THREADS", "EVENT_LOOP", "ADAPTIVE")
        .contains("declared maxConcurrency");
  }
}

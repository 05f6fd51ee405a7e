package io.taskrunner.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class DemoTest {

  @Test
  void demo_explainsEveryKind_andRunsBothScenariosWithCorrectResults() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      Demo.run(0.05, out);
    }
    String output = bytes.toString(StandardCharsets.UTF_8);
    assertThat(output)
        .contains("strategy:   THREAD_POOL")
        .contains("strategy:   PROCESS_POOL")
        .contains("strategy:   VIRTUAL_THREADS")
        .contains("strategy:   EVENT_LOOP")
        .contains("strategy:   ADAPTIVE")
        .contains("no GIL");
    // The fan-out ran on the chosen runner and on the CPU pool; the demo throws on a wrong body.
    assertThat(output).containsPattern("Workload.ioBound\\(\\) +VIRTUAL_THREADS .*chosen");
    assertThat(output).containsPattern("Workload.cpuBound\\(\\) +THREAD_POOL .*chosen for CPU");
    // 150 000 * 0.05 ... the CPU job's limit is max(100 000, 3 000 000 * 0.05) = 150 000.
    assertThat(output).contains("13,848"); // pi(150 000)
  }

  @Test
  void countPrimes_matchesKnownValues() {
    assertThat(Demo.countPrimes(0, 100)).isEqualTo(25);
    assertThat(Demo.countPrimes(0, 150_000)).isEqualTo(13_848);
    assertThat(Demo.countPrimes(100, 200)).isEqualTo(21);
  }
}

package io.taskrunner.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ReadmeExamplesTest {

  @Test
  void blockingFanOut_returnsEveryBodyInOrder() throws Exception {
    try (SlowServer server = new SlowServer()) {
      assertThat(ReadmeExamples.blockingFanOut(List.of(server.uri(5, 1), server.uri(5, 2))))
          .containsExactly("ok 1", "ok 2");
    }
  }

  @Test
  void cpuParallel_countsThePrimes() throws Exception {
    assertThat(
            ReadmeExamples.cpuParallel(
                List.of(new long[] {0, 100_000}, new long[] {100_000, 200_000})))
        .isEqualTo(17_984);
  }

  @Test
  void asyncSleep_completes() throws Exception {
    assertThat(ReadmeExamples.asyncSleep()).isEqualTo("done");
  }

  @Test
  void explain_namesTheProcessPoolAndItsCosts() {
    assertThat(ReadmeExamples.explainIsolated()).contains("PROCESS_POOL").contains("JVM start");
  }
}

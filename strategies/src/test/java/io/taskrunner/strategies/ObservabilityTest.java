package io.taskrunner.strategies;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.taskrunner.RunnerStats;
import io.taskrunner.Runners;
import io.taskrunner.TaskRunner;
import io.taskrunner.Workload;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class ObservabilityTest {
  @TempDir Path dir;

  @Test
  void everyTask_emitsAJfrEvent_whileRecording() throws Exception {
    Path file = dir.resolve("tasks.jfr");
    try (Recording recording = new Recording()) {
      recording.enable("io.taskrunner.Task");
      recording.start();
      try (TaskRunner runner = Runners.forWorkload(Workload.cpuBound().named("jfr-probe"))) {
        for (int i = 0; i < 5; i++) {
          runner.submit(() -> "ok").get(10, SECONDS);
        }
        try {
          runner
              .submit(
                  () -> {
                    throw new IOException("x");
                  })
              .get(10, SECONDS);
        } catch (ExecutionException expected) {
          // recorded as failed
        }
      }
      recording.stop();
      recording.dump(file);
    }
    List<RecordedEvent> events =
        RecordingFile.readAllEvents(file).stream()
            .filter(e -> e.getEventType().getName().equals("io.taskrunner.Task"))
            .filter(e -> e.getString("runner").equals("jfr-probe"))
            .toList();
    assertThat(events).hasSize(6);
    assertThat(events).allMatch(e -> e.getString("strategy").equals("THREAD_POOL"));
    assertThat(events.stream().map(e -> e.getString("outcome")))
        .containsOnly("completed", "failed")
        .filteredOn("failed"::equals)
        .hasSize(1);
  }

  @Test
  void stats_sampleTimings() throws Exception {
    try (TaskRunner runner = Runners.forWorkload(Workload.ioBound())) {
      for (int i = 0; i < 200; i++) {
        runner.submit(() -> "ok").get(10, SECONDS);
      }
      TaskRunnerContractTest.awaitStats(runner, s -> s.completed() == 200, "all counted");
      RunnerStats stats = runner.stats();
      // A runner's first 1 024 tasks are all timed.
      assertThat(stats.runTime().samples()).isEqualTo(200L);
      assertThat(stats.queueWait().samples()).isEqualTo(200L);
      assertThat(stats.runTime().max()).isGreaterThanOrEqualTo(stats.runTime().p50());
    }
  }

  @Test
  void sharedRunner_ignoresClose_andIsReused() throws Exception {
    TaskRunner shared = Runners.shared(Workload.ioBound());
    assertThat(Runners.shared(Workload.ioBound())).isSameAs(shared);
    shared.close();
    shared.asExecutorService().shutdown();
    assertThat(shared.isShutdown()).isFalse();
    assertThat(shared.submit(() -> 42).get(10, SECONDS)).isEqualTo(42);
    assertThat(shared.name()).isEqualTo("shared-io");
  }
}

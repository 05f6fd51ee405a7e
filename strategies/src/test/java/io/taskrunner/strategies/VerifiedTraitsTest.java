package io.taskrunner.strategies;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.taskrunner.RunnerStats.KeyStats;
import io.taskrunner.Runners;
import io.taskrunner.Task;
import io.taskrunner.TaskRunner;
import io.taskrunner.Workload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Declared traits are checked against what tasks do, and a mismatch is reported once. */
@Timeout(60)
class VerifiedTraitsTest {
  @TempDir Path dir;

  @BeforeEach
  void measureEveryTask() {
    System.setProperty("io.taskrunner.verifyEvery", "1");
  }

  @AfterEach
  void measureDefault() {
    System.clearProperty("io.taskrunner.verifyEvery");
  }

  @Test
  void cpuBoundKeyThatWaits_isReported_inStatsAndJfr() throws Exception {
    Path file = dir.resolve("misdeclared.jfr");
    try (Recording recording = new Recording()) {
      recording.enable("io.taskrunner.MisdeclaredTask");
      recording.start();
      try (TaskRunner cpu = Runners.forWorkload(Workload.cpuBound().named("declared-cpu"))) {
        for (int i = 0; i < 8; i++) {
          cpu.submit(Task.keyed("sleepy", () -> AdaptiveRunnerTest.nap(Duration.ofMillis(30))))
              .get(10, SECONDS);
        }
        Await.until(
            () -> report(cpu, "sleepy") != null, () -> "the key is reported: " + cpu.stats().keys());
        assertThat(report(cpu, "sleepy"))
            .contains("declared-cpu")
            .contains("declared CPU-bound")
            .contains("declare ioBound()");
      }
      recording.stop();
      recording.dump(file);
    }
    List<RecordedEvent> events =
        RecordingFile.readAllEvents(file).stream()
            .filter(e -> e.getEventType().getName().equals("io.taskrunner.MisdeclaredTask"))
            .filter(e -> e.getString("runner").equals("declared-cpu"))
            .toList();
    assertThat(events).singleElement().satisfies(e -> assertThat(e.getString("key")).isEqualTo("sleepy"));
  }

  @Test
  void ioBoundKeyThatComputes_isReported() throws Exception {
    try (TaskRunner io = Runners.forWorkload(Workload.ioBound().named("declared-io"))) {
      // At least the 8 samples a report needs; more while the machine's load average still lags
      // a sudden load (other builds starting), which makes the credited CPU share read low.
      for (int i = 0; i < 8 || (i < 64 && report(io, "busy") == null); i++) {
        Thread ranOn =
            io.submit(Task.keyed("busy", () -> AdaptiveRunnerTest.burn(Duration.ofMillis(20))))
                .get(10, SECONDS);
        assertThat(ranOn.isVirtual()).as("measured tasks run on platform threads").isFalse();
      }
      Await.until(
          () -> report(io, "busy") != null, () -> "the key is reported: " + io.stats().keys());
      assertThat(report(io, "busy")).contains("declared I/O-bound").contains("declare cpuBound()");
    }
  }

  @Test
  void keysThatMatchTheirDeclaration_areNotReported() throws Exception {
    try (TaskRunner cpu = Runners.forWorkload(Workload.cpuBound())) {
      for (int i = 0; i < 10; i++) {
        cpu.submit(Task.keyed("honest", () -> AdaptiveRunnerTest.burn(Duration.ofMillis(5))))
            .get(10, SECONDS);
      }
      Await.until(
          () -> cpu.stats().keys().stream().anyMatch(k -> k.key().equals("honest") && k.samples() == 10),
          "all samples recorded");
      assertThat(report(cpu, "honest")).isNull();
    }
  }

  @Test
  void optedIn_aCpuRunnerMovesAWaitingKeyToVirtualThreads_andNoOtherKey() throws Exception {
    try (TaskRunner cpu =
        Runners.forWorkload(Workload.cpuBound().rerouteMisdeclared().named("rerouting-cpu"))) {
      for (int i = 0; i < 8; i++) {
        Thread ranOn =
            cpu.submit(Task.keyed("sleepy", () -> AdaptiveRunnerTest.nap(Duration.ofMillis(30))))
                .get(10, SECONDS);
        assertThat(ranOn.isVirtual()).as("before the report").isFalse();
      }
      Await.until(
          () -> report(cpu, "sleepy") != null, () -> "the key is reported: " + cpu.stats().keys());
      Thread later =
          cpu.submit(Task.keyed("sleepy", () -> AdaptiveRunnerTest.nap(Duration.ofMillis(1))))
              .get(10, SECONDS);
      assertThat(later.isVirtual()).as("after the report").isTrue();
      Thread other = cpu.submit(Task.keyed("other", Thread::currentThread)).get(10, SECONDS);
      assertThat(other.isVirtual()).isFalse();
    }
  }

  @Test
  void optedIn_anIoRunnerMovesAComputingKeyToPlatformThreads() throws Exception {
    TaskRunner io =
        Runners.forWorkload(Workload.ioBound().rerouteMisdeclared().named("rerouting-io"));
    try {
      for (int i = 0; i < 8; i++) {
        Thread unused =
            io.submit(Task.keyed("busy", () -> AdaptiveRunnerTest.burn(Duration.ofMillis(20))))
                .get(10, SECONDS);
      }
      Await.until(
          () -> report(io, "busy") != null, () -> "the key is reported: " + io.stats().keys());
      Thread later =
          io.submit(Task.keyed("busy", () -> AdaptiveRunnerTest.burn(Duration.ofMillis(1))))
              .get(10, SECONDS);
      assertThat(later.isVirtual()).isFalse();
      assertThat(later.getName()).startsWith("taskrunner-rerouting-io-cpu-");
    } finally {
      io.close();
    }
    assertThat(io.isTerminated()).as("the rerouting pool stopped too").isTrue();
  }

  @Test
  void notOptedIn_aReportedKeyStaysWhereItWasDeclared() throws Exception {
    try (TaskRunner cpu = Runners.forWorkload(Workload.cpuBound())) {
      for (int i = 0; i < 8; i++) {
        Thread unused =
            cpu.submit(Task.keyed("sleepy", () -> AdaptiveRunnerTest.nap(Duration.ofMillis(30))))
                .get(10, SECONDS);
      }
      Await.until(
          () -> report(cpu, "sleepy") != null, () -> "the key is reported: " + cpu.stats().keys());
      Thread later = cpu.submit(Task.keyed("sleepy", Thread::currentThread)).get(10, SECONDS);
      assertThat(later.isVirtual()).isFalse();
    }
  }

  private static @Nullable String report(TaskRunner runner, String key) {
    return runner.stats().keys().stream()
        .filter(k -> k.key().equals(key))
        .map(KeyStats::report)
        .filter(r -> r != null)
        .findFirst()
        .orElse(null);
  }
}

package io.taskrunner.strategies;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.taskrunner.Runners;
import io.taskrunner.Task;
import io.taskrunner.TaskRunner;
import io.taskrunner.Workload;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The stall watchdog reports a task holding a pool thread, once, as busy or blocked, with its stack. */
@Timeout(60)
class StallDetectionTest {
  @TempDir Path dir;

  @BeforeEach
  void shortThreshold() {
    System.setProperty("io.taskrunner.stallThresholdMillis", "300");
  }

  @AfterEach
  void defaultThreshold() {
    System.clearProperty("io.taskrunner.stallThresholdMillis");
  }

  @Test
  void blockedAndBusyTasks_areReportedOnce_withTheirTopFrame() throws Exception {
    Path file = dir.resolve("stalls.jfr");
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean stopSpinning = new AtomicBoolean();
    try (Recording recording = new Recording()) {
      recording.enable("io.taskrunner.StalledTask");
      recording.start();
      try (TaskRunner cpu = Runners.forWorkload(Workload.cpuBound().maxConcurrency(2).named("stally"))) {
        var blocked = cpu.submit(Task.keyed("waits", () -> release.await(30, SECONDS)));
        var busy =
            cpu.submit(
                Task.keyed(
                    "spins",
                    () -> {
                      long x = 0;
                      while (!stopSpinning.get()) {
                        x += System.identityHashCode(stopSpinning) ^ x;
                      }
                      return x;
                    }));
        try {
          TaskRunnerContractTest.awaitStats(cpu, s -> s.stalled() == 2, "both tasks reported");
        } finally {
          release.countDown();
          stopSpinning.set(true);
        }
        assertThat(blocked.get(10, SECONDS)).isTrue();
        assertThat(busy.get(10, SECONDS)).isNotNull();
        assertThat(cpu.stats().stalled()).isEqualTo(2); // once each, not once per scan
      }
      recording.stop();
      recording.dump(file);
    }
    List<RecordedEvent> events =
        RecordingFile.readAllEvents(file).stream()
            .filter(e -> e.getEventType().getName().equals("io.taskrunner.StalledTask"))
            .filter(e -> e.getString("runner").equals("stally"))
            .toList();
    assertThat(events).hasSize(2);
    RecordedEvent waits = events.stream().filter(e -> e.getString("key").equals("waits")).findFirst().orElseThrow();
    RecordedEvent spins = events.stream().filter(e -> e.getString("key").equals("spins")).findFirst().orElseThrow();
    assertThat(waits.getBoolean("busy")).isFalse();
    assertThat(waits.getString("message")).contains("blocked");
    assertThat(waits.getString("topFrame")).isNotEmpty();
    assertThat(spins.getBoolean("busy")).isTrue();
    assertThat(spins.getString("topFrame")).contains("StallDetectionTest");
  }

  @Test
  void quickTasks_areNeverReported() throws Exception {
    try (TaskRunner cpu = Runners.forWorkload(Workload.cpuBound())) {
      for (int i = 0; i < 1_000; i++) {
        cpu.submit(() -> 1).get(10, SECONDS);
      }
      assertThat(cpu.stats().stalled()).isZero();
    }
  }
}

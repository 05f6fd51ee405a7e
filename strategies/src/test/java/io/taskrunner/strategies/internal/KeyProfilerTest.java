package io.taskrunner.strategies.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskrunner.RunnerStats.KeyStats;
import io.taskrunner.Strategy;
import org.junit.jupiter.api.Test;

/** The rules by which a declared CPU-bound key is reported as waiting, fed known figures. */
class KeyProfilerTest {

  @Test
  void aCpuDeclaredKeyThatWaits_isReported() {
    KeyProfiler profiler = new KeyProfiler("declared-cpu", Strategy.THREAD_POOL);
    for (int i = 0; i < KeyProfiler.MIN_SAMPLES_TO_REPORT; i++) {
      profiler.record("waits", 5_000, 2_000_000); // 5 µs of CPU in 2 ms
    }
    assertThat(only(profiler).report())
        .contains("declared CPU-bound")
        .contains("declare ioBound()");
  }

  @Test
  void tinyTasks_areNotReportedAsWaiting_whateverTheirShare() {
    KeyProfiler profiler = new KeyProfiler("declared-cpu", Strategy.THREAD_POOL);
    for (int i = 0; i < 100; i++) {
      // What a no-op task measured on a loaded machine: 1 µs of CPU in 30 µs of wall time.
      profiler.record("noop", 1_000, 30_000);
    }
    KeyStats stats = only(profiler);
    assertThat(stats.samples()).isEqualTo(100);
    assertThat(stats.cpuShare()).isLessThan(0.2);
    assertThat(stats.report()).isNull();
    assertThat(profiler.isReported("noop")).isFalse();
  }

  private static KeyStats only(KeyProfiler profiler) {
    assertThat(profiler.snapshot()).hasSize(1);
    return profiler.snapshot().get(0);
  }
}

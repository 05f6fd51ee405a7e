package io.taskrunner.strategies;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.taskrunner.RunnerStats.KeyStats;
import io.taskrunner.Strategy;
import io.taskrunner.Task;
import io.taskrunner.TaskRunner;
import io.taskrunner.Workload;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AdaptiveRunnerTest extends TaskRunnerContractTest {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  static volatile long sink;

  @Override
  protected Workload baseWorkload() {
    return Workload.unknown();
  }

  @Override
  protected Strategy expectedStrategy() {
    return Strategy.ADAPTIVE;
  }

  /** Keeps a CPU busy until this (platform) thread has used {@code cpu} of CPU time. */
  static Thread burn(Duration cpu) {
    long start = THREADS.getCurrentThreadCpuTime();
    long x = 0;
    while (THREADS.getCurrentThreadCpuTime() - start < cpu.toNanos()) {
      for (int i = 0; i < 10_000; i++) {
        x += i ^ x;
      }
    }
    sink = x; // keeps the loop from being optimised away
    return Thread.currentThread();
  }

  static Thread nap(Duration wait) throws InterruptedException {
    Thread.sleep(wait.toMillis()); // the workload: waiting
    return Thread.currentThread();
  }

  static Optional<KeyStats> key(TaskRunner runner, String key) {
    return runner.stats().keys().stream().filter(k -> k.key().equals(key)).findFirst();
  }

  @Test
  void unknown_routesABurningKeyToThePool_andASleepingKeyToVirtualThreads() throws Exception {
    TaskRunner runner = runner(Workload.unknown().named("probe"));
    for (int i = 0; i < 4; i++) {
      Thread burner = runner.submit(Task.keyed("burn", () -> burn(Duration.ofMillis(15)))).get(10, SECONDS);
      Thread napper = runner.submit(Task.keyed("nap", () -> nap(Duration.ofMillis(15)))).get(10, SECONDS);
      assertThat(burner.isVirtual()).as("measured tasks run on platform threads").isFalse();
      assertThat(napper.isVirtual()).isFalse();
    }
    Await.until(
        () ->
            key(runner, "burn").map(KeyStats::routedTo).orElse(null) == Strategy.THREAD_POOL
                && key(runner, "nap").map(KeyStats::routedTo).orElse(null)
                    == Strategy.VIRTUAL_THREADS,
        () -> "both keys are routed: " + runner.stats().keys());
    KeyStats burnStats = key(runner, "burn").orElseThrow();
    assertThat(burnStats.samples()).isGreaterThanOrEqualTo(4);
    assertThat(burnStats.cpuShare()).isGreaterThanOrEqualTo(0.3);
    assertThat(key(runner, "nap").orElseThrow().cpuShare()).isLessThan(0.3);

    // Later tasks follow the decision (one in 64 may be re-measured on a platform thread).
    int onPool = 0;
    int onVirtual = 0;
    for (int i = 0; i < 20; i++) {
      Thread t = runner.submit(Task.keyed("burn", () -> burn(Duration.ofMillis(1)))).get(10, SECONDS);
      onPool += t.getName().startsWith("taskrunner-probe-cpu-") ? 1 : 0;
      Thread v = runner.submit(Task.keyed("nap", () -> nap(Duration.ofMillis(1)))).get(10, SECONDS);
      onVirtual += v.isVirtual() ? 1 : 0;
    }
    assertThat(onPool).isGreaterThanOrEqualTo(15);
    assertThat(onVirtual).isGreaterThanOrEqualTo(15);
  }

  @Test
  void asyncTasks_areNeverMeasured() throws Exception {
    TaskRunner runner = runner(Workload.unknown());
    for (int i = 0; i < 5; i++) {
      int n = i;
      assertThat(
              runner
                  .submitAsync(ctx -> ctx.sleep(Duration.ofMillis(1)).thenApply(v -> n))
                  .get(10, SECONDS))
          .isEqualTo(n);
    }
    assertThat(runner.stats().keys()).allMatch(k -> k.samples() == 0);
  }
}

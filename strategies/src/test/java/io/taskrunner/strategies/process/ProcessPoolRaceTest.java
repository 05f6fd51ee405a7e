package io.taskrunner.strategies.process;

import static io.taskrunner.strategies.process.ProcessPoolFaultTest.runner;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.taskrunner.RunnerStats;
import io.taskrunner.TaskRunner;
import io.taskrunner.strategies.Await;
import io.taskrunner.strategies.ProcessPool;
import io.taskrunner.strategies.WorkerCrashedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Completion, cancellation and worker crashes racing over pipelined tasks: every future must
 * complete exactly once (its listener runs once), none may hang, the runner's counters must add
 * up, and close() must still terminate. The in-flight table is what is under test: a reply, a
 * crash and a cancel can reach a task at the same time, and only one may decide it.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ProcessPoolRaceTest {

  @Test
  void completeVersusCancelVersusCrash_everyFutureCompletesExactlyOnce() throws Exception {
    int tasks = 400;
    SplittableRandom random = new SplittableRandom(42);
    AtomicIntegerArray listenerRuns = new AtomicIntegerArray(tasks);
    List<ListenableFuture<Integer>> futures = new ArrayList<>(tasks);
    TaskRunner pool =
        ProcessPool.builder()
            .name("race")
            .workers(2)
            .maxInFlightPerWorker(4)
            .queueCapacity(tasks)
            .cancelGrace(Duration.ofMillis(200))
            .build();
    try {
      for (int i = 0; i < tasks; i++) {
        int n = i;
        int kind = random.nextInt(100);
        ListenableFuture<Integer> future =
            kind < 3
                ? pool.submit(() -> exit(n)) // kills its worker and the tasks pipelined behind it
                : kind < 30 ? pool.submit(() -> sleepThen(n)) : pool.submit(() -> n);
        futures.add(future);
        future.addListener(() -> listenerRuns.incrementAndGet(n), MoreExecutors.directExecutor());
        if (random.nextInt(10) == 0) {
          // cancel something recent: queued, in flight, or already done
          int victim = Math.max(0, i - random.nextInt(8));
          boolean unused = futures.get(victim).cancel(random.nextBoolean());
        }
      }
      try {
        Futures.whenAllComplete(futures).call(() -> null, MoreExecutors.directExecutor())
            .get(60, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        List<ListenableFuture<Integer>> stuck =
            futures.stream().filter(f -> !f.isDone()).limit(5).toList();
        throw new AssertionError("futures never completed, e.g. " + stuck, e);
      }

      int completed = 0;
      int crashed = 0;
      int cancelled = 0;
      for (int i = 0; i < tasks; i++) {
        ListenableFuture<Integer> future = futures.get(i);
        try {
          assertThat(future.get()).isEqualTo(i);
          completed++;
        } catch (CancellationException e) {
          cancelled++;
        } catch (ExecutionException e) {
          assertThat(e.getCause()).isInstanceOf(WorkerCrashedException.class);
          crashed++;
        }
      }
      assertThat(completed + crashed + cancelled).isEqualTo(tasks);
      assertThat(crashed).as("some exits happened").isPositive();
      assertThat(completed).as("most tasks survive").isGreaterThan(tasks / 2);
      Await.until(
          () -> {
            for (int i = 0; i < tasks; i++) {
              if (listenerRuns.get(i) != 1) {
                return false;
              }
            }
            return true;
          },
          "every listener ran once");
      Await.until(() -> pool.stats().pending() == 0, "every slot released");
      RunnerStats stats = pool.stats();
      assertThat(stats.submitted()).isEqualTo(tasks);
      assertThat(stats.completed() + stats.failed() + stats.cancelled() + stats.timedOut())
          .isEqualTo(tasks);
      assertThat(stats.completed()).isEqualTo(completed);
      assertThat(stats.cancelled()).isEqualTo(cancelled);
      assertThat(pool.submit(() -> -1).get(20, TimeUnit.SECONDS)).isEqualTo(-1);
    } finally {
      List<Long> pids = runner(pool).workerPids();
      pool.close();
      assertThat(pool.isTerminated()).isTrue();
      for (long pid : pids) {
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      }
    }
  }

  static int exit(int n) {
    System.exit(10 + n % 10);
    return n;
  }

  static int sleepThen(int n) throws InterruptedException {
    TimeUnit.MILLISECONDS.sleep(1 + n % 5); // the workload
    return n;
  }
}

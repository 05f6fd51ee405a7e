package io.taskrunner.strategies;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.ListenableFuture;
import io.taskrunner.Strategy;
import io.taskrunner.TaskRunner;
import io.taskrunner.Workload;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ThreadPoolRunnerTest extends TaskRunnerContractTest {

  @Override
  protected Workload baseWorkload() {
    return Workload.cpuBound();
  }

  @Override
  protected Strategy expectedStrategy() {
    return Strategy.THREAD_POOL;
  }

  @Test
  void tasksRunOnNamedDaemonPlatformThreads() throws Exception {
    TaskRunner runner = runner(Workload.cpuBound().named("crunch"));
    Thread thread = runner.submit(Thread::currentThread).get(10, SECONDS);
    assertThat(thread.isVirtual()).isFalse();
    assertThat(thread.isDaemon()).isTrue();
    assertThat(thread.getName()).startsWith("taskrunner-crunch-");
  }

  @Test
  void runsTasksInParallel_onAsManyThreadsAsDeclared() throws Exception {
    TaskRunner runner = runner(Workload.cpuBound().maxConcurrency(3));
    CountDownLatch allThree = new CountDownLatch(3);
    Set<Thread> threads = ConcurrentHashMap.newKeySet();
    for (int i = 0; i < 3; i++) {
      var unused =
          runner.submit(
          () -> {
            threads.add(Thread.currentThread());
            allThree.countDown();
            return allThree.await(10, SECONDS); // only true if all three run at once
          });
    }
    assertThat(allThree.await(10, SECONDS)).isTrue();
    assertThat(threads).hasSize(3);
  }

  @Test
  void cancelInterrupt_neverLeaksIntoTheNextTaskOnThatThread() throws Exception {
    TaskRunner runner = runner(Workload.cpuBound().maxConcurrency(1));
    for (int round = 0; round < 50; round++) {
      CountDownLatch started = new CountDownLatch(1);
      ListenableFuture<Boolean> spinner =
          runner.submit(
              () -> {
                started.countDown();
                long x = 0;
                for (int i = 0; i < 200_000; i++) {
                  x += i; // ignores interrupts on purpose
                }
                return x > 0;
              });
      assertThat(started.await(10, SECONDS)).isTrue();
      boolean unused = spinner.cancel(true);
      boolean nextSawInterrupt =
          runner.submit(() -> Thread.currentThread().isInterrupted()).get(10, SECONDS);
      assertThat(nextSawInterrupt).as("round %d", round).isFalse();
    }
  }

  @Test
  void close_stopsEveryThread() throws Exception {
    TaskRunner runner = runner(Workload.cpuBound().named("to-stop").maxConcurrency(2));
    runner.map(x -> x + 1, java.util.List.of(1, 2, 3, 4)).get(10, SECONDS);
    runner.close();
    assertThat(runner.isTerminated()).isTrue();
    Await.until(
        () ->
            Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("taskrunner-to-stop-")),
        "every pool thread has ended");
  }
}

package io.taskrunner.strategies;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.taskrunner.RunnerStats;
import io.taskrunner.Strategy;
import io.taskrunner.TaskRunner;
import io.taskrunner.Workload;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class VirtualThreadRunnerTest extends TaskRunnerContractTest {

  @Override
  protected Workload baseWorkload() {
    return Workload.ioBound();
  }

  @Override
  protected Strategy expectedStrategy() {
    return Strategy.VIRTUAL_THREADS;
  }

  @Test
  void eachTaskRunsOnItsOwnVirtualThread() throws Exception {
    // A task picked to verify the declared workload runs on a platform thread: turn that off.
    System.setProperty("io.taskrunner.verifyEvery", "0");
    TaskRunner runner;
    try {
      runner = runner(Workload.ioBound().named("fetch"));
    } finally {
      System.clearProperty("io.taskrunner.verifyEvery");
    }
    Thread first = runner.submit(Thread::currentThread).get(10, SECONDS);
    Thread second = runner.submit(Thread::currentThread).get(10, SECONDS);
    assertThat(first.isVirtual()).isTrue();
    assertThat(first.getName()).startsWith("taskrunner-fetch-");
    assertThat(second).isNotSameAs(first);
  }

  @Test
  void concurrencyLimit_holdsTheRestInTheQueue_inOrder() throws Exception {
    TaskRunner runner = runner(Workload.ioBound().maxConcurrency(3));
    CountDownLatch release = gate();
    AtomicInteger concurrent = new AtomicInteger();
    AtomicInteger maxSeen = new AtomicInteger();
    for (int i = 0; i < 10; i++) {
      var unused =
          runner.submit(
          () -> {
            maxSeen.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            release.await();
            concurrent.decrementAndGet();
            return null;
          });
    }
    awaitStats(runner, s -> s.running() == 3, "three tasks run");
    RunnerStats stats = runner.stats();
    assertThat(stats.queued()).isEqualTo(7);
    release.countDown();
    awaitStats(runner, s -> s.completed() == 10, "all tasks completed");
    assertThat(maxSeen).hasValue(3);
  }

  @Test
  void thousandsOfBlockingTasks_waitTogether() throws Exception {
    TaskRunner runner = runner(Workload.ioBound());
    int n = 5_000;
    CountDownLatch allWaiting = new CountDownLatch(n);
    CountDownLatch release = gate();
    for (int i = 0; i < n; i++) {
      var unused =
          runner.submit(
          () -> {
            allWaiting.countDown();
            release.await();
            return null;
          });
    }
    // Only possible if every task blocks at once on its own thread.
    assertThat(allWaiting.await(20, SECONDS)).isTrue();
    release.countDown();
    awaitStats(runner, s -> s.completed() == n, "all tasks completed");
  }
}

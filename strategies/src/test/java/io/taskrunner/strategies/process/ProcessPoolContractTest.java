package io.taskrunner.strategies.process;

import static io.taskrunner.strategies.process.ProcessPoolFaultTest.awaitPid;
import static io.taskrunner.strategies.process.ProcessPoolFaultTest.runner;
import static io.taskrunner.strategies.process.ProcessPoolFaultTest.writePidThenSleep;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.SettableFuture;
import io.taskrunner.Runners;
import io.taskrunner.Strategy;
import io.taskrunner.Task;
import io.taskrunner.TaskRunner;
import io.taskrunner.Workload;
import io.taskrunner.strategies.Await;
import io.taskrunner.strategies.ProcessPool;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link TaskRunner} contract for the process pool. The shared contract suite captures latches
 * in its tasks, which cannot cross a process, so these tests coordinate through files and
 * serializable tasks instead; each builds a one-worker pool so its lifecycle is its own.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProcessPoolContractTest {
  @TempDir Path tmp;

  private static TaskRunner onePool(String name) {
    return ProcessPool.builder().name(name).workers(1).maxInFlightPerWorker(1).queueCapacity(4).build();
  }

  @Test
  void forWorkload_isolated_isTheProcessPool_sizedByDeclaration() throws Exception {
    try (TaskRunner pool = Runners.forWorkload(Workload.cpuBound().isolated().maxConcurrency(1))) {
      assertThat(pool.strategy()).isEqualTo(Strategy.PROCESS_POOL);
      assertThat(runner(pool).workerPids()).hasSize(1);
      assertThat(pool.submit(() -> ProcessHandle.current().pid()).get(10, SECONDS))
          .isNotEqualTo(ProcessHandle.current().pid());
    }
  }

  @Test
  @SuppressWarnings("NullAway") // passes null on purpose
  void submitNull_andBadBuilderValues_failNamingTheArgument() {
    try (TaskRunner pool = onePool("nulls")) {
      assertThatThrownBy(() -> pool.submit((Task<Object>) null)).hasMessage("task");
      assertThatThrownBy(() -> pool.map(null, List.of(1))).hasMessage("function");
      assertThatThrownBy(() -> pool.map(x -> x, null)).hasMessage("inputs");
    }
    assertThatThrownBy(() -> ProcessPool.builder().workers(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("workers must be positive: 0");
    assertThatThrownBy(() -> ProcessPool.builder().workers(2).workers(3))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("workers was already set to 2");
    assertThatThrownBy(() -> ProcessPool.builder().taskTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("taskTimeout");
    assertThatThrownBy(
            () ->
                ProcessPool.builder()
                    .taskTimeout(Duration.ofSeconds(1))
                    .maxInFlightPerWorker(4)
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("taskTimeout cannot be combined with maxInFlightPerWorker 4");
    assertThatThrownBy(() -> ProcessPool.builder().maxHeap("lots"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxHeap");
  }

  @Test
  void submit_whenFull_isRejectedNamingTheRunner() throws Exception {
    try (TaskRunner pool =
        ProcessPool.builder().name("tiny").workers(1).maxInFlightPerWorker(1).queueCapacity(1).build()) {
      String pidFile = tmp.resolve("full-" + UUID.randomUUID()).toString();
      ListenableFuture<Object> running = pool.submit(() -> writePidThenSleep(pidFile));
      long unused = awaitPid(pidFile);
      ListenableFuture<Integer> queued = pool.submit(() -> 2);
      assertThatThrownBy(() -> pool.submit(() -> 3))
          .isInstanceOf(RejectedExecutionException.class)
          .hasMessageContaining("'tiny'")
          .hasMessageContaining("full");
      assertThat(pool.stats().rejected()).isEqualTo(1);
      assertThat(running.cancel(true)).isTrue();
      assertThat(queued.get(10, SECONDS)).isEqualTo(2);
    }
  }

  @Test
  void close_letsAcceptedTasksFinish_thenStopsTheWorkers() throws Exception {
    TaskRunner pool = onePool("closing");
    long pid = runner(pool).workerPids().get(0);
    List<ListenableFuture<Long>> futures = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      futures.add(pool.submit(ProcessPoolContractTest::sleepThenPid));
    }
    pool.close();
    assertThat(pool.isTerminated()).isTrue();
    for (ListenableFuture<Long> future : futures) {
      assertThat(future.get(0, SECONDS)).isEqualTo(pid);
    }
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThatThrownBy(() -> pool.submit(() -> 1))
        .isInstanceOf(RejectedExecutionException.class)
        .hasMessageContaining("'closing'")
        .hasMessageContaining("shut down");
  }

  @Test
  void executorService_shutdownNow_returnsTheNeverStarted_andCancelsTheRunningOne()
      throws Exception {
    TaskRunner pool = onePool("stop-now");
    long pid = runner(pool).workerPids().get(0);
    ExecutorService executor = pool.asExecutorService();
    String pidFile = tmp.resolve("stop-" + UUID.randomUUID()).toString();
    Future<Object> running = executor.submit(serializable(() -> writePidThenSleep(pidFile)));
    long unused = awaitPid(pidFile);
    List<Future<Integer>> queued = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      queued.add(executor.submit(serializable(() -> 1)));
    }
    List<Runnable> neverStarted = executor.shutdownNow();
    assertThat(neverStarted).hasSize(3);
    assertThat(queued).allMatch(Future::isCancelled);
    assertThat(running.isCancelled()).isTrue();
    assertThat(executor.awaitTermination(20, SECONDS)).isTrue();
    assertThat(executor.isTerminated()).isTrue();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void executorService_invokeAllAndInvokeAny_runSerializableCallables() throws Exception {
    try (TaskRunner pool = onePool("invoke")) {
      ExecutorService executor = pool.asExecutorService();
      List<Callable<Integer>> calls = List.of(serializable(() -> 1), serializable(() -> 2));
      List<Integer> results = new ArrayList<>();
      for (Future<Integer> future : executor.invokeAll(calls)) {
        results.add(future.get());
      }
      assertThat(results).containsExactly(1, 2);
      assertThat(executor.invokeAny(calls)).isIn(1, 2);
    }
  }

  @Test
  void executorService_nonSerializableCallable_isRejectedAtSubmit() {
    try (TaskRunner pool = onePool("plain-callable")) {
      Callable<Integer> plain = () -> 1; // a Callable lambda is not Serializable
      assertThatThrownBy(() -> pool.asExecutorService().submit(plain))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not serializable")
          .hasMessageContaining("task[captured 0]");
    }
  }

  @Test
  void submitAsync_runsInTheParent_andCompletesWithTheStage() throws Exception {
    try (TaskRunner pool = onePool("async")) {
      long parent = ProcessHandle.current().pid();
      ListenableFuture<Long> future =
          pool.submitAsync(context -> CompletableFuture.supplyAsync(() -> ProcessHandle.current().pid()));
      assertThat(future.get(10, SECONDS)).isEqualTo(parent);
    }
  }

  @Test
  void stats_countEveryOutcome() throws Exception {
    try (TaskRunner pool = onePool("counted")) {
      for (int i = 0; i < 5; i++) {
        assertThat(pool.submit(() -> 1).get(10, SECONDS)).isEqualTo(1);
      }
      assertThatThrownBy(() -> pool.submit(ProcessPoolFaultTest::failDeep).get(10, SECONDS))
          .isInstanceOf(ExecutionException.class);
      Await.until(
          () -> pool.stats().completed() == 5 && pool.stats().failed() == 1,
          "all outcomes counted");
      assertThat(pool.stats().submitted()).isEqualTo(6);
      assertThat(pool.stats().strategy()).isEqualTo(Strategy.PROCESS_POOL);
    }
  }

  @Test
  void resultsOfTheCompactTypes_andCapturedValues_comeBackIntact() throws Exception {
    try (TaskRunner pool = onePool("compact")) {
      assertThat(pool.submit(() -> null).get(10, SECONDS)).isNull();
      assertThat(pool.submit(() -> Integer.MIN_VALUE).get(10, SECONDS)).isEqualTo(Integer.MIN_VALUE);
      assertThat(pool.submit(() -> Long.MAX_VALUE).get(10, SECONDS)).isEqualTo(Long.MAX_VALUE);
      assertThat(pool.submit(() -> "\u20ac \ud800").get(10, SECONDS)).isEqualTo("\u20ac \ud800");
      assertThat(pool.submit(() -> new byte[] {1, 2}).get(10, SECONDS)).containsExactly(1, 2);
      assertThat(pool.submit(() -> List.of(1, 2)).get(10, SECONDS)).containsExactly(1, 2);
      // One lambda class, different captured values: the worker's cache of decoded tasks keys on
      // the payload, and only lambdas that capture nothing are cached at all.
      for (int i = 0; i < 3; i++) {
        int captured = i;
        assertThat(pool.submit(() -> captured * 10).get(10, SECONDS)).isEqualTo(i * 10);
      }
    }
  }

  @Test
  void aDirectListener_runsOnTheReaderThread_andMaySubmitMore() throws Exception {
    try (TaskRunner pool = onePool("chained")) {
      SettableFuture<Integer> chained = SettableFuture.create();
      ListenableFuture<Integer> first = pool.submit(ProcessPoolContractTest::sleepThenOne);
      first.addListener(
          () -> {
            // The reply's reader thread assigns and sends this one itself.
            boolean unused = chained.setFuture(pool.submit(() -> 2));
          },
          MoreExecutors.directExecutor());
      assertThat(chained.get(10, SECONDS)).isEqualTo(2);
    }
  }

  static int sleepThenOne() throws InterruptedException {
    TimeUnit.MILLISECONDS.sleep(100); // the workload: still running when the listener is added
    return 1;
  }

  static long sleepThenPid() throws InterruptedException {
    TimeUnit.MILLISECONDS.sleep(200); // the workload
    return ProcessHandle.current().pid();
  }

  /** A serializable callable: the way to hand {@code Callable}s to the process pool. */
  interface SerializableCallable<T> extends Callable<T>, Serializable {}

  static <T> Callable<T> serializable(SerializableCallable<T> callable) {
    return callable;
  }
}

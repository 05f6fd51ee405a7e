package io.taskrunner.strategies;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.util.concurrent.ListenableFuture;
import io.taskrunner.Runners;
import io.taskrunner.RunnerStats;
import io.taskrunner.Strategy;
import io.taskrunner.TaskRunner;
import io.taskrunner.Workload;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The promises every runner makes (see {@link TaskRunner}), proved once per strategy by a subclass.
 * Tests block on latches, never on sleeps; the few polls have deadlines.
 */
@Timeout(30)
abstract class TaskRunnerContractTest {

  /** The workload whose runner is under test: a base such as {@code Workload.cpuBound()}. */
  protected abstract Workload baseWorkload();

  protected abstract Strategy expectedStrategy();

  private final List<TaskRunner> opened = new ArrayList<>();
  private final List<CountDownLatch> gates = new ArrayList<>();

  protected final TaskRunner runner(Workload workload) {
    TaskRunner runner = Runners.forWorkload(workload);
    opened.add(runner);
    return runner;
  }

  protected final TaskRunner runner() {
    return runner(baseWorkload());
  }

  /** A latch released after each test even when it fails, so no task stays blocked. */
  protected final CountDownLatch gate() {
    CountDownLatch gate = new CountDownLatch(1);
    gates.add(gate);
    return gate;
  }

  /**
   * Submits a task that holds its runner thread until {@code release} opens, then returns {@code
   * value}; returns once the task runs.
   */
  protected static ListenableFuture<Object> startHolding(
      TaskRunner runner, CountDownLatch release, Object value) throws InterruptedException {
    CountDownLatch started = new CountDownLatch(1);
    ListenableFuture<Object> future =
        runner.submit(
            () -> {
              started.countDown();
              release.await();
              return value;
            });
    assertThat(started.await(10, SECONDS)).as("the holding task started").isTrue();
    return future;
  }

  @AfterEach
  void closeEverything() {
    gates.forEach(CountDownLatch::countDown);
    opened.forEach(TaskRunner::close);
  }

  static void awaitStats(TaskRunner runner, Predicate<RunnerStats> condition, String what)
      throws InterruptedException {
    Await.until(() -> condition.test(runner.stats()), () -> what + ", stats: " + runner.stats());
  }

  // ---- results ----------------------------------------------------------------------------------

  @Test
  void submit_returnsTheTaskResult() throws Exception {
    TaskRunner runner = runner();
    assertThat(runner.strategy()).isEqualTo(expectedStrategy());
    assertThat(runner.submit(() -> "hello").get(10, SECONDS)).isEqualTo("hello");
    assertThat(runner.submit(() -> null).get(10, SECONDS)).isNull();
  }

  @Test
  void submit_taskThrows_futureFailsWithTheSameException() {
    TaskRunner runner = runner();
    IOException failure = new IOException("disk on fire");
    ListenableFuture<Object> future =
        runner.submit(
            () -> {
              throw failure;
            });
    assertThatThrownBy(() -> future.get(10, SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCause(failure);
  }

  @Test
  @SuppressWarnings("NullAway") // passes null on purpose
  void submit_null_throwsNamingTheArgument() {
    TaskRunner runner = runner();
    assertThatThrownBy(() -> runner.submit(null)).hasMessage("task");
    assertThatThrownBy(() -> runner.submitAsync(null)).hasMessage("task");
    assertThatThrownBy(() -> runner.map(null, List.of(1))).hasMessage("function");
    assertThatThrownBy(() -> runner.map(x -> x, null)).hasMessage("inputs");
  }

  @Test
  void map_keepsInputOrder_acrossManyBatches() throws Exception {
    TaskRunner runner = runner();
    List<Integer> inputs = IntStream.range(0, 10_000).boxed().toList();
    List<Integer> squares = runner.map(x -> x * x, inputs).get(20, SECONDS);
    assertThat(squares).hasSize(10_000);
    for (int i = 0; i < inputs.size(); i++) {
      assertThat(squares.get(i)).isEqualTo(i * i);
    }
    assertThat(runner.map(x -> x, List.of()).get(10, SECONDS)).isEmpty();
    assertThat(runner.<Integer, @Nullable Object>map(x -> null, Arrays.asList(1, 2)).get(10, SECONDS))
        .containsExactly(null, null);
  }

  @Test
  void map_oneFailure_failsTheWholeMap() {
    TaskRunner runner = runner();
    IllegalStateException failure = new IllegalStateException("bad input 77");
    ListenableFuture<List<Integer>> result =
        runner.map(
            x -> {
              if (x == 77) {
                throw failure;
              }
              return x;
            },
            IntStream.range(0, 200).boxed().toList());
    assertThatThrownBy(() -> result.get(10, SECONDS)).hasCause(failure);
  }

  @Test
  void submitAsync_completesWithTheStage_andContinuationsRunOnTheRunner() throws Exception {
    TaskRunner runner = runner();
    AtomicBoolean ranOnCaller = new AtomicBoolean();
    Thread caller = Thread.currentThread();
    ListenableFuture<String> result =
        runner.submitAsync(
            ctx ->
                ctx.sleep(Duration.ofMillis(20))
                    .thenApply(
                        v -> {
                          ranOnCaller.set(Thread.currentThread() == caller);
                          return "done by " + ctx.runnerName();
                        }));
    assertThat(result.get(10, SECONDS)).isEqualTo("done by " + runner.name());
    assertThat(ranOnCaller).isFalse();
  }

  @Test
  void submitAsync_failedStage_failsTheFuture() {
    TaskRunner runner = runner();
    IOException failure = new IOException("remote said no");
    ListenableFuture<String> result =
        runner.submitAsync(ctx -> CompletableFuture.failedFuture(failure));
    assertThatThrownBy(() -> result.get(10, SECONDS)).hasCause(failure);
  }

  @Test
  void submitAsync_cancelled_cancelsTheStage() throws Exception {
    TaskRunner runner = runner();
    CompletableFuture<String> stage = new CompletableFuture<>();
    CountDownLatch started = new CountDownLatch(1);
    ListenableFuture<String> result =
        runner.submitAsync(
            ctx -> {
              started.countDown();
              return stage;
            });
    assertThat(started.await(10, SECONDS)).isTrue();
    Await.until(() -> stage.getNumberOfDependents() > 0, "the runner listens to the stage");
    assertThat(result.cancel(true)).isTrue();
    assertThat(stage.isCancelled()).isTrue();
  }

  // ---- cancellation -----------------------------------------------------------------------------

  @Test
  void cancelTrue_interruptsTheRunningTask() throws Exception {
    TaskRunner runner = runner();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    CountDownLatch never = gate();
    ListenableFuture<Object> future =
        runner.submit(
            () -> {
              started.countDown();
              try {
                never.await();
              } catch (InterruptedException e) {
                interrupted.countDown();
              }
              return "unreachable";
            });
    assertThat(started.await(10, SECONDS)).isTrue();
    assertThat(future.cancel(true)).isTrue();
    assertThat(interrupted.await(10, SECONDS)).isTrue();
    assertThatThrownBy(future::get).isInstanceOf(CancellationException.class);
    awaitStats(runner, s -> s.cancelled() == 1 && s.running() == 0, "the cancel is counted");
  }

  @Test
  void cancelFalse_onAQueuedTask_meansItNeverRuns() throws Exception {
    TaskRunner runner = runner(baseWorkload().maxConcurrency(1));
    CountDownLatch release = gate();
    ListenableFuture<Object> blocker = startHolding(runner, release, "first");
    AtomicBoolean secondRan = new AtomicBoolean();
    ListenableFuture<Object> queued =
        runner.submit(
            () -> {
              secondRan.set(true);
              return "second";
            });
    assertThat(queued.cancel(false)).isTrue();
    release.countDown();
    assertThat(blocker.get(10, SECONDS)).isEqualTo("first");
    runner.close();
    assertThat(secondRan).isFalse();
    RunnerStats stats = runner.stats();
    assertThat(stats.completed()).isEqualTo(1);
    assertThat(stats.cancelled()).isEqualTo(1);
    assertThat(stats.queued() + stats.running()).isZero();
  }

  @Test
  void cancel_afterCompletion_changesNothing() throws Exception {
    TaskRunner runner = runner();
    ListenableFuture<String> future = runner.submit(() -> "v");
    assertThat(future.get(10, SECONDS)).isEqualTo("v");
    assertThat(future.cancel(true)).isFalse();
    assertThat(future.get()).isEqualTo("v");
  }

  @Test
  void taskTimeout_stopsTheTask_andFailsWithTimeoutException() throws Exception {
    TaskRunner runner = runner(baseWorkload().taskTimeout(Duration.ofMillis(100)));
    CountDownLatch never = gate();
    CountDownLatch interrupted = new CountDownLatch(1);
    ListenableFuture<Object> future =
        runner.submit(
            () -> {
              try {
                never.await();
              } catch (InterruptedException e) {
                interrupted.countDown();
              }
              return "unreachable";
            });
    assertThatThrownBy(() -> future.get(10, SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(TimeoutException.class)
        .hasMessageContaining(runner.name());
    assertThat(interrupted.await(10, SECONDS)).isTrue();
    awaitStats(runner, s -> s.timedOut() == 1 && s.failed() == 1, "the timeout is counted");
    // A quick task on the same runner is not affected.
    assertThat(runner.submit(() -> 5).get(10, SECONDS)).isEqualTo(5);
  }

  // ---- admission --------------------------------------------------------------------------------

  @Test
  void submit_whenFull_isRejectedNamingTheRunner() throws Exception {
    TaskRunner runner = runner(baseWorkload().maxConcurrency(1).queueCapacity(1).named("tiny"));
    CountDownLatch release = gate();
    ListenableFuture<Object> running = startHolding(runner, release, 1);
    ListenableFuture<Integer> queued = runner.submit(() -> 2);
    assertThatThrownBy(() -> runner.submit(() -> 3))
        .isInstanceOf(RejectedExecutionException.class)
        .hasMessageContaining("'tiny'")
        .hasMessageContaining("full");
    assertThat(runner.stats().rejected()).isEqualTo(1);
    release.countDown();
    assertThat(running.get(10, SECONDS)).isEqualTo(1);
    assertThat(queued.get(10, SECONDS)).isEqualTo(2);
  }

  @Test
  void submit_afterClose_isRejectedNamingTheState() {
    TaskRunner runner = runner(baseWorkload().named("closed-one"));
    runner.close();
    assertThatThrownBy(() -> runner.submit(() -> 1))
        .isInstanceOf(RejectedExecutionException.class)
        .hasMessageContaining("'closed-one'")
        .hasMessageContaining("shut down");
    assertThatThrownBy(() -> runner.asExecutorService().execute(() -> {}))
        .isInstanceOf(RejectedExecutionException.class);
  }

  // ---- close ------------------------------------------------------------------------------------

  @Test
  void close_letsAcceptedTasksFinish_thenTerminates() throws Exception {
    TaskRunner runner = runner(baseWorkload().maxConcurrency(2));
    CountDownLatch release = gate();
    List<ListenableFuture<Integer>> futures = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      int n = i;
      futures.add(
          runner.submit(
              () -> {
                release.await();
                return n;
              }));
    }
    CompletableFuture<Boolean> allDoneWhenCloseReturned =
        CompletableFuture.supplyAsync(
            () -> {
              runner.close();
              return futures.stream().allMatch(Future::isDone);
            });
    Await.until(runner::isShutdown, "close() started");
    assertThat(runner.isTerminated()).isFalse();
    release.countDown();
    assertThat(allDoneWhenCloseReturned.get(10, SECONDS)).isTrue();
    assertThat(runner.isTerminated()).isTrue();
    for (int i = 0; i < 6; i++) {
      assertThat(futures.get(i).get()).isEqualTo(i);
    }
    runner.close(); // idempotent
  }

  @Test
  void close_fromInsideATask_doesNotDeadlock() throws Exception {
    TaskRunner runner = runner();
    ListenableFuture<String> future =
        runner.submit(
            () -> {
              runner.close();
              return "closed from inside";
            });
    assertThat(future.get(10, SECONDS)).isEqualTo("closed from inside");
    assertThat(runner.awaitTermination(Duration.ofSeconds(10))).isTrue();
  }

  @Test
  void close_whenInterrupted_cancelsTheRest_andKeepsTheInterrupt() throws Exception {
    TaskRunner runner = runner();
    ListenableFuture<Object> stuck = startHolding(runner, gate(), "unreachable");
    Thread.currentThread().interrupt();
    runner.close();
    assertThat(Thread.interrupted()).isTrue();
    assertThat(stuck.isCancelled()).isTrue();
    assertThat(runner.isTerminated()).isTrue();
  }

  // ---- the ExecutorService view -----------------------------------------------------------------

  @Test
  void executorService_invokeAll_waitsForAll() throws Exception {
    ExecutorService executor = runner().asExecutorService();
    List<Callable<Integer>> tasks = List.of(() -> 1, () -> 2, () -> 3);
    List<Future<Integer>> futures = executor.invokeAll(tasks);
    assertThat(futures).allMatch(Future::isDone);
    assertThat(futures.get(2).get()).isEqualTo(3);
  }

  @Test
  void executorService_invokeAllWithTimeout_cancelsTheLateOnes() throws Exception {
    ExecutorService executor = runner().asExecutorService();
    CountDownLatch never = gate();
    List<Callable<Integer>> tasks =
        List.of(
            () -> 1,
            () -> {
              never.await();
              return 2;
            });
    // Start the runner's threads first, then leave the quick task ample time: the assertion is
    // about the late task being cancelled, not about how fast the quick one runs.
    assertThat(executor.submit(() -> 0).get(10, SECONDS)).isEqualTo(0);
    List<Future<Integer>> futures = executor.invokeAll(tasks, 2, SECONDS);
    assertThat(futures).allMatch(Future::isDone);
    assertThat(futures.get(0).get()).isEqualTo(1);
    assertThat(futures.get(1).isCancelled()).isTrue();
  }

  @Test
  void executorService_invokeAny_returnsASuccess_andCancelsTheRest() throws Exception {
    ExecutorService executor = runner().asExecutorService();
    CountDownLatch never = gate();
    AtomicBoolean slowStarted = new AtomicBoolean();
    AtomicBoolean slowInterrupted = new AtomicBoolean();
    Callable<String> slow =
        () -> {
          slowStarted.set(true);
          try {
            never.await();
          } catch (InterruptedException e) {
            slowInterrupted.set(true);
            throw e;
          }
          return "slow";
        };
    Callable<String> failing =
        () -> {
          throw new IOException("no");
        };
    // The slow task goes last: a single event loop runs tasks in order, and one blocked ahead of
    // the fast task would hold the loop, which is the blocked-loop detector's business.
    assertThat(executor.invokeAny(List.of(failing, () -> "fast", slow))).isEqualTo("fast");
    // invokeAny cancelled the slow task: if it had started, it was interrupted.
    Await.until(() -> !slowStarted.get() || slowInterrupted.get(), "the slow task was stopped");
  }

  @Test
  void executorService_invokeAny_allFail_throwsExecutionException() {
    ExecutorService executor = runner().asExecutorService();
    Callable<String> failing =
        () -> {
          throw new IOException("no");
        };
    assertThatThrownBy(() -> executor.invokeAny(List.of(failing, failing)))
        .isInstanceOf(ExecutionException.class)
        .hasRootCauseInstanceOf(IOException.class);
  }

  @Test
  void executorService_invokeAnyWithTimeout_throwsTimeoutException() {
    ExecutorService executor = runner().asExecutorService();
    CountDownLatch never = gate();
    Callable<String> slow =
        () -> {
          never.await();
          return "slow";
        };
    assertThatThrownBy(
            () -> executor.invokeAny(List.of(slow), 50, MILLISECONDS))
        .isInstanceOf(TimeoutException.class);
  }

  @Test
  void executorService_shutdownNow_returnsTheNeverStarted_andCancelsThem() throws Exception {
    TaskRunner runner = runner(baseWorkload().maxConcurrency(1));
    ExecutorService executor = runner.asExecutorService();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch never = gate();
    CountDownLatch interrupted = new CountDownLatch(1);
    Future<?> running =
        executor.submit(
            () -> {
              started.countDown();
              try {
                never.await();
              } catch (InterruptedException e) {
                interrupted.countDown();
              }
            });
    assertThat(started.await(10, SECONDS)).isTrue();
    List<Future<?>> queued = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      queued.add(executor.submit(() -> {}));
    }
    List<Runnable> neverStarted = executor.shutdownNow();
    assertThat(neverStarted).hasSize(3);
    assertThat(queued).allMatch(Future::isCancelled);
    assertThat(interrupted.await(10, SECONDS)).isTrue();
    assertThat(running.isCancelled()).isTrue();
    assertThat(executor.awaitTermination(10, SECONDS)).isTrue();
    assertThat(executor.isTerminated()).isTrue();
    assertThat(executor.isShutdown()).isTrue();
  }

  @Test
  void executorService_submitRunnable_andClose() throws Exception {
    ExecutorService executor = runner().asExecutorService();
    AtomicBoolean ran = new AtomicBoolean();
    assertThat(executor.submit(() -> ran.set(true)).get(10, SECONDS)).isNull();
    assertThat(executor.submit(() -> {}, "r").get(10, SECONDS)).isEqualTo("r");
    assertThat(ran).isTrue();
    executor.close();
    assertThat(executor.isTerminated()).isTrue();
  }

  // ---- stats ------------------------------------------------------------------------------------

  @Test
  void stats_countEveryOutcome() throws Exception {
    TaskRunner runner = runner();
    for (int i = 0; i < 20; i++) {
      runner.submit(() -> 1).get(10, SECONDS);
    }
    try {
      runner
          .submit(
              () -> {
                throw new IOException("x");
              })
          .get(10, SECONDS);
    } catch (ExecutionException expected) {
      // counted below
    }
    awaitStats(runner, s -> s.completed() == 20 && s.failed() == 1, "all outcomes counted");
    RunnerStats stats = runner.stats();
    assertThat(stats.submitted()).isEqualTo(21);
    assertThat(stats.pending()).isZero();
    assertThat(stats.runner()).isEqualTo(runner.name());
    assertThat(stats.strategy()).isEqualTo(expectedStrategy());
  }
}

package io.taskrunner.strategies.loop;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import io.taskrunner.Runners;
import io.taskrunner.Strategy;
import io.taskrunner.TaskRunner;
import io.taskrunner.Workload;
import io.taskrunner.strategies.Await;
import io.taskrunner.strategies.BlockedLoopException;
import io.taskrunner.strategies.EventLoopRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class EventLoopRunnerTest {

  private static EventLoop currentLoop() {
    EventLoop loop = EventLoop.current();
    if (loop == null) {
      throw new AssertionError("not on a loop thread: " + Thread.currentThread());
    }
    return loop;
  }

  @Test
  void forWorkload_nonBlocking_returnsEventLoop() throws Exception {
    try (TaskRunner loop = Runners.forWorkload(Workload.ioBound().nonBlocking())) {
      assertThat(loop.strategy()).isEqualTo(Strategy.EVENT_LOOP);
      assertThat(loop).isInstanceOf(EventLoopRunner.class);
      ListenableFuture<String> r =
          loop.submitAsync(ctx -> ctx.sleep(Duration.ofMillis(5)).thenApply(v -> "done"));
      assertThat(r.get(10, SECONDS)).isEqualTo("done");
    }
  }

  @Test
  void continuations_runOnLoopThread() throws Exception {
    try (EventLoopRunner runner = EventLoopRunner.builder().name("cont").build()) {
      ListenableFuture<List<Object>> seen =
          runner.submitAsync(
              ctx -> {
                String startThread = Thread.currentThread().getName();
                return ctx.sleep(Duration.ofMillis(5))
                    .thenApply(
                        v -> List.<Object>of(
                            startThread,
                            Thread.currentThread().getName(),
                            runner.inEventLoop()))
                    .thenApplyAsync(
                        list -> {
                          List<Object> out = new ArrayList<>(list);
                          out.add(Thread.currentThread().getName()); // default executor: the loop
                          return out;
                        });
              });
      List<Object> names = seen.get(10, SECONDS);
      assertThat(names.get(0)).isEqualTo("taskrunner-cont-0");
      assertThat(names.get(1)).isEqualTo("taskrunner-cont-0");
      assertThat(names.get(2)).isEqualTo(true);
      assertThat(names.get(3)).isEqualTo("taskrunner-cont-0");
      assertThat(runner.inEventLoop()).isFalse();
    }
  }

  @Test
  void taskException_failsItsFuture_loopKeepsServing() throws Exception {
    try (EventLoopRunner runner = EventLoopRunner.builder().build()) {
      ListenableFuture<String> thread1 = runner.submit(() -> Thread.currentThread().getName());
      ListenableFuture<Object> boom =
          runner.submit(
              () -> {
                throw new IllegalStateException("boom");
              });
      ListenableFuture<Object> error =
          runner.submit(
              () -> {
                throw new StackOverflowError("deep");
              });
      ListenableFuture<Integer> asyncBoom =
          runner.submitAsync(
              ctx -> ctx.sleep(Duration.ZERO).thenApply(v -> {
                throw new IllegalArgumentException("later");
              }));
      ListenableFuture<String> thread2 = runner.submit(() -> Thread.currentThread().getName());
      assertThatThrownBy(() -> boom.get(10, SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> error.get(10, SECONDS)).hasCauseInstanceOf(StackOverflowError.class);
      assertThatThrownBy(() -> asyncBoom.get(10, SECONDS))
          .hasCauseInstanceOf(IllegalArgumentException.class);
      assertThat(thread2.get(10, SECONDS)).isEqualTo(thread1.get(10, SECONDS));
      ListenableFuture<Integer> after = runner.submit(() -> 42);
      assertThat(after.get(10, SECONDS)).isEqualTo(42);
    }
  }

  @Test
  void timers_fireInDeadlineOrder_tiesInSchedulingOrder() throws Exception {
    try (EventLoopRunner runner = EventLoopRunner.builder().build()) {
      ListenableFuture<List<Integer>> order =
          runner.submitAsync(
              ctx -> {
                List<Integer> fired = new ArrayList<>(); // loop-confined: no lock needed
                List<CompletableFuture<?>> all = new ArrayList<>();
                int[] delays = {50, 10, 40, 20, 30, 0};
                for (int d : delays) {
                  all.add(
                      ctx.sleep(Duration.ofMillis(d)).thenRun(() -> fired.add(d)).toCompletableFuture());
                }
                for (int i = 100; i < 110; i++) { // equal deadlines: scheduling order
                  int id = i;
                  all.add(ctx.sleep(Duration.ofMillis(60)).thenRun(() -> fired.add(id))
                      .toCompletableFuture());
                }
                return CompletableFuture.allOf(all.toArray(CompletableFuture<?>[]::new))
                    .thenApply(v -> fired);
              });
      assertThat(order.get(10, SECONDS))
          .containsExactly(0, 10, 20, 30, 40, 50, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109);
    }
  }

  @Test
  void cancel_pendingTimer_removesItFromTheLoop() throws Exception {
    try (EventLoopRunner runner = EventLoopRunner.builder().build()) {
      CountDownLatch started = new CountDownLatch(1);
      List<CompletableFuture<@Nullable Void>> sleeps = new ArrayList<>();
      ListenableFuture<String> task =
          runner.submitAsync(
              ctx -> {
                for (int i = 0; i < 1_000; i++) {
                  sleeps.add(ctx.sleep(Duration.ofHours(1)).toCompletableFuture());
                }
                started.countDown();
                return ctx.sleep(Duration.ofHours(1)).thenApply(v -> "never");
              });
      assertThat(started.await(10, SECONDS)).isTrue();
      assertThat(runner.submit(() -> currentLoop().pendingTimers()).get(10, SECONDS))
          .isEqualTo(1_001);

      // Cancelling one sleep from another thread frees it.
      assertThat(sleeps.get(0).cancel(false)).isTrue();
      assertThat(runner.submit(() -> currentLoop().pendingTimers()).get(10, SECONDS))
          .isEqualTo(1_000);

      // Cancelling the task frees every timer it still had.
      assertThat(task.cancel(true)).isTrue();
      awaitNoPendingTimers(runner);
      assertThat(sleeps).allMatch(CompletableFuture::isCancelled);
    }
  }

  @Test
  void crossThreadSubmits_fromManyThreads_allRunExactlyOnce() throws Exception {
    int threads = 4;
    int perThread = 20_000;
    AtomicIntegerArray runs = new AtomicIntegerArray(threads * perThread);
    int[] loopCounter = new int[1]; // only the loop touches it
    try (EventLoopRunner runner = EventLoopRunner.builder().queueCapacity(threads * perThread).build();
        ExecutorService producers = Executors.newFixedThreadPool(threads)) {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<List<ListenableFuture<Integer>>>> batches = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int base = t * perThread;
        batches.add(
            producers.submit(
                () -> {
                  go.await();
                  List<ListenableFuture<Integer>> fs = new ArrayList<>(perThread);
                  for (int i = 0; i < perThread; i++) {
                    int id = base + i;
                    fs.add(
                        runner.submit(
                            () -> {
                              runs.incrementAndGet(id);
                              return ++loopCounter[0];
                            }));
                  }
                  return fs;
                }));
      }
      go.countDown();
      for (Future<List<ListenableFuture<Integer>>> batch : batches) {
        for (ListenableFuture<Integer> f : batch.get(20, SECONDS)) {
          assertThat(f.get(20, SECONDS)).isPositive();
        }
      }
      assertThat(runner.submit(() -> loopCounter[0]).get(10, SECONDS)).isEqualTo(threads * perThread);
    }
    for (int i = 0; i < runs.length(); i++) {
      assertThat(runs.get(i)).as("runs of task %d", i).isEqualTo(1);
    }
  }

  @Test
  void close_withPendingTimers_completesEveryFuture() throws Exception {
    EventLoopRunner runner = EventLoopRunner.builder().build();
    List<ListenableFuture<Integer>> futures = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      int id = i;
      futures.add(
          runner.submitAsync(ctx -> ctx.sleep(Duration.ofMillis(20 + id % 20)).thenApply(v -> id)));
    }
    runner.close();
    assertThat(runner.isTerminated()).isTrue();
    for (int i = 0; i < futures.size(); i++) {
      assertThat(futures.get(i).isDone()).isTrue();
      assertThat(futures.get(i).get()).isEqualTo(i);
    }
    assertThatThrownBy(() -> runner.submit(() -> 1))
        .isInstanceOf(java.util.concurrent.RejectedExecutionException.class)
        .hasMessageContaining(runner.name());
  }

  @Test
  void shutdownNow_withHourLongTimers_cancelsEveryFuture() throws Exception {
    EventLoopRunner runner = EventLoopRunner.builder().build();
    List<ListenableFuture<String>> futures = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      futures.add(runner.submitAsync(ctx -> ctx.sleep(Duration.ofHours(1)).thenApply(v -> "late")));
    }
    List<Runnable> neverStarted = runner.asExecutorService().shutdownNow();
    assertThat(runner.awaitTermination(Duration.ofSeconds(10))).isTrue();
    assertThat(neverStarted.size()).isLessThanOrEqualTo(100);
    for (ListenableFuture<String> f : futures) {
      assertThat(f.isCancelled()).isTrue();
    }
  }

  @Test
  void cancelTrue_runningSyncTask_interruptsOnlyThatTask() throws Exception {
    try (EventLoopRunner runner = EventLoopRunner.builder().build()) {
      CountDownLatch running = new CountDownLatch(1);
      CountDownLatch never = new CountDownLatch(1);
      ListenableFuture<String> blocker =
          runner.submit(
              () -> {
                running.countDown();
                never.await(); // blocks the loop: the interrupt must end it
                return "not interrupted";
              });
      ListenableFuture<Boolean> next = runner.submit(() -> Thread.currentThread().isInterrupted());
      assertThat(running.await(10, SECONDS)).isTrue();
      assertThat(blocker.cancel(true)).isTrue();
      assertThat(next.get(10, SECONDS)).isFalse();
      assertThatThrownBy(blocker::get).isInstanceOf(CancellationException.class);
    }
  }

  @Test
  void taskTimeout_asyncTask_failsAndFreesItsTimer() throws Exception {
    try (EventLoopRunner runner =
        EventLoopRunner.builder().taskTimeout(Duration.ofMillis(30)).build()) {
      ListenableFuture<String> slow =
          runner.submitAsync(ctx -> ctx.sleep(Duration.ofHours(1)).thenApply(v -> "late"));
      assertThatThrownBy(() -> slow.get(10, SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(TimeoutException.class);
      awaitNoPendingTimers(runner);
    }
  }

  /**
   * Polls until the loop has no pending timer: a task's leftover timers are freed by a release
   * handed to the loop when its future completes, which may run just after {@code get()} returns.
   */
  private static void awaitNoPendingTimers(EventLoopRunner runner) throws Exception {
    Await.until(
        () -> Futures.getUnchecked(runner.submit(() -> currentLoop().pendingTimers())) == 0,
        "the loop has no pending timer");
  }

  @Test
  void blockedLoop_isReportedOnceWithItsStack_andTheLoopKeepsServing() throws Exception {
    CompletableFuture<BlockedLoopException> report = new CompletableFuture<>();
    List<BlockedLoopException> reports = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (EventLoopRunner runner =
        EventLoopRunner.builder()
            .name("blocky")
            .blockedLoopThreshold(Duration.ofMillis(50))
            .onBlockedLoop(
                r -> {
                  reports.add(r);
                  report.complete(r);
                })
            .build()) {
      CountDownLatch release = new CountDownLatch(1);
      ListenableFuture<String> blocker =
          runner.submit(
              () -> {
                BlockingHelper.holdTheLoop(release);
                return "released";
              });
      BlockedLoopException r = report.get(10, SECONDS);
      release.countDown();
      assertThat(blocker.get(10, SECONDS)).isEqualTo("released");

      assertThat(r.runnerName()).isEqualTo("blocky");
      assertThat(r.threadName()).isEqualTo("taskrunner-blocky-0");
      assertThat(r.blockedFor()).isGreaterThanOrEqualTo(Duration.ofMillis(50));
      assertThat(r.getMessage()).contains("blocky").contains("blocked for at least");
      assertThat(r.getStackTrace())
          .anyMatch(
              f -> f.getClassName().equals(BlockingHelper.class.getName())
                  && f.getMethodName().equals("holdTheLoop"));

      assertThat(runner.submit(() -> 42).get(10, SECONDS)).isEqualTo(42);
      assertThat(runner.blockedLoopCount()).isEqualTo(1);
      assertThat(reports).hasSize(1);
    }
  }

  @Test
  void mapAndExecutorService_runOnTheLoop() throws Exception {
    try (EventLoopRunner runner = EventLoopRunner.builder().name("mapper").build()) {
      List<Integer> inputs = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        inputs.add(i);
      }
      assertThat(runner.map(x -> x * 2, inputs).get(10, SECONDS).get(99)).isEqualTo(198);
      List<Future<String>> names =
          runner.asExecutorService()
              .invokeAll(List.of(() -> Thread.currentThread().getName(), () -> "x"));
      assertThat(names.get(0).get()).isEqualTo("taskrunner-mapper-0");
    }
  }

  @Test
  void groupOfLoops_spreadsTasks() throws Exception {
    try (EventLoopRunner runner = EventLoopRunner.builder().name("grp").loops(2).build()) {
      assertThat(runner.loopCount()).isEqualTo(2);
      List<ListenableFuture<String>> names = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        names.add(runner.submit(() -> Thread.currentThread().getName()));
      }
      List<String> seen = new ArrayList<>();
      for (ListenableFuture<String> f : names) {
        seen.add(f.get(10, SECONDS));
      }
      assertThat(seen).contains("taskrunner-grp-0", "taskrunner-grp-1");
    }
  }

  @Test
  void groupOfLoops_keyedSubmits_runOnOneLoopPerKey_inOrder() throws Exception {
    try (EventLoopRunner runner = EventLoopRunner.builder().name("pin").loops(3).build()) {
      java.util.Map<String, List<Integer>> perKey = new java.util.HashMap<>();
      List<ListenableFuture<String>> threads = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        String key = "key-" + (i % 7);
        int seq = i;
        perKey.computeIfAbsent(key, k -> java.util.Collections.synchronizedList(new ArrayList<>()));
        List<Integer> seen = perKey.get(key);
        threads.add(
            runner.submit(
                key,
                () -> {
                  seen.add(seq);
                  return key + "@" + Thread.currentThread().getName();
                }));
      }
      java.util.Map<String, java.util.Set<String>> loopsPerKey = new java.util.HashMap<>();
      for (ListenableFuture<String> f : threads) {
        String both = f.get(10, SECONDS);
        int at = both.indexOf('@');
        loopsPerKey
            .computeIfAbsent(both.substring(0, at), k -> new java.util.HashSet<>())
            .add(both.substring(at + 1));
      }
      assertThat(loopsPerKey).hasSize(7).allSatisfy((key, names) -> assertThat(names).hasSize(1));
      perKey.forEach((key, seqs) -> assertThat(seqs).isSorted());
      ListenableFuture<String> async =
          runner.submitAsync(
              "key-3",
              ctx -> ctx.sleep(Duration.ZERO).thenApply(v -> Thread.currentThread().getName()));
      assertThat(async.get(10, SECONDS)).isIn(loopsPerKey.get("key-3"));
    }
  }

  @Test
  void traitVerification_isOff_theWatchdogJudgesTheLoop() throws Exception {
    String before = System.getProperty("io.taskrunner.verifyEvery");
    System.setProperty("io.taskrunner.verifyEvery", "1"); // would measure every task
    try (EventLoopRunner runner = EventLoopRunner.builder().build()) {
      for (int i = 0; i < 20; i++) {
        assertThat(runner.submit(() -> 7).get(10, SECONDS)).isEqualTo(7);
      }
      assertThat(runner.stats().keys()).isEmpty();
    } finally {
      if (before == null) {
        System.clearProperty("io.taskrunner.verifyEvery");
      } else {
        System.setProperty("io.taskrunner.verifyEvery", before);
      }
    }
  }

  @Test
  void forgottenRunner_hasItsLoopThreadStopped() throws Exception {
    Thread loopThread = startAndForget();
    Await.until(
        () -> {
          System.gc(); // the Cleaner runs after a collection
          return !loopThread.isAlive();
        },
        "the loop thread of a forgotten runner has stopped");
    assertThat(loopThread.isAlive()).as("loop thread of a forgotten runner").isFalse();
  }

  /** Creates a runner, uses it, and drops every reference to it; returns its loop thread. */
  private static Thread startAndForget() throws Exception {
    EventLoopRunner runner = EventLoopRunner.builder().name("forgotten").build();
    return runner.submit(Thread::currentThread).get(10, SECONDS);
  }

  @Test
  void blockingOnAPendingLoopFuture_fromTheLoop_isRefusedNamingTheMethod() throws Exception {
    try (EventLoopRunner runner = EventLoopRunner.builder().name("refuse").build()) {
      ListenableFuture<String> r =
          runner.submitAsync(
              ctx -> {
                CompletableFuture<@Nullable Void> pending =
                    ctx.sleep(Duration.ofHours(1)).toCompletableFuture();
                CompletableFuture<@Nullable Void> done =
                    ctx.sleep(Duration.ZERO).toCompletableFuture();
                String joined;
                try {
                  var unused = pending.join();
                  joined = "joined";
                } catch (IllegalStateException e) {
                  joined = e.getMessage();
                }
                String result = joined;
                // a completed one may be read on the loop: no blocking involved
                return done.thenApply(v -> done.join() == null ? result : "?");
              });
      assertThat(r.get(10, SECONDS))
          .startsWith("join() on a pending future of event loop taskrunner-refuse-0")
          .contains("would block it forever");
    }
  }

  @Test
  void builder_rejectsBadInputAndSecondSettings() {
    EventLoopRunner.Builder b = EventLoopRunner.builder();
    assertThatThrownBy(() -> b.loops(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("loops must be positive: 0");
    assertThatThrownBy(() -> b.blockedLoopThreshold(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("threshold");
    @SuppressWarnings("NullAway") // checking the null check
    Runnable nullName = () -> b.name(null);
    assertThatThrownBy(nullName::run)
        .isInstanceOf(NullPointerException.class)
        .hasMessage("name");
    b.queueCapacity(64);
    assertThatThrownBy(() -> b.queueCapacity(128))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("queueCapacity was already set to 64");
  }

  /** A named frame for the blocked-loop report to find. */
  static final class BlockingHelper {
    private BlockingHelper() {}

    static void holdTheLoop(CountDownLatch release) throws InterruptedException {
      assertThat(release.await(20, SECONDS)).isTrue();
    }
  }
}

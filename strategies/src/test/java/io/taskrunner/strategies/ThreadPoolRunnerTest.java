package io.taskrunner.strategies;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.ListenableFuture;
import io.taskrunner.Strategy;
import io.taskrunner.Task;
import io.taskrunner.TaskRunner;
import io.taskrunner.Workload;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
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
    runner.map(x -> x + 1, List.of(1, 2, 3, 4)).get(10, SECONDS);
    runner.close();
    assertThat(runner.isTerminated()).isTrue();
    Await.until(() -> poolThreads("taskrunner-to-stop-").isEmpty(), "every pool thread has ended");
  }

  @Test
  void threadsStartOnDemand_oneTaskStartsOneThread() throws Exception {
    TaskRunner runner = runner(Workload.cpuBound().named("on-demand").maxConcurrency(4));
    runner.submit(() -> 1).get(10, SECONDS);
    assertThat(poolThreads("taskrunner-on-demand-")).hasSize(1);
  }

  @Test
  void aTaskQueuedBehindABusyThread_isTakenByAParkedOne() throws Exception {
    TaskRunner runner = runner(Workload.cpuBound().named("steal").maxConcurrency(2));
    startBothThreads(runner);
    // Tasks from outside go to the two threads' queues in turn; the extra tasks of odd rounds
    // shift which queue the blocker and the second task land in, so that in some round the second
    // task waits behind the blocked thread, and only the other thread, by stealing, can run it.
    for (int round = 0; round < 4; round++) {
      for (int extra = 0; extra < round % 2; extra++) {
        runner.submit(() -> 1).get(10, SECONDS);
      }
      Await.until(
          () -> poolThreads("taskrunner-steal-").stream().allMatch(ThreadPoolRunnerTest::isParked),
          "both pool threads are parked");
      CountDownLatch release = new CountDownLatch(1);
      ListenableFuture<Boolean> blocker = runner.submit(() -> release.await(20, SECONDS));
      try {
        assertThat(runner.submit(() -> "ran").get(10, SECONDS)).as("round %d", round).isEqualTo("ran");
      } finally {
        release.countDown();
      }
      assertThat(blocker.get(10, SECONDS)).isTrue();
    }
  }

  @Test
  void aTaskSubmittedFromAPoolThread_isStolenWhileThatThreadWaitsForIt() throws Exception {
    TaskRunner runner = runner(Workload.cpuBound().named("nested").maxConcurrency(2));
    startBothThreads(runner);
    for (int round = 0; round < 4; round++) {
      // The inner task goes to the submitting pool thread's own queue; that thread then blocks
      // on it, so only the other thread, by stealing, can run it.
      String result =
          runner
              .submit(
                  () -> {
                    Thread outer = Thread.currentThread();
                    return runner
                        .submit(() -> Thread.currentThread() == outer ? "same thread" : "stolen")
                        .get(10, SECONDS);
                  })
              .get(20, SECONDS);
      assertThat(result).as("round %d", round).isEqualTo("stolen");
    }
  }

  @Test
  void manySubmittersAtOnce_everyTaskRunsExactlyOnce() throws Exception {
    TaskRunner runner = runner(Workload.cpuBound().maxConcurrency(2).queueCapacity(1 << 20));
    int submitters = 4;
    int perSubmitter = 20_000;
    AtomicIntegerArray runs =
        new AtomicIntegerArray(submitters * perSubmitter);
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    List<ListenableFuture<Integer>> futures =
        Collections.synchronizedList(new ArrayList<>());
    for (int s = 0; s < submitters; s++) {
      int base = s * perSubmitter;
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      go.await();
                    } catch (InterruptedException e) {
                      throw new AssertionError(e);
                    }
                    for (int i = 0; i < perSubmitter; i++) {
                      int id = base + i;
                      futures.add(runner.submit(() -> runs.incrementAndGet(id)));
                    }
                  }));
    }
    go.countDown();
    for (Thread t : threads) {
      t.join(20_000);
      assertThat(t.isAlive()).isFalse();
    }
    for (ListenableFuture<Integer> f : futures) {
      assertThat(f.get(20, SECONDS)).isEqualTo(1);
    }
    for (int i = 0; i < runs.length(); i++) {
      assertThat(runs.get(i)).as("task %d", i).isEqualTo(1);
    }
    assertThat(runner.stats().completed()).isEqualTo((long) submitters * perSubmitter);
  }

  @Test
  void anIdlePool_keepsNoFinishedTaskOrResultReachable() throws Exception {
    TaskRunner runner = runner(Workload.cpuBound().named("idle-gc").maxConcurrency(2));
    WeakReference<Object> result = submitAndForget(runner);
    Await.until(
        () -> {
          System.gc();
          return result.get() == null;
        },
        "the result of a finished, forgotten task is collected once the pool is idle");
  }

  private static WeakReference<Object> submitAndForget(TaskRunner runner)
      throws Exception {
    Object value = runner.submit(() -> new Object[1_000]).get(10, SECONDS);
    return new WeakReference<>(value);
  }

  @Test
  void anInterruptATaskLeavesOnItsThread_neverReachesTheNextTask() throws Exception {
    TaskRunner runner = runner(Workload.cpuBound().maxConcurrency(1));
    for (int round = 0; round < 20; round++) {
      var unused =
          runner
              .submit(
                  () -> {
                    Thread.currentThread().interrupt(); // and return without clearing it
                    return 1;
                  })
              .get(10, SECONDS);
      boolean nextSawInterrupt =
          runner.submit(() -> Thread.currentThread().isInterrupted()).get(10, SECONDS);
      assertThat(nextSawInterrupt).as("round %d", round).isFalse();
    }
  }

  @Test
  void continuationsRun_whileAStreamOfTasksKeepsThePoolBusy() throws Exception {
    TaskRunner runner = runner(Workload.cpuBound().named("fair").maxConcurrency(1));
    // The sleep's stage completes through a continuation on the pool's one thread.
    ListenableFuture<String> async =
        runner.submitAsync(ctx -> ctx.sleep(Duration.ofMillis(5)).thenApply(v -> "done"));
    // A chain of tasks, each submitting the next from the pool thread before it returns: the
    // thread never finds its queue empty, so only a fair pick runs the continuation.
    AtomicBoolean stop = new AtomicBoolean();
    try {
      var unused = runner.submit(link(runner, async, stop));
      assertThat(async.get(10, SECONDS)).isEqualTo("done");
    } finally {
      stop.set(true);
    }
  }

  private static Task<Integer> link(
      TaskRunner runner,
      Future<?> until,
      AtomicBoolean stop) {
    return () -> {
      if (!stop.get() && !until.isDone()) {
        var unused = runner.submit(link(runner, until, stop));
      }
      return 1;
    };
  }

  /** Runs two tasks that wait for each other, so that both pool threads exist afterwards. */
  private static void startBothThreads(TaskRunner runner) throws Exception {
    CountDownLatch both = new CountDownLatch(2);
    List<ListenableFuture<Boolean>> meet = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      meet.add(
          runner.submit(
              () -> {
                both.countDown();
                return both.await(20, SECONDS);
              }));
    }
    for (ListenableFuture<Boolean> f : meet) {
      assertThat(f.get(20, SECONDS)).isTrue();
    }
  }

  private static List<Thread> poolThreads(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith(prefix) && t.isAlive())
        .toList();
  }

  private static boolean isParked(Thread thread) {
    return thread.getState() == Thread.State.WAITING;
  }
}

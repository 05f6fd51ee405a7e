package io.taskrunner.strategies.threads;

import io.taskrunner.spi.RunnerSpec;
import io.taskrunner.strategies.internal.AbstractTaskRunner;
import io.taskrunner.strategies.internal.TaskFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import io.taskrunner.internal.CpuQuota;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Blocking I/O on virtual threads: a new virtual thread per task, never pooled, with at most {@code
 * maxConcurrency} running at once; tasks beyond that wait in a FIFO queue for a permit.
 *
 * <p>The virtual threads are all named {@code taskrunner-<name>-virtual} (a virtual thread per
 * task needs no number: thread dumps show each one's id).
 *
 * <p>{@code cancel(true)} interrupts the virtual thread, which unparks it from blocking I/O, sleeps
 * and locks.
 *
 * <p>Concurrency: a task takes a permit to start and gives it back when its code returns. A task
 * that finds no permit enqueues itself and then tries again; a finishing task gives its permit back
 * and then looks at the queue. Each side acts first and looks second, so one of them always sees
 * the other: a queued task is never stranded while a permit is free. {@code PermitGateStress} in
 * jcstress-tests checks this. Thread-safe.
 */
final class VirtualThreadRunner extends AbstractTaskRunner {
  private final AtomicInteger permits;
  private final ConcurrentLinkedQueue<TaskFuture<?>> waiting = new ConcurrentLinkedQueue<>();
  private final ConcurrentHashMap<Thread, TaskFuture<?>> live = new ConcurrentHashMap<>();
  private final ThreadFactory factory;
  private final @Nullable ExecutorService computePool;

  /**
   * The JVM reports no CPU time for virtual threads, so a task picked to verify the declared
   * workload runs on a platform thread instead: one of a JVM-wide cached pool of daemon threads,
   * reused, since starting a platform thread per measured task cost more than the rest of the
   * runner's bookkeeping together.
   */
  private static final ExecutorService MEASURING =
      new ThreadPoolExecutor(
          0,
          Integer.MAX_VALUE,
          30,
          TimeUnit.SECONDS,
          new SynchronousQueue<>(),
          Thread.ofPlatform().daemon().name("taskrunner-measured-", 0).factory());

  VirtualThreadRunner(RunnerSpec spec) {
    super(spec);
    this.permits = new AtomicInteger(spec.maxConcurrency());
    // One name for all of this runner's virtual threads: numbering them ("-0", "-1", ...) built a
    // string per task and cost about 130 ns of CPU per task in SubmitBenchmark, a third of this
    // runner's overhead over the raw virtual-thread executor. Thread ids tell them apart in dumps.
    this.factory = Thread.ofVirtual().name("taskrunner-" + spec.name() + "-virtual").factory();
    this.computePool =
        spec.workload().isReroutingMisdeclared()
            ? Executors.newFixedThreadPool(
                CpuQuota.current().usableCores(),
                Thread.ofPlatform()
                    .daemon()
                    .name("taskrunner-" + spec.name() + "-cpu-", 0)
                    .factory())
            : null;
  }

  @Override
  protected void dispatch(TaskFuture<?> task) {
    if (computePool != null && profiler.isReported(task.key())) {
      startRerouted(computePool, task);
      return;
    }
    if (waiting.isEmpty() && tryAcquire()) {
      start(task);
    } else {
      waiting.offer(task);
      drain();
    }
  }

  private boolean tryAcquire() {
    for (int p = permits.get(); p > 0; p = permits.get()) {
      if (permits.compareAndSet(p, p - 1)) {
        return true;
      }
    }
    return false;
  }

  private void drain() {
    while (!waiting.isEmpty() && tryAcquire()) {
      TaskFuture<?> next = waiting.poll();
      if (next == null) {
        permits.incrementAndGet(); // another drainer took it; look again
      } else {
        start(next);
      }
    }
  }

  /**
   * Runs a task of a key reported as computing, not waiting, on the platform-thread pool instead of
   * a virtual thread ({@code Workload.rerouteMisdeclared()}). It takes no permit: the pool's size
   * bounds it.
   */
  private void startRerouted(ExecutorService pool, TaskFuture<?> task) {
    try {
      pool.execute(() -> runRegistered(live, task));
    } catch (RuntimeException e) {
      task.failToStart(e);
    }
  }

  /** Starts {@code task} on a new virtual thread, or fails it; never throws. */
  private void start(TaskFuture<?> task) {
    try {
      startThread(task);
    } catch (RuntimeException | OutOfMemoryError e) {
      permits.incrementAndGet();
      task.failToStart(e);
    }
  }

  private void startThread(TaskFuture<?> task) {
    Runnable body =
        () -> {
          try {
            runRegistered(live, task);
          } finally {
            permits.incrementAndGet();
            drain();
          }
        };
    if (task.isProfiled()) {
      MEASURING.execute(body);
      return;
    }
    Thread thread = factory.newThread(body);
    if (thread == null) {
      throw new IllegalStateException(describe("could not create a virtual thread"));
    }
    thread.start();
  }

  @Override
  protected List<TaskFuture<?>> drainQueued() {
    List<TaskFuture<?>> drained = new ArrayList<>();
    for (TaskFuture<?> task = waiting.poll(); task != null; task = waiting.poll()) {
      drained.add(task);
    }
    return drained;
  }

  @Override
  protected void cancelRunning() {
    for (TaskFuture<?> task : live.values()) {
      task.cancel(true);
    }
  }

  @Override
  protected void onTerminated() {
    if (computePool != null) {
      computePool.shutdown();
    }
    // Virtual threads end with their task: nothing to stop.
  }

  @Override
  protected boolean awaitResources(long nanos) throws InterruptedException {
    long deadline = System.nanoTime() + nanos;
    if (!awaitEmpty(live, deadline)) {
      return false;
    }
    return computePool == null
        || computePool.awaitTermination(
            Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  @Override
  protected boolean resourcesReleased() {
    return live.isEmpty() && (computePool == null || computePool.isTerminated());
  }

  @Override
  protected boolean isOwnThread(Thread thread) {
    return live.containsKey(thread);
  }

  @Override
  protected Executor continuationExecutor() {
    return command -> factory.newThread(command).start();
  }

  @Override
  protected int mapBatches() {
    return spec.maxConcurrency();
  }
}

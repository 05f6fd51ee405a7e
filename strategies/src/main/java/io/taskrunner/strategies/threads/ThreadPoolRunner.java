package io.taskrunner.strategies.threads;

import io.taskrunner.spi.RunnerSpec;
import io.taskrunner.strategies.internal.AbstractTaskRunner;
import io.taskrunner.strategies.internal.StallWatchdog;
import io.taskrunner.strategies.internal.StatsRecorder;
import io.taskrunner.strategies.internal.TaskFuture;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * CPU-bound work on a work-stealing {@link ForkJoinPool} of platform threads, one per usable core
 * by default, in FIFO ({@code asyncMode}) order for submitted tasks.
 *
 * <p>Threads are daemons named {@code taskrunner-<name>-<n>}; they start on demand and stop when
 * the runner terminates. {@code cancel(true)} interrupts the platform thread running the task.
 *
 * <p>Concurrency: each worker thread publishes the task it is running (release store, read by
 * {@code shutdownNow} and the stall watchdog), so {@code shutdownNow} can cancel running tasks
 * without a shared registry on the hot path, and counts its tasks in a stats cell of its own.
 * Thread-safe.
 */
final class ThreadPoolRunner extends AbstractTaskRunner {
  private final Pool pool;
  private final Set<Worker> workers = ConcurrentHashMap.newKeySet();
  private final StallWatchdog.Watched watched;
  private final boolean reroute;
  private final ConcurrentHashMap<Thread, TaskFuture<?>> rerouted = new ConcurrentHashMap<>();
  private static final ThreadFactory REROUTED =
      Thread.ofVirtual().name("taskrunner-rerouted-virtual").factory();

  @SuppressWarnings("this-escape") // the watchdog reads workers, which exist only once tasks run
  ThreadPoolRunner(RunnerSpec spec) {
    super(spec);
    this.pool = new Pool(spec.maxConcurrency(), this::newWorker);
    this.reroute = spec.workload().isReroutingMisdeclared();
    long stallThreshold = StallWatchdog.configuredThresholdNanos();
    this.watched =
        new StallWatchdog.Watched() {
          @Override
          public String name() {
            return ThreadPoolRunner.this.name();
          }

          @Override
          public void visitRunning(StallWatchdog.RunningVisitor visitor) {
            for (Worker worker : workers) {
              TaskFuture<?> current = worker.current();
              if (current != null) {
                visitor.visit(worker, current);
              }
            }
          }

          @Override
          public long meanWallNanos(String key) {
            return profiler.meanWallNanos(key);
          }

          @Override
          public long thresholdNanos() {
            return stallThreshold;
          }

          @Override
          public void stalled() {
            stats.stalled();
          }
        };
    if (stallThreshold > 0) {
      StallWatchdog.watch(watched);
    }
  }

  private ForkJoinWorkerThread newWorker(ForkJoinPool forkJoinPool) {
    Worker worker = new Worker(forkJoinPool, this);
    worker.setName("taskrunner-" + name() + "-" + worker.getPoolIndex());
    workers.add(worker);
    return worker;
  }

  @Override
  protected void dispatch(TaskFuture<?> task) {
    if (reroute && profiler.isReported(task.key())) {
      startRerouted(task);
      return;
    }
    pool.execute(new Job(task));
  }

  /**
   * Runs a task of a key reported as waiting, not computing, on its own virtual thread instead of a
   * pool thread ({@code Workload.rerouteMisdeclared()}).
   */
  private void startRerouted(TaskFuture<?> task) {
    REROUTED.newThread(() -> runRegistered(rerouted, task)).start();
  }

  @Override
  protected List<TaskFuture<?>> drainQueued() {
    List<ForkJoinTask<?>> drained = new ArrayList<>();
    pool.drain(drained);
    List<TaskFuture<?>> tasks = new ArrayList<>(drained.size());
    for (ForkJoinTask<?> job : drained) {
      if (job instanceof Job j) {
        tasks.add(j.task);
      }
    }
    return tasks;
  }

  @Override
  protected void cancelRunning() {
    for (TaskFuture<?> task : rerouted.values()) {
      task.cancel(true);
    }
    for (Worker worker : workers) {
      TaskFuture<?> current = worker.current();
      if (current != null) {
        current.cancel(true);
      }
    }
  }

  @Override
  protected void onTerminated() {
    StallWatchdog.unwatch(watched);
    pool.shutdown();
  }

  @Override
  protected boolean awaitResources(long nanos) throws InterruptedException {
    long deadline = System.nanoTime() + nanos;
    return pool.awaitTermination(nanos, TimeUnit.NANOSECONDS) && awaitEmpty(rerouted, deadline);
  }

  @Override
  protected boolean resourcesReleased() {
    return pool.isTerminated() && rerouted.isEmpty();
  }

  @Override
  protected boolean isOwnThread(Thread thread) {
    return (thread instanceof Worker w && w.runner == this) || rerouted.containsKey(thread);
  }

  @Override
  protected Executor continuationExecutor() {
    return command -> {
      try {
        pool.execute(command);
      } catch (RejectedExecutionException e) {
        command.run(); // the pool is gone: the work belongs to an already-finished task
      }
    };
  }

  @Override
  protected int mapBatches() {
    return 4 * spec.maxConcurrency();
  }

  /** Runs one task inside the pool; a ForkJoinTask so that shutdownNow can drain it back. */
  private static final class Job extends ForkJoinTask<Void> {
    private static final long serialVersionUID = 1L;

    final transient TaskFuture<?> task;

    Job(TaskFuture<?> task) {
      this.task = task;
    }

    @Override
    public @Nullable Void getRawResult() {
      return null;
    }

    @Override
    protected void setRawResult(@Nullable Void value) {}

    @Override
    protected boolean exec() {
      Thread thread = Thread.currentThread();
      Worker worker = thread instanceof Worker w ? w : null;
      if (worker != null) {
        worker.setCurrent(task);
      }
      try {
        task.run();
      } finally {
        if (worker != null) {
          worker.clearCurrent();
        }
      }
      // Nobody joins a Job (its TaskFuture carries the outcome), so it is never marked done:
      // that would be one more atomic instruction per task, for nothing.
      return false;
    }
  }

  /**
   * A pool thread that publishes the task it runs, read with acquire semantics by {@code
   * shutdownNow} and the stall watchdog, and counts its tasks in a stats cell of its own.
   */
  private static final class Worker extends StatsRecorder.CountingWorkerThread {
    private static final VarHandle CURRENT;

    static {
      try {
        CURRENT =
            MethodHandles.lookup().findVarHandle(Worker.class, "current", TaskFuture.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final ThreadPoolRunner runner;

    @SuppressWarnings("UnusedVariable") // accessed through CURRENT
    private @Nullable TaskFuture<?> current;

    Worker(ForkJoinPool pool, ThreadPoolRunner runner) {
      super(pool, runner.stats);
      this.runner = runner;
    }

    @Nullable TaskFuture<?> current() {
      return (TaskFuture<?>) CURRENT.getAcquire(this);
    }

    /**
     * Publishes the task this worker is about to run. It must be ordered before the task's check
     * for {@code shutdownNow} (a load), so that either that check sees the stop or {@code
     * cancelRunning} sees this task: a release store followed by the task's claim of its state,
     * a CAS, before that check ({@code TaskFuture.run}). This relies on the CAS acting as a full
     * fence, as it does on HotSpot on every platform (a locked instruction on x86, a fenced
     * exclusive pair on AArch64); the Java memory model alone does not order a release store
     * before a later volatile read. The other side fences explicitly ({@code shutdownNow}).
     */
    void setCurrent(TaskFuture<?> task) {
      CURRENT.setRelease(this, task);
    }

    /**
     * Forgets the finished task. A release store is enough (no load after it needs ordering): a
     * {@code cancelRunning} that still sees the finished task cancels a done future, a no-op.
     */
    void clearCurrent() {
      CURRENT.setRelease(this, (TaskFuture<?>) null);
    }

    @Override
    protected void onTermination(@Nullable Throwable exception) {
      runner.workers.remove(this);
      super.onTermination(exception);
    }
  }

  /** Exposes {@link ForkJoinPool#drainTasksTo} to shutdownNow. */
  private static final class Pool extends ForkJoinPool {
    Pool(int parallelism, ForkJoinWorkerThreadFactory factory) {
      super(parallelism, factory, null, true);
    }

    void drain(List<ForkJoinTask<?>> into) {
      int unused = drainTasksTo(into);
    }
  }
}

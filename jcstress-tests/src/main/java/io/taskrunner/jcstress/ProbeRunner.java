package io.taskrunner.jcstress;

import io.taskrunner.Strategy;
import io.taskrunner.Workload;
import io.taskrunner.spi.RunnerSpec;
import io.taskrunner.strategies.internal.AbstractTaskRunner;
import io.taskrunner.strategies.internal.TaskFuture;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The shipped {@link AbstractTaskRunner} (admission, lifecycle, stats) and {@link TaskFuture}
 * (future and interrupt protocol) with a strategy that has no threads of its own, so that a
 * jcstress actor can be the "runner thread": {@code inline} runs each task inside {@code
 * dispatch} on the submitting thread; {@code held} keeps the task until an actor calls {@link
 * #runHeld()}; {@code detached} only hands out tasks, for tests of the queues that carry them. It
 * counts {@link #onTerminated} calls so tests can check that termination happens exactly once.
 *
 * <p>Thread-safety: as {@link AbstractTaskRunner}; at most one task is held at a time.
 */
final class ProbeRunner extends AbstractTaskRunner {
  /** What {@code dispatch} does with a task. */
  private enum Mode {
    INLINE,
    HELD,
    DETACHED
  }

  private final Mode mode;
  private final AtomicInteger terminations = new AtomicInteger();
  private volatile @Nullable TaskFuture<?> held;

  private ProbeRunner(Mode mode, int capacity) {
    super(
        new RunnerSpec(
            Workload.cpuBound(),
            Strategy.THREAD_POOL,
            "probe",
            capacity,
            capacity,
            /* taskTimeout= */ null));
    this.mode = mode;
  }

  /** A runner that runs each task inside {@code submit}, on the submitting thread. */
  static ProbeRunner inline() {
    return new ProbeRunner(Mode.INLINE, 1);
  }

  /** A runner that holds the submitted task until {@link #runHeld()}. */
  static ProbeRunner held() {
    return new ProbeRunner(Mode.HELD, 1);
  }

  /**
   * A runner whose {@code dispatch} leaves each task to the caller: its {@code submit} is a source
   * of real {@link TaskFuture}s that no thread touches, to put in queues. Its slot limit (about 4
   * billion) is never reached by a run: the tasks stay pending forever, which is all it is for.
   */
  static ProbeRunner detached() {
    return new ProbeRunner(Mode.DETACHED, Integer.MAX_VALUE);
  }

  /** Runs the held task on the calling thread, as a pool thread would. */
  void runHeld() {
    TaskFuture<?> task = held;
    if (task == null) {
      throw new IllegalStateException("no task was submitted");
    }
    task.run();
  }

  /** How many times the runner terminated; 1 at most, and 1 once shut down with nothing left. */
  int terminations() {
    return terminations.get();
  }

  @Override
  protected void dispatch(TaskFuture<?> task) {
    switch (mode) {
      case INLINE -> task.run();
      case HELD -> held = task;
      case DETACHED -> {}
    }
  }

  @Override
  protected List<TaskFuture<?>> drainQueued() {
    TaskFuture<?> task = held;
    return task == null || task.hasStarted() ? List.of() : List.of(task);
  }

  @Override
  protected void cancelRunning() {}

  @Override
  protected void onTerminated() {
    terminations.incrementAndGet();
  }

  @Override
  protected boolean awaitResources(long nanos) {
    return true;
  }

  @Override
  protected boolean resourcesReleased() {
    return true;
  }

  @Override
  protected boolean isOwnThread(Thread thread) {
    return false;
  }

  @Override
  protected Executor continuationExecutor() {
    return Runnable::run;
  }

  @Override
  protected int mapBatches() {
    return 1;
  }
}

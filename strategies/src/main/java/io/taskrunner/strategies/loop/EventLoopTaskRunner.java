package io.taskrunner.strategies.loop;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.ListenableFuture;
import io.taskrunner.AsyncTask;
import io.taskrunner.Task;
import io.taskrunner.TaskContext;
import io.taskrunner.spi.RunnerSpec;
import io.taskrunner.strategies.BlockedLoopException;
import io.taskrunner.strategies.EventLoopRunner;
import io.taskrunner.strategies.internal.AbstractTaskRunner;
import io.taskrunner.strategies.internal.TaskContextOwner;
import io.taskrunner.strategies.internal.TaskFuture;
import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The event-loop runner: a group of {@link EventLoop}s behind the shared admission, lifecycle and
 * statistics of {@link AbstractTaskRunner}.
 *
 * <p>Dispatch: a task goes to the next loop round-robin (or, for a keyed submit, to the loop its
 * key's hash picks, passed from the keyed method to {@link #dispatch} in a thread-local for the
 * length of the call) and runs there as one queue entry. A
 * synchronous task is in flight while it runs; an async task from when it starts until its stage
 * completes (its {@link TaskFuture} holds the admission slot until then). The context of an async
 * task is a {@link LoopContext} of the loop running it; when the task's future completes, a
 * listener run on that loop cancels the timers it left pending and forgets the task.
 *
 * <p>Forgotten runners: a runner that becomes unreachable without {@code close()} has its loops
 * stopped by a {@link Cleaner}, so it leaks no thread.
 *
 * <p>Shutdown: {@code shutdownNow} removes queued tasks from every loop's queue, cancels the
 * synchronous task running on each loop (interrupting it) and every in-flight async task. The
 * loops are told to stop once the last slot is released; their threads end after running what
 * remains in their queues.
 *
 * <p>Thread-safety: every method may be called from any thread.
 */
final class EventLoopTaskRunner extends AbstractTaskRunner implements EventLoopRunner {
  /** The loop a keyed submit on this thread picked, read by {@link #dispatch} in the same call. */
  private static final ThreadLocal<@Nullable EventLoop> PINNED = new ThreadLocal<>();

  /** Frees the threads of runners that were forgotten instead of closed. */
  private static final Cleaner CLEANER = Cleaner.create();

  private final EventLoop[] loops;
  private final ScheduledFuture<?>[] watchdogs;
  private final Duration blockedLoopThreshold;
  private final LongAdder blockedLoops = new LongAdder();
  private final AtomicInteger next = new AtomicInteger();
  private final Set<TaskFuture<?>> inFlightAsync = ConcurrentHashMap.newKeySet();

  EventLoopTaskRunner(
      RunnerSpec spec,
      int loopCount,
      Duration blockedLoopThreshold,
      Consumer<? super BlockedLoopException> listener) {
    super(spec);
    this.blockedLoopThreshold = blockedLoopThreshold;
    this.loops = new EventLoop[loopCount];
    this.watchdogs = new ScheduledFuture<?>[loopCount];
    for (int i = 0; i < loopCount; i++) {
      loops[i] = new EventLoop("taskrunner-" + spec.name() + "-" + i);
    }
    for (int i = 0; i < loopCount; i++) {
      watchdogs[i] =
          Watchdog.watch(
              loops[i], spec.name(), blockedLoopThreshold, blockedLoops::increment, listener);
    }
    CLEANER.register(this, new Reaper(loops, watchdogs));
  }

  /**
   * Stops the loops and watchdogs of a runner that became unreachable without being closed. Safe:
   * every accepted task references its runner until its future completes, so an unreachable
   * runner has no task left that anyone could wait for. Holds no reference to the runner.
   */
  private static final class Reaper implements Runnable {
    private final EventLoop[] loops;
    private final ScheduledFuture<?>[] watchdogs;

    Reaper(EventLoop[] loops, ScheduledFuture<?>[] watchdogs) {
      this.loops = loops;
      this.watchdogs = watchdogs;
    }

    @Override
    public void run() {
      for (int i = 0; i < loops.length; i++) {
        watchdogs[i].cancel(false);
        loops[i].shutdown();
      }
    }
  }

  // ---- EventLoopRunner ---------------------------------------------------------------------------

  @Override
  public int loopCount() {
    return loops.length;
  }

  @Override
  public Duration blockedLoopThreshold() {
    return blockedLoopThreshold;
  }

  @Override
  public long blockedLoopCount() {
    return blockedLoops.sum();
  }

  @Override
  public <T extends @Nullable Object> ListenableFuture<T> submit(Object key, Task<T> task) {
    requireNonNull(key, "key");
    requireNonNull(task, "task");
    if (loops.length == 1) {
      return submit(task);
    }
    PINNED.set(loopFor(key));
    try {
      return submit(task);
    } finally {
      PINNED.remove();
    }
  }

  @Override
  public <T extends @Nullable Object> ListenableFuture<T> submitAsync(Object key, AsyncTask<T> task) {
    requireNonNull(key, "key");
    requireNonNull(task, "task");
    if (loops.length == 1) {
      return submitAsync(task);
    }
    PINNED.set(loopFor(key));
    try {
      return submitAsync(task);
    } finally {
      PINNED.remove();
    }
  }

  private EventLoop loopFor(Object key) {
    int h = key.hashCode();
    return loops[Math.floorMod(h ^ (h >>> 16), loops.length)];
  }

  @Override
  public boolean inEventLoop() {
    EventLoop loop = EventLoop.current();
    return loop != null && owns(loop);
  }

  private boolean owns(EventLoop loop) {
    for (EventLoop l : loops) {
      if (l == loop) {
        return true;
      }
    }
    return false;
  }

  // ---- AbstractTaskRunner hooks ------------------------------------------------------------------

  @Override
  protected void dispatch(TaskFuture<?> task) {
    nextLoop().execute(task);
  }

  private EventLoop nextLoop() {
    if (loops.length == 1) {
      return loops[0];
    }
    EventLoop pinned = PINNED.get();
    if (pinned != null) {
      return pinned;
    }
    return loops[Math.floorMod(next.getAndIncrement(), loops.length)];
  }

  @Override
  protected TaskContext contextFor(TaskContextOwner owner) {
    EventLoop loop = EventLoop.current();
    if (loop == null || !owns(loop)) {
      throw new IllegalStateException("async task started off its loop: " + owner);
    }
    LoopContext context = new LoopContext(loop, name(), owner);
    if (owner instanceof TaskFuture<?> future) {
      inFlightAsync.add(future);
      future.addListener(
          () -> {
            inFlightAsync.remove(future);
            context.release();
          },
          loop::executeOrRunHere);
    }
    return context;
  }

  /**
   * Never: the CPU-versus-wall verification judges thread-based declarations, and a task that
   * computes or blocks on a loop is the blocked-loop watchdog's business.
   */
  @Override
  protected boolean shouldProfile(TaskFuture<?> task) {
    return false;
  }

  @Override
  protected List<TaskFuture<?>> drainQueued() {
    List<TaskFuture<?>> drained = new ArrayList<>();
    for (EventLoop loop : loops) {
      @SuppressWarnings({"unchecked", "rawtypes"})
      Class<TaskFuture<?>> type = (Class) TaskFuture.class;
      drained.addAll(loop.removeQueued(type, task -> !task.hasStarted()));
    }
    return drained;
  }

  @Override
  protected void cancelRunning() {
    for (EventLoop loop : loops) {
      if (loop.currentOpaque() instanceof TaskFuture<?> running && !running.isDone()) {
        boolean unused = running.cancel(true);
      }
    }
    for (TaskFuture<?> task : inFlightAsync) {
      boolean unused = task.cancel(true);
    }
  }

  @Override
  protected void onTerminated() {
    for (int i = 0; i < loops.length; i++) {
      watchdogs[i].cancel(false);
      loops[i].shutdown();
    }
  }

  @Override
  protected boolean awaitResources(long nanos) throws InterruptedException {
    long deadline = System.nanoTime() + nanos;
    for (EventLoop loop : loops) {
      if (!loop.awaitTermination(Math.max(0, deadline - System.nanoTime()))) {
        return false;
      }
    }
    return true;
  }

  @Override
  protected boolean resourcesReleased() {
    for (EventLoop loop : loops) {
      if (!loop.isTerminated()) {
        return false;
      }
    }
    return true;
  }

  @Override
  protected boolean isOwnThread(Thread thread) {
    for (EventLoop loop : loops) {
      if (loop.thread() == thread) {
        return true;
      }
    }
    return false;
  }

  @Override
  protected Executor continuationExecutor() {
    return command -> {
      EventLoop here = EventLoop.current();
      (here != null && owns(here) ? here : loops[0]).execute(command);
    };
  }

  @Override
  protected int mapBatches() {
    return 16 * loops.length; // short batches, so a map does not hold a loop for long
  }

}

package io.taskrunner.strategies.internal;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.errorprone.annotations.CanIgnoreReturnValue;
import io.taskrunner.AsyncTask;
import io.taskrunner.RunnerStats;
import io.taskrunner.Strategy;
import io.taskrunner.Task;
import io.taskrunner.TaskContext;
import io.taskrunner.TaskFunction;
import io.taskrunner.TaskRunner;
import io.taskrunner.spi.RunnerSpec;
import io.taskrunner.strategies.internal.StatsRecorder.Outcome;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * The lifecycle, admission control, statistics and {@code map}/{@code ExecutorService} plumbing
 * that every built-in runner shares. A strategy supplies {@link #dispatch} (hand an admitted task
 * to its threads) and the shutdown hooks.
 *
 * <p>Concurrency: {@code ctl} packs the lifecycle state (top byte) and the number of tasks ever
 * accepted (low bits) into one long, changed only by CAS, so "is the runner open?" and "take a
 * slot" are one atomic step: no task is accepted after {@code shutdown()} wins, and the count is
 * frozen from then on. Tasks that finish add to a second counter, {@code released}; the tasks
 * holding a slot are the difference. Termination is decided by one CAS of {@code ctl} from a
 * shut-down state to TERMINATED, tried by whoever may have made the two counts equal: the last
 * release after the shutdown (it sees {@code closing}), or the shutdown itself (it sees every
 * release made before {@code closing} was set: a release and the shutdown each write, then read
 * the other's field, all volatile, so at least one of them sees the other). {@code
 * SubmitCloseStress} in jcstress-tests checks this.
 *
 * <p>Performance: submitters write {@code ctl}, finishing tasks write {@code released}; neither
 * reads the other's counter on the common path (a submitter re-reads {@code released} only when
 * its cached copy says the runner may be full), so the two cache lines stay with their writers
 * instead of moving between the submitting thread and the runner threads on every task. Each
 * lives alone on its lines (padded), so that the runner threads' reads of this object's final
 * fields and of {@code stopping} and {@code closing} (read by every task) do not miss when they
 * change. The accepted count also serves as the {@code submitted} statistic, at no extra cost.

 * <p>Shutdown: {@code shutdown} refuses new tasks and lets accepted ones finish; {@code
 * shutdownNow} also cancels queued tasks (returning them) and cancels running ones with interrupts.
 * When the last slot is released the strategy frees its threads ({@link #onTerminated}); {@link
 * #awaitTermination} waits for that too.
 *
 * <p>Thread-safety: every public method may be called from any thread.
 */
public abstract class AbstractTaskRunner implements TaskRunner {

  /** Accepting tasks. */
  static final int RUNNING = 0;

  /** Refusing tasks; accepted ones still run. */
  static final int SHUTDOWN = 1;

  /** Refusing tasks; queued ones were cancelled, running ones interrupted. */
  static final int STOP = 2;

  /** No task left; the strategy was told to free its threads. */
  static final int TERMINATED = 3;

  private static final int STATE_SHIFT = 56;
  private static final long COUNT_MASK = (1L << STATE_SHIFT) - 1;
  private static final VarHandle CTL;
  private static final VarHandle RELEASED_SEEN;
  private static final VarHandle RELEASED;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      CTL = lookup.findVarHandle(Words.class, "value", long.class);
      RELEASED_SEEN = lookup.findVarHandle(Words.class, "releasedSeen", long.class);
      RELEASED = CTL; // the same field, of the other object
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  protected final RunnerSpec spec;
  protected final StatsRecorder stats;
  protected final KeyProfiler profiler;
  final long timeoutNanos;
  private final long slotLimit;
  private final CountDownLatch terminated = new CountDownLatch(1);
  private final ExecutorServiceView view;

  private final PaddedWords ctl = new PaddedWords();
  private final PaddedWords released = new PaddedWords();

  /**
   * Set once {@code shutdownNow} moved the state to STOP, before it drains and cancels; read by
   * every task as it starts. A copy of "state >= STOP" kept off {@code ctl}'s busy cache line.
   */
  private volatile boolean stopping;

  /**
   * Set once the state left RUNNING, after the CAS that froze the accepted count; read by every
   * task as it releases its slot, to know whether it may be the one that terminates the runner.
   */
  private volatile boolean closing;

  @SuppressWarnings("this-escape") // the view only stores the reference
  protected AbstractTaskRunner(RunnerSpec spec) {
    this.spec = requireNonNull(spec, "spec");
    this.view = new ExecutorServiceView(this);
    this.stats = new StatsRecorder(spec.name(), spec.strategy(), this::acceptedCount);
    this.profiler = new KeyProfiler(spec.name(), spec.strategy());
    this.timeoutNanos = spec.timeout().map(Duration::toNanos).orElse(0L);
    this.slotLimit = (long) spec.maxConcurrency() + spec.queueCapacity();
  }

  // ---- strategy hooks -------------------------------------------------------------------------

  /**
   * Hands an admitted task to the strategy's threads, which must eventually call {@link
   * TaskFuture#run()} on it (or it must be returned by {@link #drainQueued}). Must not block.
   *
   * @throws RejectedExecutionException if the strategy cannot take it (it is then failed)
   */
  protected abstract void dispatch(TaskFuture<?> task);

  /** Removes and returns the tasks dispatched but not started. Called once, by shutdownNow. */
  protected abstract List<TaskFuture<?>> drainQueued();

  /** Cancels, with interrupts, the tasks running now. Called once, by shutdownNow. */
  protected abstract void cancelRunning();

  /** Frees the strategy's threads; called once, after the last task finished. Must not block. */
  protected abstract void onTerminated();

  /** Waits up to {@code nanos} for the threads freed by {@link #onTerminated} to end. */
  protected abstract boolean awaitResources(long nanos) throws InterruptedException;

  /**
   * Runs {@code task} on the calling thread, registered in {@code running} (a strategy's map of
   * its threads running a task, which {@link #cancelRunning} and {@link #awaitEmpty} read) while
   * it runs.
   */
  protected static void runRegistered(Map<Thread, TaskFuture<?>> running, TaskFuture<?> task) {
    Thread me = Thread.currentThread();
    running.put(me, task);
    try {
      task.run();
    } finally {
      running.remove(me);
    }
  }

  /**
   * Waits until {@code running} (a strategy's map of its threads still running a task) is empty,
   * or {@code deadline} ({@link System#nanoTime()}) passes. A thread leaves such a map a few
   * instructions before it ends, right after its task freed its slot, so a short poll suffices.
   *
   * @return whether the map emptied in time
   */
  protected static boolean awaitEmpty(Map<?, ?> running, long deadline)
      throws InterruptedException {
    while (!running.isEmpty()) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
    }
    return true;
  }

  /** Whether the threads freed by {@link #onTerminated} have all ended. */
  protected abstract boolean resourcesReleased();

  /** Whether {@code thread} is one of this runner's own. */
  protected abstract boolean isOwnThread(Thread thread);

  /** Runs continuations of async tasks on this runner's threads, outside admission control. */
  protected abstract Executor continuationExecutor();

  /** How many batches {@code map} splits its inputs into, at most. */
  protected abstract int mapBatches();

  /**
   * Whether to measure {@code task}'s CPU and wall time when it runs: by default one task in
   * {@code io.taskrunner.verifyEvery}, to verify the declared workload. Called before dispatch.
   */
  protected boolean shouldProfile(TaskFuture<?> task) {
    return task.isMeasurable() && profiler.shouldVerify();
  }

  /** Receives the figures of a task measured because {@link #shouldProfile} said so. */
  protected void onProfiled(TaskFuture<?> task, long cpuNanos, long wallNanos) {
    profiler.record(task.key(), cpuNanos, wallNanos);
  }

  /** The context given to async tasks. */
  protected TaskContext contextFor(TaskContextOwner owner) {
    return new ThreadTaskContext(this, owner);
  }

  // ---- submission -----------------------------------------------------------------------------

  @Override
  public final String name() {
    return spec.name();
  }

  @Override
  public final Strategy strategy() {
    return spec.strategy();
  }

  @Override
  public <T extends @Nullable Object> ListenableFuture<T> submit(Task<T> task) {
    requireNonNull(task, "task");
    return admit(new SyncTaskFuture<>(this, task));
  }

  @Override
  public <T extends @Nullable Object> ListenableFuture<T> submitAsync(AsyncTask<T> task) {
    requireNonNull(task, "task");
    return admit(new AsyncTaskFuture<>(this, task));
  }

  /** Takes a slot for {@code task} and dispatches it, or throws. */
  protected final <F extends TaskFuture<?>> F admit(F task) {
    acquireSlot();
    try {
      task.setProfiled(shouldProfile(task));
      dispatch(task);
    } catch (RuntimeException | Error e) {
      // The slot was taken and the task counted: settle both through the future.
      RejectedExecutionException rejected =
          new RejectedExecutionException(describe("could not start the task"), e);
      task.fail(rejected, Outcome.FAILED);
      throw rejected;
    }
    return task;
  }

  @Override
  public <I extends @Nullable Object, O extends @Nullable Object> ListenableFuture<List<O>> map(
      TaskFunction<? super I, ? extends O> function, Iterable<? extends I> inputs) {
    requireNonNull(function, "function");
    requireNonNull(inputs, "inputs");
    List<I> items = new ArrayList<>();
    for (I input : inputs) {
      items.add(input);
    }
    if (items.isEmpty()) {
      return Futures.immediateFuture(List.of());
    }
    int batches = (int) Math.min(items.size(), Math.min(mapBatches(), slotLimit));
    List<ListenableFuture<List<O>>> parts = new ArrayList<>(batches);
    try {
      for (int b = 0; b < batches; b++) {
        List<I> slice =
            new ArrayList<>(
                items.subList(items.size() * b / batches, items.size() * (b + 1) / batches));
        // Keyed by the function, so that measuring and routing see the user's code, not map's.
        parts.add(submit(Task.keyed(function.getClass().getName(), batchTask(function, slice))));
      }
    } catch (RuntimeException e) {
      parts.forEach(part -> part.cancel(true));
      throw e;
    }
    // Combine first: its listener on a failing batch must run before the one that cancels the
    // rest, or the combined future would see a cancellation instead of the failure.
    ListenableFuture<List<List<O>>> all = Futures.allAsList(parts);
    FutureCallback<List<O>> cancelRestOnFailure =
        new FutureCallback<>() {
          @Override
          public void onSuccess(List<O> result) {}

          @Override
          public void onFailure(Throwable t) {
            parts.forEach(part -> part.cancel(true));
          }
        };
    for (ListenableFuture<List<O>> part : parts) {
      Futures.addCallback(part, cancelRestOnFailure, MoreExecutors.directExecutor());
    }
    return Futures.transform(
        all,
        lists -> {
          List<O> out = new ArrayList<>(items.size());
          lists.forEach(out::addAll);
          return Collections.unmodifiableList(out);
        },
        MoreExecutors.directExecutor());
  }

  /**
   * The task that applies {@code function} to one batch of {@link #map}'s inputs, in order. The
   * process pool overrides it to pack the batch for the pipe.
   */
  protected <I extends @Nullable Object, O extends @Nullable Object> Task<List<O>> batchTask(
      TaskFunction<? super I, ? extends O> function, List<I> slice) {
    return () -> applyAll(function, slice);
  }

  /** Applies {@code function} to each input in order; stops with an exception if interrupted. */
  @SuppressWarnings("NullAway") // NullAway cannot see that a nullable I fits `? super I`
  protected static <I extends @Nullable Object, O extends @Nullable Object> List<O> applyAll(
      TaskFunction<? super I, ? extends O> function, List<I> slice) throws Exception {
    List<O> out = new ArrayList<>(slice.size());
    for (I input : slice) {
      if (Thread.interrupted()) {
        throw new InterruptedException("map batch cancelled");
      }
      out.add(function.apply(input));
    }
    return out;
  }

  // ---- admission and lifecycle ----------------------------------------------------------------

  private long ctlAcquire() {
    return (long) CTL.getAcquire(ctl);
  }

  private boolean casCtl(long expected, long next) {
    return CTL.compareAndSet(ctl, expected, next);
  }

  private static int stateOf(long c) {
    return (int) (c >>> STATE_SHIFT);
  }

  private static long countOf(long c) {
    return c & COUNT_MASK;
  }

  private static long pack(int state, long count) {
    return ((long) state << STATE_SHIFT) | count;
  }

  /** How many tasks were ever accepted; the {@code submitted} statistic. */
  private long acceptedCount() {
    return countOf(ctlAcquire());
  }

  /**
   * How many accepted tasks have given back their slot: the shared counter plus the pool threads'
   * cells. Each only grows and none passes the frozen accepted count, so a sum equal to it means
   * every slot is back, however the reads interleave with releases.
   */
  private long releasedCount() {
    return (long) RELEASED.getVolatile(released) + stats.releasedInCells();
  }

  private void acquireSlot() {
    for (; ; ) {
      long c = ctlAcquire();
      if (stateOf(c) != RUNNING) {
        stats.rejected();
        throw new RejectedExecutionException(describe("is shut down: task rejected"));
      }
      long accepted = countOf(c);
      // A stale copy of `released` only overstates how many slots are taken: re-read the real
      // one (a line the runner threads write) only when the copy says the runner may be full.
      if (accepted - (long) RELEASED_SEEN.getOpaque(ctl) >= slotLimit) {
        long releasedNow = releasedCount();
        RELEASED_SEEN.setOpaque(ctl, releasedNow);
        if (accepted - releasedNow >= slotLimit) {
          stats.rejected();
          throw new RejectedExecutionException(
              describe(
                  String.format(
                      Locale.US,
                      "is full: %d tasks pending (maxConcurrency %d + queueCapacity %d): task"
                          + " rejected",
                      accepted - releasedNow,
                      spec.maxConcurrency(),
                      spec.queueCapacity())));
        }
      }
      if (casCtl(c, c + 1)) {
        return;
      }
    }
  }

  /**
   * Gives back a task's slot; the last one after a shutdown terminates the runner. {@code cell} is
   * the calling thread's stats cell ({@link StatsRecorder#ownCell}), or {@code null}.
   */
  final void releaseSlot(StatsRecorder.@Nullable Cell cell) {
    if (cell != null) {
      // A pool thread counts in its own cell: no line shared with the other pool threads. The
      // fence orders that store before the read of `closing`, as the atomic add does below.
      cell.addReleased();
      VarHandle.fullFence();
    } else {
      long unused = (long) RELEASED.getAndAdd(released, 1L);
    }
    if (closing) {
      tryTerminate();
    }
  }

  private void tryTerminate() {
    for (; ; ) {
      long c = ctlAcquire();
      int state = stateOf(c);
      // After the shutdown the accepted count is frozen, and releases only catch up with it.
      if (state == RUNNING || state == TERMINATED || releasedCount() != countOf(c)) {
        return;
      }
      if (casCtl(c, pack(TERMINATED, countOf(c)))) {
        try {
          onTerminated();
        } finally {
          terminated.countDown();
        }
        return;
      }
    }
  }

  /** Moves the state forward to {@code target} unless it is there already; returns the old one. */
  @CanIgnoreReturnValue
  private int advanceState(int target) {
    for (; ; ) {
      long c = ctlAcquire();
      int state = stateOf(c);
      if (state >= target) {
        return state;
      }
      if (casCtl(c, pack(target, countOf(c)))) {
        closing = true;
        // Orders that store before every later read of the counters (releases in cells are
        // read with acquire loads only), whatever order tryTerminate reads them in.
        VarHandle.fullFence();
        return state;
      }
    }
  }

  /**
   * Whether {@code shutdownNow} was called. A volatile read, which a task makes after claiming its
   * state with a CAS (a full fence): a thread that published the task it is about to run before
   * that claim, and then sees {@code false} here, will have its task seen by {@link
   * #cancelRunning}.
   */
  final boolean isStopping() {
    return stopping;
  }

  /** Refuses new tasks; accepted ones still run. Does not wait. */
  public final void shutdown() {
    advanceState(SHUTDOWN);
    tryTerminate();
  }

  /**
   * Refuses new tasks, cancels the queued ones and returns them, and cancels the running ones with
   * interrupts. Does not wait.
   */
  public final List<Runnable> shutdownNow() {
    if (advanceState(STOP) >= STOP) {
      return List.of();
    }
    stopping = true;
    VarHandle.fullFence(); // before cancelRunning's acquire reads of the running tasks
    List<Runnable> neverStarted = new ArrayList<>();
    for (TaskFuture<?> task : drainQueued()) {
      if (task.cancel(false)) {
        neverStarted.add(task);
      }
    }
    cancelRunning();
    tryTerminate();
    return neverStarted;
  }

  @Override
  public final boolean isShutdown() {
    return stateOf(ctlAcquire()) != RUNNING;
  }

  @Override
  public final boolean isTerminated() {
    return terminated.getCount() == 0 && resourcesReleased();
  }

  @Override
  public final boolean awaitTermination(Duration timeout) throws InterruptedException {
    requireNonNull(timeout, "timeout");
    long deadline = System.nanoTime() + timeout.toNanos();
    if (!terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
      return false;
    }
    return awaitResources(Math.max(0, deadline - System.nanoTime()));
  }

  @Override
  public final void close() {
    shutdown();
    if (isOwnThread(Thread.currentThread())) {
      return; // waiting for ourselves would never end
    }
    boolean interrupted = false;
    for (; ; ) {
      try {
        if (awaitTermination(Duration.ofDays(1))) {
          break;
        }
      } catch (InterruptedException e) {
        if (!interrupted) {
          List<Runnable> unused = shutdownNow();
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public final RunnerStats stats() {
    return stats.snapshot(profiler.snapshot());
  }

  @Override
  public final ExecutorService asExecutorService() {
    return view;
  }

  /** A message naming this runner and its state, for errors. */
  protected final String describe(String what) {
    return String.format(Locale.US, "runner '%s' (%s) %s", name(), strategy(), what);
  }

  private String stateName() {
    return switch (stateOf(ctlAcquire())) {
      case RUNNING -> "running";
      case SHUTDOWN -> "shutting down";
      case STOP -> "stopping";
      case TERMINATED -> isTerminated() ? "terminated" : "terminating";
      default -> throw new IllegalStateException("unknown state");
    };
  }

  @Override
  public String toString() {
    return String.format(
        Locale.US,
        "%s[name=%s, state=%s, pending=%d]",
        getClass().getSimpleName(),
        name(),
        stateName(),
        countOf(ctlAcquire()) - releasedCount());
  }

  // ---- ctl and released, each alone on its cache lines --------------------------------------
  // Superclass fields are laid out before subclass fields, so the words sit between two 64-byte
  // pads whatever object is allocated next to them.

  @SuppressWarnings("UnusedVariable") // padding
  private abstract static class PadBefore {
    long p01, p02, p03, p04, p05, p06, p07, p08;
  }

  private abstract static class Words extends PadBefore {
    /**
     * For {@code ctl}: the state (top byte) and the number of tasks ever accepted (56 bits: 2 000
     * years at 10⁹ tasks a second), through {@code CTL}. For {@code released}: how many accepted
     * tasks gave back their slot, through {@code RELEASED}.
     */
    @SuppressWarnings("UnusedVariable") // accessed through CTL and RELEASED
    volatile long value;

    /**
     * For {@code ctl} only: the submitters' last reading of {@code released}, a lower bound of it,
     * on the submitters' own line. Opaque access; a racing writer may store an older reading,
     * which is still a lower bound.
     */
    @SuppressWarnings("UnusedVariable") // accessed through RELEASED_SEEN
    long releasedSeen;
  }

  /** One padded pair of words; {@code ctl} and {@code released} are one each. */
  @SuppressWarnings("UnusedVariable") // padding
  private static final class PaddedWords extends Words {
    long p11, p12, p13, p14, p15, p16, p17, p18;
  }
}

package io.taskrunner.strategies.loop;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * One event loop: a thread that owns a task queue and a timer heap and runs everything handed to it,
 * one thing at a time, in order.
 *
 * <p>Concurrency: only the loop thread touches the timer heap and the loop-owned fields; methods
 * that do say so with {@code assert inEventLoop()}. Other threads hand work over through {@link
 * #execute}, which offers it to a lock-free multi-producer queue and then wakes the loop if it was
 * asleep. The wake-up never strands a task (a Dekker-style handshake on two volatile variables): the
 * loop first publishes {@code SLEEPING} and then looks at the queue once more; a producer first
 * offers and then looks at the flag. Whichever goes second sees the other's write, so either the
 * loop sees the task and does not sleep, or the producer sees {@code SLEEPING} and unparks the loop
 * (an unpark before the park makes the park return at once). Producers on the loop thread never
 * wake it. Producers swap the flag back to {@code AWAKE} so that a burst of submissions to a
 * sleeping loop costs one unpark, not one each.
 *
 * <p>Timers: {@link SleepFuture}s in a {@link TimerHeap}; the loop parks until the earliest is due.
 * Cancelling one removes it from the heap at once (on the loop) or through a handed-over removal.
 *
 * <p>Shutdown: {@link #shutdown} asks the loop to stop once its queue is empty; timers still
 * pending then are cancelled (their futures complete, none hangs). A task offered while the loop
 * stops is either run by the loop's last drain or removed again by its producer and rejected,
 * never both and never neither ({@code ConcurrentLinkedQueue.remove} and {@code poll} agree on who
 * got it).
 *
 * <p>Failure: anything a task throws is logged at WARNING and the loop goes on.
 *
 * <p>Blocked-loop heartbeat: the loop bumps {@code tick} before each task and each timer it runs; a
 * {@link Watchdog} that sees the same tick, with the loop awake, for longer than the threshold
 * reports the loop as blocked.
 */
final class EventLoop implements Executor {
  private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());

  /** The loop thread runs, or is about to. */
  private static final int AWAKE = 0;

  /** The loop thread is parked, or about to park: a producer must unpark it. */
  private static final int SLEEPING = 1;

  /** Created; the thread starts with the first task. */
  static final int ST_NOT_STARTED = 0;

  /** The thread runs tasks. */
  static final int ST_STARTED = 1;

  /** Asked to stop: the thread runs what is queued, cancels pending timers, then ends. */
  static final int ST_SHUTTING_DOWN = 2;

  /** The thread ended (or never started); {@link #execute} rejects. */
  static final int ST_TERMINATED = 3;

  /** Tasks run per turn before due timers are looked at again. */
  private static final int TASK_BUDGET = 1024;

  private static final VarHandle WAKEUP;
  private static final VarHandle STATE;
  private static final VarHandle TICK;
  private static final VarHandle CURRENT;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      WAKEUP = lookup.findVarHandle(EventLoop.class, "wakeup", int.class);
      STATE = lookup.findVarHandle(EventLoop.class, "state", int.class);
      TICK = lookup.findVarHandle(EventLoop.class, "tick", long.class);
      CURRENT = lookup.findVarHandle(EventLoop.class, "current", Object.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final String name;
  private final LoopThread thread;
  private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final TimerHeap timers = new TimerHeap(); // loop thread only
  private long timerSequence; // loop thread only

  /** Opened by the loop thread on first I/O; read by producers to wake a loop parked in it. */
  private volatile @Nullable Selector selector;

  @SuppressWarnings("UnusedVariable") // accessed through WAKEUP
  private volatile int wakeup = AWAKE;

  @SuppressWarnings("UnusedVariable") // accessed through STATE
  private volatile int state = ST_NOT_STARTED;

  @SuppressWarnings("UnusedVariable") // accessed through TICK
  private volatile long tick;

  @SuppressWarnings("UnusedVariable") // accessed through CURRENT
  private volatile @Nullable Object current;

  EventLoop(String name) {
    this.name = requireNonNull(name, "name");
    this.thread = new LoopThread(this, name);
  }

  /** The loop whose thread is the caller, or {@code null}. */
  static @Nullable EventLoop current() {
    return Thread.currentThread() instanceof LoopThread t ? t.loop : null;
  }

  String name() {
    return name;
  }

  Thread thread() {
    return thread;
  }

  /** Whether the caller is this loop's thread. */
  boolean inEventLoop() {
    return Thread.currentThread() == thread;
  }

  // ---- memory-order accessors --------------------------------------------------------------------

  int stateAcquire() {
    return (int) STATE.getAcquire(this);
  }

  private boolean casState(int expected, int next) {
    return STATE.compareAndSet(this, expected, next);
  }

  private void setStateRelease(int next) {
    STATE.setRelease(this, next);
  }

  long tickOpaque() {
    return (long) TICK.getOpaque(this);
  }

  @Nullable Object currentOpaque() {
    return CURRENT.getOpaque(this);
  }

  boolean isSleeping() {
    return (int) WAKEUP.getVolatile(this) == SLEEPING;
  }

  // ---- hand-over ---------------------------------------------------------------------------------

  /**
   * Runs {@code task} on the loop thread, after the tasks handed over before it. Never blocks; may
   * be called from any thread, the loop's own included.
   *
   * @throws RejectedExecutionException if the loop has stopped
   */
  @Override
  public void execute(Runnable task) {
    requireNonNull(task, "task");
    if (inEventLoop()) {
      queue.offer(task); // the loop is awake: it is running us
      return;
    }
    int s = stateAcquire();
    if (s == ST_TERMINATED) {
      throw rejected();
    }
    queue.offer(task);
    if (s == ST_NOT_STARTED) {
      start();
    }
    wakeUpIfSleeping();
    if (stateAcquire() == ST_TERMINATED && queue.remove(task)) {
      throw rejected(); // the loop's last drain missed it, and now nobody will run it
    }
  }

  /** Like {@link #execute}, but runs {@code task} on the caller if the loop has stopped. */
  void executeOrRunHere(Runnable task) {
    try {
      execute(task);
    } catch (RejectedExecutionException e) {
      safeRun(task);
    }
  }

  private RejectedExecutionException rejected() {
    return new RejectedExecutionException("event loop " + name + " has stopped: task rejected");
  }

  private void start() {
    if (casState(ST_NOT_STARTED, ST_STARTED)) {
      thread.start();
    }
  }

  private void wakeUpIfSleeping() {
    if (isSleeping() && (int) WAKEUP.getAndSet(this, AWAKE) == SLEEPING) {
      wakeUp();
    }
  }

  /**
   * Unparks the loop thread, or wakes its selector. The selector is opened by the loop thread
   * while awake, before it first sleeps in it, so a producer that saw {@code SLEEPING} also sees it.
   */
  private void wakeUp() {
    Selector s = selector;
    if (s != null) {
      s.wakeup();
    }
    LockSupport.unpark(thread);
  }

  // ---- I/O ---------------------------------------------------------------------------------------

  /** What a channel registered with this loop does when it is ready. Loop thread only. */
  interface IoHandler {
    /** The channel is ready for {@code readyOps}; must not block. */
    void ready(int readyOps);

    /** The loop is stopping: fail pending operations and close the channel. */
    void loopStopped();
  }

  /**
   * Registers {@code channel} (non-blocking) with this loop's selector, opening the selector on
   * first use. Loop thread only.
   */
  SelectionKey register(SelectableChannel channel, int ops, IoHandler handler) throws IOException {
    assert inEventLoop();
    Selector s = selector;
    if (s == null) {
      s = Selector.open();
      selector = s;
    }
    return channel.register(s, ops, handler);
  }

  /**
   * Selects ready channels without blocking and runs their handlers, with those found ready by the
   * last blocking select; returns whether any ran. Loop thread only.
   */
  private boolean processIo() {
    assert inEventLoop();
    Selector s = selector;
    if (s == null) {
      return false;
    }
    try {
      int unused = s.selectNow();
    } catch (IOException e) {
      LOG.log(Level.WARNING, () -> "select failed on event loop " + name, e);
      return false;
    }
    Set<SelectionKey> keys = s.selectedKeys();
    if (keys.isEmpty()) {
      return false;
    }
    for (SelectionKey key : keys) {
      if (key.isValid() && key.attachment() instanceof IoHandler handler) {
        int ops = key.readyOps();
        safeRun(() -> handler.ready(ops), handler);
      }
    }
    keys.clear();
    return true;
  }

  /**
   * Blocks in the selector until a channel is ready, a wake-up, or {@code timeoutNanos} (forever if
   * negative). Handlers run later, awake, in {@link #processIo}. Loop thread only.
   */
  private void selectBlocking(Selector s, long timeoutNanos) {
    assert inEventLoop();
    try {
      if (timeoutNanos < 0) {
        int unused = s.select();
      } else {
        // select takes milliseconds: round up so that we never wake before the timer is due
        int unused = s.select(Math.max(1, (timeoutNanos + 999_999) / 1_000_000));
      }
    } catch (IOException e) {
      LOG.log(Level.WARNING, () -> "select failed on event loop " + name, e);
    }
  }

  private void closeSelector() {
    assert inEventLoop();
    Selector s = selector;
    if (s == null) {
      return;
    }
    for (SelectionKey key : new ArrayList<>(s.keys())) {
      if (key.attachment() instanceof IoHandler handler) {
        safeRun(handler::loopStopped);
      }
    }
    try {
      s.close();
    } catch (IOException e) {
      LOG.log(Level.DEBUG, () -> "closing the selector of " + name + " failed", e);
    }
  }

  /** Removes the tasks that {@code filter} accepts from the queue; any thread. */
  <T extends Runnable> List<T> removeQueued(Class<T> type, Predicate<? super T> filter) {
    List<T> removed = new ArrayList<>();
    for (Runnable r : queue) {
      if (type.isInstance(r)) {
        T t = type.cast(r);
        if (filter.test(t) && queue.remove(r)) {
          removed.add(t);
        }
      }
    }
    return removed;
  }

  // ---- timers ------------------------------------------------------------------------------------

  /**
   * Returns a future that completes with {@code null} on the loop thread after {@code delayNanos}.
   * Cancelling it removes the timer. Any thread.
   */
  SleepFuture sleep(long delayNanos, @Nullable LoopContext owner) {
    long deadline = System.nanoTime() + Math.max(0L, delayNanos);
    SleepFuture timer = new SleepFuture(this, deadline);
    if (inEventLoop()) {
      addTimer(timer, owner);
      return timer;
    }
    // Off the loop, the loop adds it later: FIFO among equal deadlines still holds per producer,
    // because the queue is FIFO.
    try {
      execute(() -> addTimer(timer, owner));
    } catch (RejectedExecutionException e) {
      timer.completeExceptionally(e);
    }
    return timer;
  }

  private void addTimer(SleepFuture timer, @Nullable LoopContext owner) {
    assert inEventLoop();
    if (timer.isDone()) {
      return; // cancelled before it got here
    }
    timer.sequence = timerSequence++;
    if (owner != null) {
      if (!owner.track(timer)) {
        timer.cancel(false); // its task ended already
        return;
      }
      timer.owner = owner;
    }
    timers.add(timer);
  }

  /** Called by {@link SleepFuture#cancel} once it won: frees the timer. Any thread. */
  void timerCancelled(SleepFuture timer) {
    if (inEventLoop()) {
      forget(timer);
    } else if (stateAcquire() != ST_TERMINATED) {
      try {
        execute(() -> forget(timer));
      } catch (RejectedExecutionException ignored) {
        // the loop stopped and dropped its heap
      }
    }
  }

  private void forget(SleepFuture timer) {
    assert inEventLoop();
    boolean unused = timers.remove(timer);
    LoopContext owner = timer.owner;
    if (owner != null) {
      timer.owner = null;
      owner.untrack(timer);
    }
  }

  /** How many timers are pending. Loop thread only. */
  int pendingTimers() {
    assert inEventLoop();
    return timers.size();
  }

  // ---- lifecycle ---------------------------------------------------------------------------------

  /** Asks the loop to stop once its queue is empty. Never blocks; idempotent; any thread. */
  void shutdown() {
    for (; ; ) {
      int s = stateAcquire();
      switch (s) {
        case ST_NOT_STARTED -> {
          if (casState(s, ST_TERMINATED)) {
            return;
          }
        }
        case ST_STARTED -> {
          if (casState(s, ST_SHUTTING_DOWN)) {
            WAKEUP.setVolatile(this, AWAKE);
            wakeUp();
            return;
          }
        }
        case ST_SHUTTING_DOWN, ST_TERMINATED -> {
          return;
        }
        default -> throw new IllegalStateException("unknown loop state " + s);
      }
    }
  }

  /** Whether the loop thread has ended, or never started and never will. */
  boolean isTerminated() {
    return stateAcquire() == ST_TERMINATED && !thread.isAlive();
  }

  /** Waits up to {@code nanos} for the loop thread to end. */
  boolean awaitTermination(long nanos) throws InterruptedException {
    long deadline = System.nanoTime() + nanos;
    while (stateAcquire() != ST_TERMINATED) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      if (thread.isAlive()) {
        thread.join(Duration.ofNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(10))));
      } else {
        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50)); // starting
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
      }
    }
    if (thread.getState() == Thread.State.NEW) {
      return true; // terminated before it ever started
    }
    long left = deadline - System.nanoTime();
    return left > 0 ? thread.join(Duration.ofNanos(left)) : !thread.isAlive();
  }

  // ---- the loop ----------------------------------------------------------------------------------

  private void run() {
    try {
      while (stateAcquire() < ST_SHUTTING_DOWN || !queue.isEmpty()) {
        boolean unused = Thread.interrupted(); // a cancelled task's interrupt must not park-spin us
        runDueTimers();
        boolean io = processIo();
        if (runTasks() || io || hasDueTimer()) {
          continue;
        }
        sleepUntilWork();
      }
    } finally {
      stop();
    }
  }

  private void stop() {
    assert inEventLoop();
    closeSelector();
    for (SleepFuture timer : timers.clear()) {
      timer.owner = null;
      timer.cancel(false);
    }
    setStateRelease(ST_TERMINATED);
    // A producer that offered before seeing TERMINATED either finds its task gone (we ran it) or
    // removes it and rejects it.
    for (Runnable task = queue.poll(); task != null; task = queue.poll()) {
      safeRun(task);
    }
    CURRENT.setRelease(this, null);
  }

  private boolean runTasks() {
    assert inEventLoop();
    int ran = 0;
    for (Runnable task; ran < TASK_BUDGET && (task = queue.poll()) != null; ran++) {
      safeRun(task);
    }
    return ran > 0;
  }

  private void safeRun(Runnable task) {
    safeRun(task, task);
  }

  /** Runs {@code task}, described as {@code what} to the watchdog; never throws. */
  private void safeRun(Runnable task, Object what) {
    TICK.setRelease(this, (long) TICK.getOpaque(this) + 1);
    CURRENT.setRelease(this, what);
    try {
      task.run();
    } catch (Throwable t) {
      LOG.log(Level.WARNING, () -> what + " threw on event loop " + name, t);
    }
  }

  private void runDueTimers() {
    assert inEventLoop();
    if (timers.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    for (SleepFuture next = timers.peek(); next != null; next = timers.peek()) {
      if (next.deadline - now > 0) {
        return;
      }
      SleepFuture timer = timers.poll();
      LoopContext owner = timer.owner;
      if (owner != null) {
        timer.owner = null;
        owner.untrack(timer);
      }
      safeRun(timer::fire, timer);
    }
  }

  private boolean hasDueTimer() {
    SleepFuture next = timers.peek();
    return next != null && next.deadline - System.nanoTime() <= 0;
  }

  private void sleepUntilWork() {
    assert inEventLoop();
    // Forget the last task: a parked loop must not keep it (and its runner) reachable.
    CURRENT.setRelease(this, null);
    WAKEUP.setVolatile(this, SLEEPING);
    try {
      // Look once more after publishing SLEEPING: a producer that offered before it saw AWAKE.
      if (!queue.isEmpty() || stateAcquire() >= ST_SHUTTING_DOWN) {
        return;
      }
      SleepFuture next = timers.peek();
      long wait = next == null ? -1 : Math.max(0, next.deadline - System.nanoTime());
      Selector s = selector;
      if (s != null) {
        if (wait != 0) {
          selectBlocking(s, wait);
        }
      } else if (wait < 0) {
        LockSupport.park(this);
      } else if (wait > 0) {
        LockSupport.parkNanos(this, wait);
      }
    } finally {
      WAKEUP.setRelease(this, AWAKE);
    }
  }

  @Override
  public String toString() {
    String[] states = {"not started", "started", "shutting down", "terminated"};
    return String.format(
        Locale.US, "EventLoop[%s, %s, queued=%d]", name, states[stateAcquire()], queue.size());
  }

  /** The loop's thread; knows its loop so that {@link #current()} is one type check. */
  private static final class LoopThread extends Thread {
    final EventLoop loop;

    LoopThread(EventLoop loop, String name) {
      super(null, null, name, 0, false);
      this.loop = loop;
      setDaemon(true);
    }

    @Override
    public void run() {
      loop.run();
    }
  }
}

package io.taskrunner.strategies;

import static io.taskrunner.internal.Checks.requirePositive;
import static io.taskrunner.internal.Checks.requireState;
import static java.util.Objects.requireNonNull;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import com.google.common.util.concurrent.ListenableFuture;
import io.taskrunner.AsyncTask;
import io.taskrunner.Strategy;
import io.taskrunner.Task;
import io.taskrunner.TaskRunner;
import io.taskrunner.Workload;
import io.taskrunner.spi.RunnerSpec;
import io.taskrunner.strategies.loop.EventLoopProvider;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A {@link TaskRunner} of the {@link Strategy#EVENT_LOOP} strategy: one or more single-threaded
 * event loops, each owning a task queue and timers, for many slow calls made through non-blocking
 * APIs. {@code Runners.forWorkload(Workload.ioBound().nonBlocking())} returns one with the
 * defaults; {@link #builder()} configures one.
 *
 * <h2>How tasks run</h2>
 *
 * A task runs on a loop thread, one task at a time per loop, in submission order; tasks are spread
 * over the loops round-robin, or pinned to one by a key ({@link #submit(Object, Task)}). {@code submitAsync} tasks get a {@link io.taskrunner.TaskContext}
 * bound to their loop: {@code sleep} is a loop timer, and its stage (like those of {@link Loops})
 * completes on the loop thread, so continuations run there too and task state needs no locks. An
 * async task is in flight, holding its admission slot, until its stage completes.
 *
 * <p><b>Warning:</b> a task that blocks (I/O, locks, {@code Thread.sleep}, {@code Future.get})
 * stalls every other task of its loop. A watchdog reports a loop held longer than the {@linkplain
 * Builder#blockedLoopThreshold threshold} once per blocking episode, with the loop thread's stack
 * ({@link BlockedLoopException}); run blocking calls with {@link Loops#runBlocking} instead.
 *
 * <h2>Cancellation</h2>
 *
 * {@code cancel(false)} on a task not started yet removes it. {@code cancel(true)} on a synchronous
 * task running now interrupts the loop thread for that task only. Cancelling an async task's future
 * cancels its stage and every timer its context still has pending, freeing them at once.
 *
 * <h2>Closing</h2>
 *
 * {@code close()} refuses new tasks and waits for every accepted one, pending timers of in-flight
 * async tasks included, then stops the loop threads. Loop threads are daemons and start with the
 * first task, so a forgotten runner keeps nothing alive.
 *
 * <p>Thread-safety: every method may be called from any thread. This interface is not meant to be
 * implemented outside taskrunner.
 */
public interface EventLoopRunner extends TaskRunner {

  /** The default {@linkplain Builder#blockedLoopThreshold blocked-loop threshold}: 100 ms. */
  Duration DEFAULT_BLOCKED_LOOP_THRESHOLD = Duration.ofMillis(100);

  /** Returns a new builder, with every option at its default. */
  static Builder builder() {
    return new Builder();
  }

  /** The number of loop threads. */
  int loopCount();

  /**
   * Submits a task pinned by {@code key}: tasks with equal keys ({@code equals} and {@code
   * hashCode}) run on the same loop thread, in submission order, so per-key state they share needs
   * no lock. Otherwise as {@link #submit(io.taskrunner.Task)}.
   *
   * @throws NullPointerException if an argument is null
   * @throws java.util.concurrent.RejectedExecutionException if the runner is closed or full
   */
  <T extends @Nullable Object> ListenableFuture<T> submit(Object key, Task<T> task);

  /**
   * Submits an async task pinned by {@code key}: it starts, and its context's stages complete, on
   * the loop that {@code key} picks, as for {@link #submit(Object, Task)}.
   *
   * @throws NullPointerException if an argument is null
   * @throws java.util.concurrent.RejectedExecutionException if the runner is closed or full
   */
  <T extends @Nullable Object> ListenableFuture<T> submitAsync(Object key, AsyncTask<T> task);

  /** The time a task may hold a loop before the watchdog reports it. */
  Duration blockedLoopThreshold();

  /** How many times the watchdog has reported a blocked loop since this runner was created. */
  long blockedLoopCount();

  /** Whether the calling thread is one of this runner's loop threads. */
  boolean inEventLoop();

  /**
   * Configures an {@link EventLoopRunner}. Defaults:
   *
   * <ul>
   *   <li>{@link #loops} — 1;
   *   <li>{@link #blockedLoopThreshold} — 100 ms ({@link #DEFAULT_BLOCKED_LOOP_THRESHOLD});
   *   <li>{@link #maxInFlight} — {@value Workload#DEFAULT_IO_CONCURRENCY} tasks whose futures are
   *       pending;
   *   <li>{@link #queueCapacity} — {@value Workload#DEFAULT_QUEUE_CAPACITY} accepted tasks beyond
   *       {@code maxInFlight}; a submit beyond both is rejected;
   *   <li>{@link #taskTimeout} — none;
   *   <li>{@link #name} — {@code loop-N}, N counting the runners built in this JVM;
   *   <li>{@link #onBlockedLoop} — none (reports are still logged, recorded and counted).
   * </ul>
   *
   * <p>Each option may be set once; setting it again throws {@link IllegalStateException}. {@link
   * #build()} may be called many times: each call creates a new runner from the current options.
   *
   * <p>Not thread-safe: confine a builder to one thread.
   */
  @SuppressWarnings("exports") // @CanIgnoreReturnValue is a compile-time-only annotation
  final class Builder {
    private static final AtomicInteger NEXT_ID = new AtomicInteger();

    private int loops;
    private @Nullable Duration blockedLoopThreshold;
    private int maxInFlight;
    private int queueCapacity;
    private @Nullable Duration taskTimeout;
    private @Nullable String name;
    private @Nullable Consumer<? super BlockedLoopException> onBlockedLoop;

    Builder() {}

    /**
     * Sets the number of loop threads; tasks are spread over them round-robin.
     *
     * @throws IllegalArgumentException if {@code loops} is not positive
     * @throws IllegalStateException if already set
     */
    @CanIgnoreReturnValue
    public Builder loops(int loops) {
      requirePositive(loops, "loops");
      requireState(this.loops == 0, "loops was already set to %d", this.loops);
      this.loops = loops;
      return this;
    }

    /**
     * Sets how long a task may hold a loop thread before the watchdog reports the loop as blocked.
     * The report comes between one and one and a quarter thresholds after the block began.
     *
     * @throws NullPointerException if {@code threshold} is null
     * @throws IllegalArgumentException if {@code threshold} is not positive
     * @throws IllegalStateException if already set
     */
    @CanIgnoreReturnValue
    public Builder blockedLoopThreshold(Duration threshold) {
      requireNonNull(threshold, "threshold");
      requirePositive(threshold, "threshold");
      requireState(
          blockedLoopThreshold == null,
          "blockedLoopThreshold was already set to %s",
          blockedLoopThreshold);
      this.blockedLoopThreshold = threshold;
      return this;
    }

    /**
     * Sets how many tasks may be in flight at once: started and not completed, an async task until
     * its stage completes.
     *
     * @throws IllegalArgumentException if {@code limit} is not positive
     * @throws IllegalStateException if already set
     */
    @CanIgnoreReturnValue
    public Builder maxInFlight(int limit) {
      requirePositive(limit, "limit");
      requireState(maxInFlight == 0, "maxInFlight was already set to %d", maxInFlight);
      this.maxInFlight = limit;
      return this;
    }

    /**
     * Sets how many accepted tasks may wait beyond {@link #maxInFlight}; a submit beyond both is
     * rejected with {@link java.util.concurrent.RejectedExecutionException}.
     *
     * @throws IllegalArgumentException if {@code capacity} is not positive
     * @throws IllegalStateException if already set
     */
    @CanIgnoreReturnValue
    public Builder queueCapacity(int capacity) {
      requirePositive(capacity, "capacity");
      requireState(queueCapacity == 0, "queueCapacity was already set to %d", queueCapacity);
      this.queueCapacity = capacity;
      return this;
    }

    /**
     * Sets a per-task timeout: a task whose future is still pending after it fails with {@link
     * java.util.concurrent.TimeoutException}, and its stage and timers are cancelled.
     *
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is not positive
     * @throws IllegalStateException if already set
     */
    @CanIgnoreReturnValue
    public Builder taskTimeout(Duration timeout) {
      requireNonNull(timeout, "timeout");
      requirePositive(timeout, "timeout");
      requireState(taskTimeout == null, "taskTimeout was already set to %s", taskTimeout);
      this.taskTimeout = timeout;
      return this;
    }

    /**
     * Sets the runner's name, used in loop thread names ({@code taskrunner-<name>-<i>}), errors,
     * stats and JFR events.
     *
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank
     * @throws IllegalStateException if already set
     */
    @CanIgnoreReturnValue
    public Builder name(String name) {
      requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank: '" + name + "'");
      }
      requireState(this.name == null, "name was already set to %s", this.name);
      this.name = name;
      return this;
    }

    /**
     * Sets a listener for blocked-loop reports, called on the watchdog thread once per blocking
     * episode, after the report is logged. It must be quick and must not block; what it throws is
     * logged and ignored.
     *
     * @throws NullPointerException if {@code listener} is null
     * @throws IllegalStateException if already set
     */
    @CanIgnoreReturnValue
    public Builder onBlockedLoop(Consumer<? super BlockedLoopException> listener) {
      requireNonNull(listener, "listener");
      requireState(onBlockedLoop == null, "onBlockedLoop was already set to %s", onBlockedLoop);
      this.onBlockedLoop = listener;
      return this;
    }

    /**
     * Creates a runner from the current options; the caller owns it and must close it. Cheap: loop
     * threads start with their first task.
     */
    public EventLoopRunner build() {
      String runnerName = name != null ? name : "loop-" + NEXT_ID.incrementAndGet();
      Workload workload = Workload.ioBound().nonBlocking().named(runnerName);
      RunnerSpec spec =
          new RunnerSpec(
              workload,
              Strategy.EVENT_LOOP,
              runnerName,
              maxInFlight > 0 ? maxInFlight : Workload.DEFAULT_IO_CONCURRENCY,
              queueCapacity > 0 ? queueCapacity : Workload.DEFAULT_QUEUE_CAPACITY,
              taskTimeout);
      return EventLoopProvider.create(
          spec,
          loops > 0 ? loops : 1,
          blockedLoopThreshold != null ? blockedLoopThreshold : DEFAULT_BLOCKED_LOOP_THRESHOLD,
          onBlockedLoop);
    }
  }
}

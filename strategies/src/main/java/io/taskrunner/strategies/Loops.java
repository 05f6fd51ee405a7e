package io.taskrunner.strategies;

import static java.util.Objects.requireNonNull;

import io.taskrunner.Task;
import io.taskrunner.TaskContext;
import io.taskrunner.internal.Checks;
import io.taskrunner.internal.StageFailures;
import io.taskrunner.strategies.loop.LoopIo;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Helpers in the spirit of Python's asyncio for {@link io.taskrunner.AsyncTask}s: a timeout on any
 * stage, gather ({@link #all}), first-to-finish ({@link #any}), {@link #asCompleted}, a bridge that
 * runs a blocking call on a virtual thread ({@link #runBlocking}) — so code on an event loop never
 * needs to block it — and non-blocking TCP on the loop's selector ({@link #connect}, {@link
 * #listen}). Sleep is {@link TaskContext#sleep}.
 *
 * <p>Every returned future completes through the context's {@linkplain TaskContext#executor()
 * executor}: on the event loop, on the loop thread, so continuations attached to it run there too
 * and need no locks; their {@code *Async} methods without an executor run there as well. (On the
 * thread-based runners they complete on that runner's threads.) Should the runner have stopped, they
 * complete on the thread that finished the work instead, so none hangs.
 *
 * <p>Cancellation: cancelling a returned future cancels what it waits for ({@code
 * toCompletableFuture().cancel(true)} of each input stage; the virtual thread of {@link
 * #runBlocking} is interrupted), and so does a helper that no longer needs an input (the losers of
 * {@link #any}, the rest after a failure in {@link #all}, the stage that timed out).
 *
 * <p>Thread-safe: every method may be called from any thread; none blocks.
 */
public final class Loops {
  private Loops() {}

  /**
   * Returns a future that completes as {@code stage} does, unless {@code timeout} elapses first: it
   * then fails with a {@link TimeoutException} and {@code stage} is cancelled. The timer is a loop
   * timer on the event loop, freed as soon as {@code stage} completes.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code timeout} is negative
   */
  public static <T extends @Nullable Object> CompletableFuture<T> withTimeout(
      TaskContext context, CompletionStage<T> stage, Duration timeout) {
    requireNonNull(context, "context");
    requireNonNull(stage, "stage");
    requireNonNull(timeout, "timeout");
    Checks.requireNonNegative(timeout, "timeout");
    CompletableFuture<T> out = newFuture(context);
    CompletableFuture<@Nullable Void> timer = context.sleep(timeout).toCompletableFuture();
    AtomicBoolean settled = new AtomicBoolean();
    timer.thenRun(
        () -> {
          if (settled.compareAndSet(false, true)) {
            cancel(stage); // before the caller can see the timeout
            out.completeExceptionally(
                new TimeoutException(
                    String.format(
                        Locale.US,
                        "timed out after %s on runner '%s'",
                        timeout,
                        context.runnerName())));
          }
        });
    stage.whenComplete(
        (value, failure) -> {
          if (settled.compareAndSet(false, true)) {
            timer.cancel(false);
            completeOn(context, out, value, failure);
          }
        });
    cancelInputsWhenCancelled(out, List.of(stage, timer));
    return out;
  }

  /**
   * Gathers: returns a future of every stage's result, in the order given, once all have succeeded.
   * If one fails, the future fails with its exception at once and the others are cancelled.
   *
   * @return a future of an unmodifiable list, which may hold {@code null} results
   * @throws NullPointerException if an argument or a stage is null
   */
  public static <T extends @Nullable Object> CompletableFuture<List<T>> all(
      TaskContext context, Collection<? extends CompletionStage<? extends T>> stages) {
    requireNonNull(context, "context");
    List<CompletionStage<? extends T>> inputs = copy(stages);
    CompletableFuture<List<T>> out = newFuture(context);
    if (inputs.isEmpty()) {
      completeOn(context, out, List.of(), null);
      return out;
    }
    @SuppressWarnings("unchecked")
    T[] results = (T[]) new Object[inputs.size()];
    AtomicInteger left = new AtomicInteger(inputs.size());
    AtomicBoolean settled = new AtomicBoolean();
    for (int i = 0; i < inputs.size(); i++) {
      int index = i;
      inputs.get(i).whenComplete(
          (value, failure) -> {
            if (failure != null) {
              if (settled.compareAndSet(false, true)) {
                inputs.forEach(Loops::cancel); // before the caller can see the failure
                completeOn(context, out, null, failure);
              }
            } else {
              results[index] = value;
              if (left.decrementAndGet() == 0 && settled.compareAndSet(false, true)) {
                // the decrement orders every results[] write before this read
                completeOn(
                    context, out, Collections.unmodifiableList(Arrays.asList(results)), null);
              }
            }
          });
    }
    cancelInputsWhenCancelled(out, inputs);
    return out;
  }

  /**
   * Returns a future that completes like whichever stage completes first, with its result or its
   * failure; the others are then cancelled.
   *
   * @throws NullPointerException if an argument or a stage is null
   * @throws IllegalArgumentException if {@code stages} is empty
   */
  public static <T extends @Nullable Object> CompletableFuture<T> any(
      TaskContext context, Collection<? extends CompletionStage<? extends T>> stages) {
    requireNonNull(context, "context");
    List<CompletionStage<? extends T>> inputs = copy(stages);
    Checks.requireArgument(!inputs.isEmpty(), "stages must not be empty");
    CompletableFuture<T> out = newFuture(context);
    AtomicBoolean settled = new AtomicBoolean();
    for (int i = 0; i < inputs.size(); i++) {
      int winner = i;
      inputs.get(i).whenComplete(
          (value, failure) -> {
            if (!settled.compareAndSet(false, true)) {
              return; // a loser, or cancelled by the winner
            }
            for (int j = 0; j < inputs.size(); j++) {
              if (j != winner) {
                cancel(inputs.get(j)); // before the caller can see the winner
              }
            }
            completeOn(context, out, value, failure);
          });
    }
    cancelInputsWhenCancelled(out, inputs);
    return out;
  }

  /**
   * Returns one future per stage, in completion order: the first completes like the first stage to
   * complete, the second like the second, and so on (asyncio's {@code as_completed}). Cancelling a
   * returned future does not cancel any stage.
   *
   * @return an unmodifiable list of {@code stages.size()} futures
   * @throws NullPointerException if an argument or a stage is null
   */
  public static <T extends @Nullable Object> List<CompletableFuture<T>> asCompleted(
      TaskContext context, Collection<? extends CompletionStage<? extends T>> stages) {
    requireNonNull(context, "context");
    List<CompletionStage<? extends T>> inputs = copy(stages);
    List<CompletableFuture<T>> outs = new ArrayList<>(inputs.size());
    for (int i = 0; i < inputs.size(); i++) {
      outs.add(newFuture(context));
    }
    AtomicInteger next = new AtomicInteger();
    for (CompletionStage<? extends T> stage : inputs) {
      stage.whenComplete(
          (value, failure) ->
              completeOn(context, outs.get(next.getAndIncrement()), value, failure));
    }
    return Collections.unmodifiableList(outs);
  }

  /**
   * Runs a blocking call on a new virtual thread and returns a future that completes with its
   * result on the context's executor (the loop thread), so the loop never blocks. Cancelling the
   * future with {@code cancel(true)} interrupts the virtual thread.
   *
   * @throws NullPointerException if an argument is null
   */
  public static <T extends @Nullable Object> CompletableFuture<T> runBlocking(
      TaskContext context, Task<T> call) {
    requireNonNull(context, "context");
    requireNonNull(call, "call");
    CompletableFuture<T> out = newFuture(context);
    Thread worker =
        Thread.ofVirtual()
            .name("taskrunner-" + context.runnerName() + "-blocking")
            .unstarted(
                () -> {
                  if (out.isDone()) {
                    return;
                  }
                  try {
                    T value = call.call();
                    completeOn(context, out, value, null);
                  } catch (Throwable t) {
                    completeOn(context, out, null, t);
                  }
                });
    out.whenComplete(
        (v, e) -> {
          if (out.isCancelled()) {
            worker.interrupt();
          }
        });
    worker.start();
    return out;
  }

  // ---- TCP -------------------------------------------------------------------------------------

  /**
   * Opens a non-blocking TCP connection to {@code remote}, owned by the loop running the task whose
   * context this is. Pass a resolved address: resolving a host name blocks (resolve it with {@link
   * #runBlocking} first). Cancelling the future before it completes closes the socket.
   *
   * @return a future of the connection, completed on the loop thread, or failed with the {@link
   *     java.io.IOException} of a failed connect
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code context} is not an event-loop task's context
   */
  public static CompletableFuture<TcpConnection> connect(
      TaskContext context, SocketAddress remote) {
    return LoopIo.connect(context, remote);
  }

  /**
   * Binds a non-blocking TCP listener to {@code local} (port 0 picks a free port), owned by the loop
   * running the task whose context this is. Binding does not block.
   *
   * @param backlog the maximum number of connections waiting to be accepted, or 0 for the system
   *     default
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code context} is not an event-loop task's context, or
   *     {@code backlog} is negative
   * @throws java.io.IOException if binding fails (the address is in use, for example)
   */
  public static TcpListener listen(TaskContext context, SocketAddress local, int backlog)
      throws java.io.IOException {
    Checks.requireArgument(backlog >= 0, "backlog must not be negative: %d", backlog);
    return LoopIo.listen(context, local, backlog);
  }

  // ---- plumbing ----------------------------------------------------------------------------------

  private static <T extends @Nullable Object> List<CompletionStage<? extends T>> copy(
      Collection<? extends CompletionStage<? extends T>> stages) {
    requireNonNull(stages, "stages");
    List<CompletionStage<? extends T>> inputs = new ArrayList<>(stages.size());
    int i = 0;
    for (CompletionStage<? extends T> stage : stages) {
      if (stage == null) {
        throw new NullPointerException("stages[" + i + "]");
      }
      inputs.add(stage);
      i++;
    }
    return inputs;
  }

  private static <T extends @Nullable Object> CompletableFuture<T> newFuture(
      TaskContext context) {
    return new ContextFuture<>(context.executor());
  }

  /** Completes {@code out} on the context's executor, or here if that executor has stopped. */
  @SuppressWarnings("NullAway") // value is null only when failure is not, or when T is nullable
  private static <T extends @Nullable Object> void completeOn(
      TaskContext context, CompletableFuture<T> out, @Nullable T value,
      @Nullable Throwable failure) {
    if (out.isDone()) {
      return;
    }
    Runnable complete =
        () -> {
          if (failure == null) {
            out.complete(value);
          } else {
            out.completeExceptionally(StageFailures.unwrap(failure));
          }
        };
    try {
      context.executor().execute(complete);
    } catch (RejectedExecutionException e) {
      complete.run();
    }
  }

  private static void cancel(CompletionStage<?> stage) {
    try {
      stage.toCompletableFuture().cancel(true);
    } catch (UnsupportedOperationException ignored) {
      // a stage without a CompletableFuture view cannot be cancelled
    }
  }

  private static void cancelInputsWhenCancelled(
      CompletableFuture<?> out, List<? extends CompletionStage<?>> inputs) {
    out.whenComplete(
        (v, e) -> {
          if (e instanceof CancellationException) {
            inputs.forEach(Loops::cancel);
          }
        });
  }

  /** A future whose {@code *Async} methods without an executor use the context's executor. */
  private static final class ContextFuture<T extends @Nullable Object>
      extends CompletableFuture<T> {
    private final Executor executor;

    ContextFuture(Executor executor) {
      this.executor = executor;
    }

    @Override
    public Executor defaultExecutor() {
      return executor;
    }

    @Override
    public <U extends @Nullable Object> CompletableFuture<U> newIncompleteFuture() {
      return new ContextFuture<>(executor);
    }
  }
}

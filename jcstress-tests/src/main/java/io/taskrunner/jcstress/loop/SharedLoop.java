package io.taskrunner.jcstress.loop;

import io.taskrunner.AsyncTask;
import io.taskrunner.TaskContext;
import io.taskrunner.strategies.EventLoopRunner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One event-loop runner shared by every state of a test (starting a loop thread per state would
 * measure thread start-up, not the race), and the context of an async task parked on it forever,
 * lent to the tests for sleeps and the loop executor. Its thread is a daemon.
 */
final class SharedLoop {
  private SharedLoop() {}

  static final EventLoopRunner RUNNER =
      EventLoopRunner.builder()
          .name("stress-loop")
          .queueCapacity(1 << 20)
          // jcstress starves threads on purpose: a blocked-loop report would only add noise (and
          // stderr output, which fails the pre-test check)
          .blockedLoopThreshold(java.time.Duration.ofMinutes(10))
          .build();
  static final TaskContext CONTEXT = lend();

  /**
   * A named class, not a lambda: a lambda here would be a method of {@code SharedLoop}, which the
   * loop thread could not call until {@code SharedLoop}'s static initializer (waiting for it)
   * finished: a class-initialization deadlock.
   */
  private static final class Lender implements AsyncTask<String> {
    private static final long serialVersionUID = 1L;
    final transient CompletableFuture<TaskContext> lent = new CompletableFuture<>();

    @Override
    public CompletionStage<String> start(TaskContext context) {
      lent.complete(context);
      return new CompletableFuture<>(); // stays in flight: the context stays valid
    }
  }

  private static TaskContext lend() {
    Lender lender = new Lender();
    var unused = RUNNER.submitAsync(lender);
    try {
      return lender.lent.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("could not start the shared loop", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the shared loop", e);
    }
  }

  /** Waits until the loop has run everything handed to it before this call; false on timeout. */
  static boolean drained() {
    CountDownLatch done = new CountDownLatch(1);
    CONTEXT.executor().execute(done::countDown);
    try {
      return done.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}

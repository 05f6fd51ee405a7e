package io.taskrunner.benchmarks.loop;

import io.taskrunner.TaskContext;
import io.taskrunner.strategies.EventLoopRunner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

/** Reaching into a taskrunner loop through the public API only. */
final class LoopHandle implements AutoCloseable {
  final EventLoopRunner runner;
  final TaskContext context;
  final Executor executor;
  private final CompletableFuture<String> parked = new CompletableFuture<>();

  /** A runner with one loop and an async task that stays in flight, lending its context. */
  LoopHandle(int queueCapacity) throws InterruptedException, ExecutionException {
    runner = EventLoopRunner.builder().name("bench").queueCapacity(queueCapacity).build();
    CompletableFuture<TaskContext> lent = new CompletableFuture<>();
    var unused =
        runner.submitAsync(
            ctx -> {
              lent.complete(ctx);
              return parked;
            });
    context = lent.get();
    executor = context.executor();
  }

  @Override
  public void close() {
    parked.complete("done");
    runner.close();
  }
}

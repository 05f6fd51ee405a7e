package io.taskrunner.strategies;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskrunner.Strategy;
import io.taskrunner.Workload;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The event loop keeps every promise of {@link TaskRunnerContractTest}. */
class EventLoopRunnerContractTest extends TaskRunnerContractTest {

  @Override
  protected Workload baseWorkload() {
    return Workload.ioBound().nonBlocking();
  }

  @Override
  protected Strategy expectedStrategy() {
    return Strategy.EVENT_LOOP;
  }

  /**
   * The same promise as the inherited test, with the blocking task submitted last: one loop runs
   * tasks one at a time in submission order, so a task blocked on a latch ahead of the fast one
   * would hold the loop (which is the blocked-loop detector's business, not invokeAny's).
   */
  @Test
  @Override
  void executorService_invokeAny_returnsASuccess_andCancelsTheRest() throws Exception {
    ExecutorService executor = runner().asExecutorService();
    CountDownLatch never = gate();
    AtomicBoolean slowStarted = new AtomicBoolean();
    AtomicBoolean slowInterrupted = new AtomicBoolean();
    Callable<String> slow =
        () -> {
          slowStarted.set(true);
          try {
            never.await();
          } catch (InterruptedException e) {
            slowInterrupted.set(true);
            throw e;
          }
          return "slow";
        };
    Callable<String> failing =
        () -> {
          throw new IOException("no");
        };
    assertThat(executor.invokeAny(List.of(failing, () -> "fast", slow))).isEqualTo("fast");
    awaitTrue(() -> !slowStarted.get() || slowInterrupted.get(), "the slow task was stopped");
  }
}

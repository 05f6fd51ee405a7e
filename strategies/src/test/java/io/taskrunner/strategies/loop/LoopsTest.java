package io.taskrunner.strategies.loop;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import io.taskrunner.strategies.Await;
import io.taskrunner.strategies.EventLoopRunner;
import io.taskrunner.strategies.Loops;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class LoopsTest {
  private final EventLoopRunner runner = EventLoopRunner.builder().name("helpers").build();

  @AfterEach
  void close() {
    runner.close();
  }

  private int pendingTimers() {
    return Futures.getUnchecked(
        runner.submit(
            () -> {
              EventLoop loop = EventLoop.current();
              return loop == null ? -1 : loop.pendingTimers();
            }));
  }

  /**
   * Polls until the loop has no pending timer. A task's leftover timers are freed by a release
   * handed to the loop when its future completes, which may run just after {@code get()} returns.
   */
  private void awaitNoPendingTimers() throws Exception {
    Await.until(() -> pendingTimers() == 0, "the loop has no pending timer");
  }

  private static String thread() {
    return Thread.currentThread().getName();
  }

  @Test
  void withTimeout_slowStage_failsWithTimeoutException_andCancelsTheStage() throws Exception {
    CompletableFuture<CompletableFuture<@Nullable Void>> slowStage = new CompletableFuture<>();
    ListenableFuture<String> r =
        runner.submitAsync(
            ctx -> {
              CompletableFuture<@Nullable Void> slow =
                  ctx.sleep(Duration.ofHours(1)).toCompletableFuture();
              slowStage.complete(slow);
              return Loops.withTimeout(ctx, slow, Duration.ofMillis(20)).thenApply(v -> "late");
            });
    assertThatThrownBy(() -> r.get(10, SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(TimeoutException.class)
        .hasMessageContaining("helpers");
    assertThat(slowStage.get().isCancelled()).isTrue();
    awaitNoPendingTimers();
  }

  @Test
  void withTimeout_fastStage_completesOnTheLoop_andFreesItsTimer() throws Exception {
    ListenableFuture<String> r =
        runner.submitAsync(
            ctx ->
                Loops.withTimeout(
                        ctx,
                        ctx.sleep(Duration.ofMillis(5)).thenApply(v -> "ok"),
                        Duration.ofHours(1))
                    .thenApply(v -> v + "@" + thread()));
    assertThat(r.get(10, SECONDS)).isEqualTo("ok@taskrunner-helpers-0");
    awaitNoPendingTimers();
  }

  @Test
  void all_gathersResultsInInputOrder() throws Exception {
    ListenableFuture<List<Integer>> r =
        runner.submitAsync(
            ctx -> {
              List<CompletionStage<Integer>> stages = new ArrayList<>();
              for (int i = 0; i < 5; i++) {
                int id = i;
                stages.add(ctx.sleep(Duration.ofMillis(25 - 5 * i)).thenApply(v -> id));
              }
              return Loops.all(ctx, stages);
            });
    assertThat(r.get(10, SECONDS)).containsExactly(0, 1, 2, 3, 4);
  }

  @Test
  void all_oneFails_failsAtOnce_andCancelsTheRest() throws Exception {
    CompletableFuture<CompletableFuture<@Nullable Void>> other = new CompletableFuture<>();
    ListenableFuture<List<Object>> r =
        runner.submitAsync(
            ctx -> {
              CompletableFuture<@Nullable Void> slow =
                  ctx.sleep(Duration.ofHours(1)).toCompletableFuture();
              other.complete(slow);
              CompletionStage<Object> failing =
                  ctx.sleep(Duration.ofMillis(5))
                      .thenApply(
                          v -> {
                            throw new IllegalStateException("nope");
                          });
              return Loops.all(ctx, List.<CompletionStage<?>>of(slow, failing))
                  .thenApply(list -> new ArrayList<Object>(list));
            });
    assertThatThrownBy(() -> r.get(10, SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
    assertThat(other.get().isCancelled()).isTrue();
  }

  @Test
  void any_firstToFinishWins_andTheOthersAreCancelled() throws Exception {
    CompletableFuture<CompletableFuture<@Nullable Void>> loser = new CompletableFuture<>();
    ListenableFuture<String> r =
        runner.submitAsync(
            ctx -> {
              CompletableFuture<@Nullable Void> slow =
                  ctx.sleep(Duration.ofHours(1)).toCompletableFuture();
              loser.complete(slow);
              return Loops.any(
                  ctx,
                  List.of(
                      slow.thenApply(v -> "slow"),
                      ctx.sleep(Duration.ofMillis(5)).thenApply(v -> "fast")));
            });
    assertThat(r.get(10, SECONDS)).isEqualTo("fast");
    // The losing stage derived from `slow` is cancelled; `slow` itself is cancelled when the task
    // ends, by a release that runs on the loop before the next task.
    awaitNoPendingTimers();
    assertThat(loser.get().isCancelled()).isTrue();
  }

  @Test
  void asCompleted_yieldsResultsInCompletionOrder() throws Exception {
    ListenableFuture<List<String>> r =
        runner.submitAsync(
            ctx -> {
              List<CompletableFuture<String>> inOrder =
                  Loops.asCompleted(
                      ctx,
                      List.of(
                          ctx.sleep(Duration.ofMillis(30)).thenApply(v -> "c"),
                          ctx.sleep(Duration.ofMillis(10)).thenApply(v -> "a"),
                          ctx.sleep(Duration.ofMillis(20)).thenApply(v -> "b")));
              List<String> seen = new ArrayList<>(); // loop-confined
              CompletableFuture<?> chain = CompletableFuture.completedFuture(null);
              for (CompletableFuture<String> next : inOrder) {
                chain = chain.thenCompose(x -> next.thenAccept(seen::add));
              }
              return chain.thenApply(x -> seen);
            });
    assertThat(r.get(10, SECONDS)).containsExactly("a", "b", "c");
  }

  @Test
  void runBlocking_runsOnAVirtualThread_andResumesOnTheLoop() throws Exception {
    ListenableFuture<List<Object>> r =
        runner.submitAsync(
            ctx ->
                Loops.runBlocking(
                        ctx,
                        () -> {
                          Thread.sleep(10); // the workload: a blocking call
                          return List.<Object>of(Thread.currentThread().isVirtual(), thread());
                        })
                    .thenApply(
                        list -> {
                          List<Object> out = new ArrayList<>(list);
                          out.add(thread());
                          return out;
                        }));
    List<Object> seen = r.get(10, SECONDS);
    assertThat(seen.get(0)).isEqualTo(true);
    assertThat(seen.get(1)).isEqualTo("taskrunner-helpers-blocking");
    assertThat(seen.get(2)).isEqualTo("taskrunner-helpers-0");
  }

  @Test
  void runBlocking_cancel_interruptsTheVirtualThread() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
    CompletableFuture<CompletableFuture<String>> call = new CompletableFuture<>();
    ListenableFuture<String> r =
        runner.submitAsync(
            ctx -> {
              CompletableFuture<String> blocking =
                  Loops.runBlocking(
                      ctx,
                      () -> {
                        started.countDown();
                        try {
                          never.await();
                          interrupted.complete(false);
                        } catch (InterruptedException e) {
                          interrupted.complete(true);
                        }
                        return "done";
                      });
              call.complete(blocking);
              return blocking;
            });
    assertThat(started.await(10, SECONDS)).isTrue();
    assertThat(call.get().cancel(true)).isTrue();
    assertThat(interrupted.get(10, SECONDS)).isTrue();
    assertThatThrownBy(() -> r.get(10, SECONDS))
        .isInstanceOf(java.util.concurrent.CancellationException.class);
  }

  @Test
  void arguments_areChecked() {
    assertThatThrownBy(() -> runner.submitAsync(ctx -> Loops.any(ctx, List.<CompletionStage<String>>of()))
            .get(10, SECONDS))
        .hasCauseInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stages must not be empty");
  }
}

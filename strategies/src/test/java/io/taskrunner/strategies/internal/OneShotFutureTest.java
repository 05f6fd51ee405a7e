package io.taskrunner.strategies.internal;

import static com.google.common.util.concurrent.MoreExecutors.directExecutor;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import io.taskrunner.strategies.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * {@link OneShotFuture} keeps the contract of Guava's {@code AbstractFuture}, which the runners'
 * futures used before: one outcome, listeners once each and in order, waiters woken, and waiters
 * that give up leave nothing behind.
 */
class OneShotFutureTest {

  /** A future its test completes by hand; counts {@link #interruptTask} calls. */
  private static final class Probe<T extends @Nullable Object> extends OneShotFuture<T> {
    final AtomicInteger interrupts = new AtomicInteger();

    @Override
    protected void interruptTask() {
      interrupts.incrementAndGet();
    }

    @Override
    protected String pendingToString() {
      return "probe detail";
    }
  }

  @Test
  void set_completesOnce_andGetReturnsTheValue() throws Exception {
    Probe<String> future = new Probe<>();
    assertThat(future.isDone()).isFalse();
    assertThat(future.set("a")).isTrue();
    assertThat(future.set("b")).isFalse();
    assertThat(future.setException(new IllegalStateException())).isFalse();
    assertThat(future.cancel(true)).isFalse();
    assertThat(future.interrupts).hasValue(0);
    assertThat(future.isDone()).isTrue();
    assertThat(future.isCancelled()).isFalse();
    assertThat(future.get()).isEqualTo("a");
    assertThat(future.get(0, SECONDS)).isEqualTo("a");
    assertThat(future.resultNow()).isEqualTo("a");
  }

  @Test
  void nullIsAValue() throws Exception {
    Probe<@Nullable String> future = new Probe<>();
    assertThat(future.set(null)).isTrue();
    assertThat(future.isDone()).isTrue();
    assertThat(future.get()).isNull();
    assertThat(future.toString()).contains("status=SUCCESS, result=[null]");
  }

  @Test
  void failure_isReportedWithTheOriginalCause() {
    Probe<String> future = new Probe<>();
    IllegalStateException cause = new IllegalStateException("boom");
    assertThat(future.setException(cause)).isTrue();
    assertThatThrownBy(future::get).isInstanceOf(ExecutionException.class).cause().isSameAs(cause);
    assertThatThrownBy(() -> future.get(1, SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isSameAs(cause);
    assertThat(future.isCancelled()).isFalse();
    assertThat(future.toString())
        .contains("status=FAILURE, cause=[java.lang.IllegalStateException: boom]");
  }

  @Test
  void cancel_wins_once_andInterruptsOnlyWhenAsked() {
    Probe<String> quiet = new Probe<>();
    assertThat(quiet.cancel(false)).isTrue();
    assertThat(quiet.interrupts).hasValue(0);

    Probe<String> future = new Probe<>();
    assertThat(future.cancel(true)).isTrue();
    assertThat(future.cancel(true)).isFalse();
    assertThat(future.set("late")).isFalse();
    assertThat(future.interrupts).hasValue(1);
    assertThat(future.isCancelled()).isTrue();
    assertThat(future.isDone()).isTrue();
    assertThatThrownBy(future::get).isInstanceOf(CancellationException.class);
    assertThat(future.toString()).contains("status=CANCELLED");
  }

  @Test
  void listeners_runOnce_inTheOrderTheyWereAdded_beforeAndAfterCompletion() {
    Probe<String> future = new Probe<>();
    List<Integer> ran = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 5; i++) {
      int n = i;
      future.addListener(() -> ran.add(n), directExecutor());
    }
    assertThat(ran).isEmpty();
    assertThat(future.set("x")).isTrue();
    assertThat(ran).containsExactly(0, 1, 2, 3, 4);
    future.addListener(() -> ran.add(5), directExecutor());
    assertThat(ran).containsExactly(0, 1, 2, 3, 4, 5);
    assertThat(future.cancel(true)).isFalse();
    assertThat(ran).hasSize(6);
  }

  @Test
  void listenersAddedBeforeCompletion_runOnTheCompletingThread_beforeSetReturns() throws Exception {
    Probe<String> future = new Probe<>();
    AtomicReference<@Nullable Thread> ranOn = new AtomicReference<>();
    future.addListener(() -> ranOn.set(Thread.currentThread()), directExecutor());
    Thread completer = Thread.ofPlatform().unstarted(() -> future.set("x"));
    completer.start();
    completer.join(Duration.ofSeconds(10));
    assertThat(ranOn.get()).isSameAs(completer);
  }

  @Test
  void get_onADoneFuture_stillThrowsInterruptedException_likeGuava() throws Exception {
    Probe<String> future = new Probe<>();
    assertThat(future.set("x")).isTrue();
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(future::get).isInstanceOf(InterruptedException.class);
      assertThat(Thread.currentThread().isInterrupted()).isFalse();
      assertThat(future.get()).isEqualTo("x");
    } finally {
      boolean unused = Thread.interrupted();
    }
  }

  @Test
  void aRejectingExecutor_doesNotKeepTheOtherListenersFromRunning() {
    Probe<String> future = new Probe<>();
    AtomicInteger ran = new AtomicInteger();
    Executor rejecting =
        command -> {
          throw new RejectedExecutionException("full");
        };
    future.addListener(ran::incrementAndGet, directExecutor());
    future.addListener(ran::incrementAndGet, rejecting);
    future.addListener(ran::incrementAndGet, directExecutor());
    assertThat(future.set("x")).isTrue();
    assertThat(ran).hasValue(2);
  }

  @Test
  void aBlockedGet_isWokenByCompletionFromAnotherThread() throws Exception {
    Probe<String> future = new Probe<>();
    AtomicReference<@Nullable String> got = new AtomicReference<>();
    Thread waiter =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    got.set(future.get());
                  } catch (InterruptedException | ExecutionException e) {
                    throw new AssertionError(e);
                  }
                });
    awaitParked(waiter, future);
    assertThat(future.set("woken")).isTrue();
    waiter.join(Duration.ofSeconds(10));
    assertThat(waiter.isAlive()).isFalse();
    assertThat(got).hasValue("woken");
  }

  @Test
  void timedGet_timesOut_namingTheFuture_andLeavesNoWaiterBehind() throws Exception {
    Probe<String> future = new Probe<>();
    for (int i = 0; i < 100; i++) {
      assertThatThrownBy(() -> future.get(1, MILLISECONDS))
          .isInstanceOf(TimeoutException.class)
          .hasMessageContaining("Waited 1 milliseconds")
          .hasMessageContaining("status=PENDING, info=[probe detail]");
    }
    assertThatThrownBy(() -> future.get(0, SECONDS)).isInstanceOf(TimeoutException.class);
    assertThat(future.queuedNodes()).isZero();
  }

  @Test
  void anInterruptedGet_throws_andLeavesNoWaiterBehind() throws Exception {
    Probe<String> future = new Probe<>();
    AtomicReference<@Nullable Throwable> thrown = new AtomicReference<>();
    Thread waiter =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    String unused = future.get();
                  } catch (Throwable t) {
                    thrown.set(t);
                  }
                });
    awaitParked(waiter, future);
    waiter.interrupt();
    waiter.join(Duration.ofSeconds(10));
    assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    assertThat(future.queuedNodes()).isZero();

    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(future::get).isInstanceOf(InterruptedException.class);
    } finally {
      boolean unused = Thread.interrupted();
    }
  }

  @Test
  void waitersThatGiveUp_areUnlinked_whileListenersStay() throws Exception {
    Probe<String> future = new Probe<>();
    AtomicInteger ran = new AtomicInteger();
    future.addListener(ran::incrementAndGet, directExecutor());
    assertThatThrownBy(() -> future.get(1, MILLISECONDS)).isInstanceOf(TimeoutException.class);
    future.addListener(ran::incrementAndGet, directExecutor());
    assertThatThrownBy(() -> future.get(1, MILLISECONDS)).isInstanceOf(TimeoutException.class);
    assertThat(future.queuedNodes()).isEqualTo(2);
    assertThat(future.set("x")).isTrue();
    assertThat(ran).hasValue(2);
  }

  @Test
  void raced_listenersAndCompletion_runEveryListenerExactlyOnce() throws Exception {
    for (int round = 0; round < 2_000; round++) {
      Probe<Integer> future = new Probe<>();
      AtomicInteger ran = new AtomicInteger();
      CyclicBarrier start = new CyclicBarrier(2);
      Thread adder =
          Thread.ofPlatform()
              .start(
                  () -> {
                    await(start);
                    for (int i = 0; i < 10; i++) {
                      future.addListener(ran::incrementAndGet, directExecutor());
                    }
                  });
      await(start);
      assertThat(future.set(round)).isTrue();
      adder.join(Duration.ofSeconds(10));
      assertThat(ran).as("round %d", round).hasValue(10);
    }
  }

  @Test
  void guavaUtilities_seeTheOutcome() throws Exception {
    Probe<Integer> a = new Probe<>();
    Probe<Integer> b = new Probe<>();
    ListenableFuture<List<Integer>> both = Futures.allAsList(a, b);
    assertThat(a.set(1)).isTrue();
    assertThat(both.isDone()).isFalse();
    assertThat(b.set(2)).isTrue();
    assertThat(both.get(10, SECONDS)).containsExactly(1, 2);
    assertThat(Futures.transform(a, x -> x * 10, directExecutor()).get(10, SECONDS)).isEqualTo(10);
  }

  private static void await(CyclicBarrier barrier) {
    try {
      barrier.await(10, SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Waits until {@code waiter} is parked in {@code get} on {@code future}. */
  @SuppressWarnings("ReferenceEquality") // the blocker is the future itself
  private static void awaitParked(Thread waiter, Object future) throws InterruptedException {
    Await.until(() -> LockSupport.getBlocker(waiter) == future, "the waiter is parked in get");
  }
}

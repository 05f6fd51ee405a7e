package io.taskrunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.util.concurrent.AbstractFuture;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.SettableFuture;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class CompletableFuturesTest {

  private static final class InterruptRecordingFuture<T> extends AbstractFuture<T> {
    volatile boolean interrupted;

    @Override
    protected void interruptTask() {
      interrupted = true;
    }
  }

  @Test
  void toCompletableFuture_carriesTheResultAndTheUnwrappedFailure() {
    SettableFuture<String> ok = SettableFuture.create();
    CompletableFuture<String> adaptedOk = CompletableFutures.toCompletableFuture(ok);
    assertThat(adaptedOk).isNotDone();
    ok.set("v");
    assertThat(adaptedOk.join()).isEqualTo("v");

    SettableFuture<String> bad = SettableFuture.create();
    IOException failure = new IOException("boom");
    CompletableFuture<String> adaptedBad = CompletableFutures.toCompletableFuture(bad);
    bad.setException(failure);
    assertThatThrownBy(adaptedBad::join)
        .isInstanceOf(CompletionException.class)
        .hasCause(failure);
  }

  @Test
  void cancellingTheAdapter_cancelsTheSourceWithInterrupt() {
    InterruptRecordingFuture<String> source = new InterruptRecordingFuture<>();
    CompletableFuture<String> adapted = CompletableFutures.toCompletableFuture(source);
    assertThat(adapted.cancel(false)).isTrue();
    assertThat(source.isCancelled()).isTrue();
    assertThat(source.interrupted).isTrue();
  }

  @Test
  void cancelledSource_cancelsTheAdapter() {
    SettableFuture<String> source = SettableFuture.create();
    CompletableFuture<String> adapted = CompletableFutures.toCompletableFuture(source);
    source.cancel(false);
    assertThat(adapted.isCancelled()).isTrue();
  }

  @Test
  void toListenableFuture_unwrapsCompletionExceptions_andPropagatesCancel() throws Exception {
    CompletableFuture<Integer> stage = new CompletableFuture<>();
    ListenableFuture<Integer> adapted = CompletableFutures.toListenableFuture(stage.thenApply(x -> x));
    IOException failure = new IOException("x");
    stage.completeExceptionally(failure);
    assertThatThrownBy(adapted::get).isInstanceOf(ExecutionException.class).hasCause(failure);

    CompletableFuture<Integer> pending = new CompletableFuture<>();
    ListenableFuture<Integer> adaptedPending = CompletableFutures.toListenableFuture(pending);
    adaptedPending.cancel(true);
    assertThat(pending.isCancelled()).isTrue();

    CompletableFuture<Integer> done = CompletableFuture.completedFuture(4);
    assertThat(CompletableFutures.toListenableFuture(done).get()).isEqualTo(4);
  }
}

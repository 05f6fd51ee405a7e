package io.taskrunner.benchmarks.loop;

import com.google.common.util.concurrent.ListenableFuture;
import io.netty.channel.DefaultEventLoop;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.jspecify.annotations.Nullable;

/**
 * Cross-thread no-op dispatch, in tasks per second: the benchmark thread hands {@value #BATCH}
 * no-op tasks to a loop and waits until the last one ran (loops run in order, so all did).
 *
 * <ul>
 *   <li>{@code execute}: a bare {@code Runnable} — taskrunner's loop executor ({@code
 *       TaskContext.executor()}) against Netty's {@code DefaultEventLoop.execute}. Target: ≥ 1.0×
 *       Netty.
 *   <li>{@code submit}: a task with a future — {@code EventLoopRunner.submit} (admission control,
 *       stats, a {@code ListenableFuture}) against Netty's {@code submit} (a {@code Promise}).
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar LoopDispatchBenchmark -f 1 -wi 3 -w 2s
 * -i 5 -r 2s}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LoopDispatchBenchmark {
  static final int BATCH = 1_000;

  @Param({"taskrunner", "netty"})
  public String loop = "taskrunner";

  @SuppressWarnings("NullAway.Init") // set in @Setup
  private LoopHandle taskrunner;

  @SuppressWarnings("NullAway.Init") // set in @Setup
  private DefaultEventLoop netty;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    if (loop.equals("taskrunner")) {
      taskrunner = new LoopHandle(4 * BATCH);
    } else {
      netty = new DefaultEventLoop();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    if (loop.equals("taskrunner")) {
      taskrunner.close();
    } else {
      netty.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  private static void noop() {}

  private static @Nullable Object nothing() {
    return null;
  }

  /** {@value #BATCH} bare runnables, then a latch released by the last. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void execute() throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    if (loop.equals("taskrunner")) {
      java.util.concurrent.Executor e = taskrunner.executor;
      for (int i = 1; i < BATCH; i++) {
        e.execute(LoopDispatchBenchmark::noop);
      }
      e.execute(done::countDown);
    } else {
      DefaultEventLoop e = netty;
      for (int i = 1; i < BATCH; i++) {
        e.execute(LoopDispatchBenchmark::noop);
      }
      e.execute(done::countDown);
    }
    done.await();
  }

  /** {@value #BATCH} tasks with futures; waits for the last future. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public @Nullable Object submit() throws Exception {
    if (loop.equals("taskrunner")) {
      ListenableFuture<@Nullable Object> last = null;
      for (int i = 0; i < BATCH; i++) {
        last = taskrunner.runner.submit(LoopDispatchBenchmark::nothing);
      }
      return last == null ? null : last.get();
    }
    io.netty.util.concurrent.Future<?> last = null;
    for (int i = 0; i < BATCH; i++) {
      last = netty.submit(LoopDispatchBenchmark::noop);
    }
    return last == null ? null : last.get();
  }
}

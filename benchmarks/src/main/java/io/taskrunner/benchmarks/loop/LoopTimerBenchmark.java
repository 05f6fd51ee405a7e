package io.taskrunner.benchmarks.loop;

import io.netty.channel.DefaultEventLoop;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A burst of timers: on the loop thread, start {@code timers} timers of 100 ms, then wait until the
 * last has fired. The ideal is 100 ms; the score divided by 100 ms is the ratio the issue targets
 * (taskrunner: ≤ 1.10 at 10 000 timers, ≤ 1.5 at 100 000; Netty's {@code DefaultEventLoop} in the
 * same run for reference). taskrunner's timers are {@code TaskContext.sleep} stages; Netty's are
 * {@code schedule(Runnable, 100, MILLISECONDS)}.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar LoopTimerBenchmark -f 1 -wi 5 -i 10
 * -bm ss}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class LoopTimerBenchmark {
  private static final Duration DELAY = Duration.ofMillis(100);

  @Param({"taskrunner", "netty"})
  public String loop = "taskrunner";

  @Param({"10000", "100000"})
  public int timers = 10_000;

  @SuppressWarnings("NullAway.Init") // set in @Setup
  private LoopHandle taskrunner;

  @SuppressWarnings("NullAway.Init") // set in @Setup
  private DefaultEventLoop netty;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    if (loop.equals("taskrunner")) {
      taskrunner = new LoopHandle(1_000);
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

  @Benchmark
  public void burst() throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    int n = timers;
    if (loop.equals("taskrunner")) {
      var ctx = taskrunner.context;
      taskrunner.executor.execute(
          () -> {
            int[] left = {n}; // loop-confined
            for (int i = 0; i < n; i++) {
              CompletableFuture<?> unused =
                  ctx.sleep(DELAY)
                      .toCompletableFuture()
                      .thenRun(
                          () -> {
                            if (--left[0] == 0) {
                              done.countDown();
                            }
                          });
            }
          });
    } else {
      DefaultEventLoop e = netty;
      e.execute(
          () -> {
            int[] left = {n}; // loop-confined
            Runnable fire =
                () -> {
                  if (--left[0] == 0) {
                    done.countDown();
                  }
                };
            for (int i = 0; i < n; i++) {
              var unused = e.schedule(fire, DELAY.toMillis(), TimeUnit.MILLISECONDS);
            }
          });
    }
    done.await();
  }
}

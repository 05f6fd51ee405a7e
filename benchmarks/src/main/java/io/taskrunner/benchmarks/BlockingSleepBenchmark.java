package io.taskrunner.benchmarks;

import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Blocking fan-out: {@value #TASKS} tasks that each block for {@value #SLEEP_MILLIS} ms in {@link
 * Thread#sleep}, submitted at once, then every future awaited. Reported as the average time per
 * batch; the ideal is {@value #SLEEP_MILLIS} ms. The virtual-thread runner (default limit 10 000,
 * so every task runs at once) against {@link
 * java.util.concurrent.Executors#newVirtualThreadPerTaskExecutor()}. Target: within 1.1 times the
 * raw executor.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar BlockingSleepBenchmark -f 1 -wi 3 -w 2s
 * -i 5 -r 2s}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class BlockingSleepBenchmark {
  static final int TASKS = 10_000;
  static final long SLEEP_MILLIS = 100;

  private static final Contender.Work<Integer> SLEEP =
      () -> {
        Thread.sleep(SLEEP_MILLIS);
        return 1;
      };

  @Param({Contender.TASKRUNNER_VIRTUAL, Contender.VIRTUAL_EXECUTOR})
  public String executor = Contender.TASKRUNNER_VIRTUAL;

  @SuppressWarnings("NullAway.Init") // set in @Setup, before any @Benchmark call
  private Contender contender;

  private final Future<?>[] futures = new Future<?>[TASKS];

  @Setup
  public void setUp() {
    contender = Contender.create(executor);
  }

  @TearDown
  public void tearDown() {
    contender.close();
  }

  /** Submits {@value #TASKS} sleeping tasks at once and waits for all of them. */
  @Benchmark
  public void sleepBatch(Blackhole blackhole) throws Exception {
    Future<?>[] batch = futures;
    Contender c = contender;
    for (int i = 0; i < TASKS; i++) {
      batch[i] = c.submit(SLEEP);
    }
    for (int i = 0; i < TASKS; i++) {
      blackhole.consume(batch[i].get());
    }
  }
}

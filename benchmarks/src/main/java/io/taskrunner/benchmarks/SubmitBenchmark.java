package io.taskrunner.benchmarks;

import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * No-op task throughput, in tasks per second: one thread submits a batch of {@value #BATCH} no-op
 * tasks, then waits for every future ({@code get()}), so the figure includes submission, hand-off,
 * running, completing the future and waking the waiter. The CPU runner is compared with a raw
 * {@link java.util.concurrent.ForkJoinPool} of the same size in the same FIFO ({@code asyncMode})
 * order and with a fixed thread pool of that size; the virtual-thread runner with {@link
 * java.util.concurrent.Executors#newVirtualThreadPerTaskExecutor()}. Target: the CPU runner at
 * least 0.9 times the raw {@code ForkJoinPool}.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar SubmitBenchmark -f 1 -wi 3 -w 2s -i 5
 * -r 2s}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SubmitBenchmark {
  static final int BATCH = 1_000;

  private static final Contender.Work<Integer> NOOP = () -> 1;

  @Param({
    Contender.TASKRUNNER_CPU,
    Contender.FORK_JOIN_POOL,
    Contender.FIXED_POOL,
    Contender.TASKRUNNER_VIRTUAL,
    Contender.VIRTUAL_EXECUTOR
  })
  public String executor = Contender.TASKRUNNER_CPU;

  @SuppressWarnings("NullAway.Init") // set in @Setup, before any @Benchmark call
  private Contender contender;

  private final Future<?>[] futures = new Future<?>[BATCH];

  @Setup
  public void setUp() {
    contender = Contender.create(executor);
  }

  @TearDown
  public void tearDown() {
    contender.close();
  }

  /** Submits {@value #BATCH} no-op tasks and waits for all of them; reported per task. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void noopBatch(Blackhole blackhole) throws Exception {
    Future<?>[] batch = futures;
    Contender c = contender;
    for (int i = 0; i < BATCH; i++) {
      batch[i] = c.submit(NOOP);
    }
    for (int i = 0; i < BATCH; i++) {
      blackhole.consume(batch[i].get());
    }
  }
}

package io.taskrunner;

import com.google.common.testing.NullPointerTester;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.SettableFuture;
import io.taskrunner.spi.RunnerSpec;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** Every public method and constructor of the API rejects null where it is not declared nullable. */
class PackageSanityTest {

  @Test
  void publicSurface_rejectsNulls() {
    NullPointerTester tester =
        new NullPointerTester()
            .setDefault(ListenableFuture.class, SettableFuture.create())
            .setDefault(CompletionStage.class, new CompletableFuture<>())
            .setDefault(Workload.class, Workload.cpuBound())
            .setDefault(
                RunnerSpec.class,
                new RunnerSpec(Workload.cpuBound(), Strategy.THREAD_POOL, "x", 1, 1, null));
    tester.testAllPublicStaticMethods(Runners.class);
    tester.testAllPublicStaticMethods(Workload.class);
    tester.testAllPublicInstanceMethods(Workload.ioBound());
    tester.testAllPublicStaticMethods(CompletableFutures.class);
    tester.testAllPublicConstructors(StrategyUnavailableException.class);
    tester.testAllPublicConstructors(RunnerStats.class);
    tester.testAllPublicConstructors(RunnerStats.Timing.class);
    tester.testAllPublicConstructors(Explanation.class);
    tester.testAllPublicConstructors(RunnerSpec.class);
  }
}

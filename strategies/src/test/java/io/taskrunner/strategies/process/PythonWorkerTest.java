package io.taskrunner.strategies.process;

import static io.taskrunner.strategies.process.ProcessPoolFaultTest.causeOf;
import static io.taskrunner.strategies.process.ProcessPoolFaultTest.runner;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.taskrunner.TaskRunner;
import io.taskrunner.strategies.Await;
import io.taskrunner.strategies.BytesTask;
import io.taskrunner.strategies.PayloadCodec;
import io.taskrunner.strategies.ProcessPool;
import io.taskrunner.strategies.RemoteTaskException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Python worker of {@code examples/python} serves byte and JSON tasks through the same pool and
 * protocol, which proves PROTOCOL.md is enough to write a worker. Needs {@code python3}, which is
 * optional for building taskrunner: the test is skipped where it is missing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PythonWorkerTest {
  private static final Path WORKER = Path.of("..", "examples", "python", "taskrunner_worker.py");

  private static boolean hasPython() {
    try {
      Process probe =
          new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
      probe.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
      return probe.waitFor(10, SECONDS) && probe.exitValue() == 0;
    } catch (java.io.IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Test
  void pythonWorker_servesBytesAndJson_reportsFailures_andKeepsPrintsOffTheProtocol()
      throws Exception {
    assumeTrue(hasPython(), "python3 is not installed");
    assertThat(Files.isRegularFile(WORKER)).as("%s", WORKER.toAbsolutePath()).isTrue();
    try (TaskRunner pool =
        ProcessPool.builder()
            .name("python")
            .workers(2)
            .workerCommand(List.of("python3", WORKER.toString()))
            .codec(PayloadCodec.bytes())
            .build()) {
      assertThat(runner(pool).workerPids()).hasSize(2);
      assertThat(pool.submit(BytesTask.of("upper", "hello, java".getBytes(UTF_8))).get(10, SECONDS))
          .isEqualTo("HELLO, JAVA".getBytes(UTF_8));
      assertThat(pool.submit(BytesTask.of("json.sum", "[1, 2, 39]".getBytes(UTF_8))).get(10, SECONDS))
          .isEqualTo("42".getBytes(UTF_8));

      Throwable failure = causeOf(pool.submit(BytesTask.of("fail", "bad input".getBytes(UTF_8))));
      assertThat(failure).isInstanceOf(RemoteTaskException.class).hasMessage("ValueError: bad input");
      assertThat(((RemoteTaskException) failure).remoteClassName()).isEqualTo("ValueError");
      assertThat(causeOf(pool.submit(BytesTask.of("nope", new byte[0]))))
          .hasMessageContaining("unknown operation");

      String marker = "py-marker-" + UUID.randomUUID();
      assertThat(pool.submit(BytesTask.of("echo.print", marker.getBytes(UTF_8))).get(10, SECONDS))
          .isEqualTo(marker.getBytes(UTF_8));
      Await.until(
          () -> runner(pool).recentOutput().stream().anyMatch(line -> line.contains(marker)),
          "the Python worker's print reaches the pool's log");
      assertThat(runner(pool).workerPids()).hasSize(2);

      assertThatThrownBy(() -> pool.submit(() -> 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("BytesTask");
    }
  }

  @Test
  void builder_workerCommandConflictsWithJvmOptions() {
    assertThatThrownBy(
            () ->
                ProcessPool.builder()
                    .workerCommand(List.of("python3", "w.py"))
                    .maxHeap("64m")
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("workerCommand cannot be combined with maxHeap");
  }
}

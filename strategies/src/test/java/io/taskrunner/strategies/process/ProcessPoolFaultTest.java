package io.taskrunner.strategies.process;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.google.common.util.concurrent.ListenableFuture;
import io.taskrunner.TaskRunner;
import io.taskrunner.strategies.Await;
import io.taskrunner.strategies.ProcessPool;
import io.taskrunner.strategies.RemoteTaskException;
import io.taskrunner.strategies.WorkerCrashedException;
import java.io.BufferedReader;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.NotSerializableException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults done for real against worker JVMs: SIGKILL, {@code System.exit}, OOM, hangs, cancels,
 * printing to fd 1, oversized frames, missing classes, and a parent killed with SIGKILL.
 *
 * <p>One two-worker pool is shared by the tests that leave it whole (a killed worker is replaced,
 * and each test waits for the replacement before it ends); the tests that need other settings
 * build small pools of their own.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProcessPoolFaultTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  @TempDir static Path tmp;

  private static TaskRunner pool;

  @BeforeAll
  static void startPool() {
    pool =
        ProcessPool.builder()
            .name("faults")
            .workers(2)
            .maxHeap("32m")
            .cancelGrace(Duration.ofMillis(500))
            .build();
  }

  @AfterAll
  static void closePool() {
    if (pool != null) {
      List<Long> pids = runner(pool).workerPids();
      pool.close();
      assertThat(pool.isTerminated()).isTrue();
      for (long pid : pids) {
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
            .as("worker %d after close()", pid)
            .isFalse();
      }
    }
  }

  // ---- results, exceptions, serialization ---------------------------------------------------

  @Test
  void submit_runsInAnotherProcess() throws Exception {
    long pid = pool.submit(() -> ProcessHandle.current().pid()).get();
    assertThat(pid).isNotEqualTo(ProcessHandle.current().pid());
    assertThat(runner(pool).workerPids()).contains(pid);
  }

  @Test
  void map_returnsOutputsInOrder() throws Exception {
    List<Integer> inputs = IntStream.range(0, 10_000).boxed().toList();
    List<Integer> outputs = pool.map(x -> x * 3, inputs).get();
    assertThat(outputs).isEqualTo(inputs.stream().map(x -> x * 3).toList());
  }

  @Test
  void map_packsNumbers_andKeepsNullsAndMixedTypes() throws Exception {
    List<Long> longs = java.util.stream.LongStream.range(0, 5_000).boxed().toList();
    assertThat(pool.map(x -> x * 2, longs).get())
        .isEqualTo(longs.stream().map(x -> x * 2).toList());
    List<Double> doubles = IntStream.range(0, 1_000).mapToObj(i -> i / 4.0).toList();
    assertThat(pool.map(x -> x + 0.5, doubles).get())
        .isEqualTo(doubles.stream().map(x -> x + 0.5).toList());
    List<@org.jspecify.annotations.Nullable Object> mixed = Arrays.asList(1, null, "two", 3L, 4.0);
    assertThat(pool.<@org.jspecify.annotations.Nullable Object, @org.jspecify.annotations.Nullable Object>map(x -> x, mixed).get())
        .containsExactly(1, null, "two", 3L, 4.0);
  }

  @Test
  void map_oneFailure_failsTheWholeMapWithThatException() {
    List<Integer> inputs = IntStream.range(0, 200).boxed().toList();
    Throwable failure = causeOf(pool.map(ProcessPoolFaultTest::failOn77, inputs));
    assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessage("bad 77");
  }

  @Test
  void taskException_keepsRemoteStackTraceAndCauseChain() {
    ListenableFuture<Object> future = pool.submit(ProcessPoolFaultTest::failDeep);
    Throwable failure = causeOf(future);
    assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessage("outer");
    assertThat(failure.getCause()).isInstanceOf(IOException.class).hasMessage("inner");
    assertThat(failure.getStackTrace())
        .anySatisfy(frame -> assertThat(frame.getMethodName()).isEqualTo("failDeep"));
    assertThat(failure.getStackTrace())
        .anySatisfy(frame -> assertThat(frame.getClassName()).isEqualTo(WorkerMain.class.getName()));
  }

  @Test
  void unserializableException_comesBackAsRemoteTaskException() {
    Throwable failure = causeOf(pool.submit(ProcessPoolFaultTest::failUnserializably));
    assertThat(failure).isInstanceOf(RemoteTaskException.class);
    assertThat(((RemoteTaskException) failure).remoteClassName())
        .isEqualTo(UnserializableException.class.getName());
    assertThat(failure).hasMessageContaining("holds a thread");
    assertThat(failure.getStackTrace())
        .anySatisfy(frame -> assertThat(frame.getMethodName()).isEqualTo("failUnserializably"));
  }

  @Test
  void submit_nonSerializableCapture_failsAtSubmitNamingClassAndFieldPath() {
    Holder holder = new Holder();
    long submittedBefore = pool.stats().submitted();
    assertThatThrownBy(() -> pool.submit(() -> holder.name))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.lang.Object")
        .hasMessageContaining("task[captured 0].lock");
    assertThat(pool.stats().submitted()).isEqualTo(submittedBefore);
  }

  @Test
  void resultNotSerializable_failsThatTask_workerLives() throws Exception {
    Set<Long> before = Set.copyOf(runner(pool).workerPids());
    Throwable failure = causeOf(pool.submit(() -> (Object) new Holder()));
    assertThat(failure)
        .isInstanceOf(NotSerializableException.class)
        .hasMessageContaining("java.lang.Object")
        .hasMessageContaining("result.lock");
    assertThat(pool.submit(() -> 7).get()).isEqualTo(7);
    assertAllAlive(before);
  }

  // ---- output protection ----------------------------------------------------------------------

  @Test
  void printingToSystemOutAndFd1_doesNotCorruptTheProtocol() throws Exception {
    Set<Long> before = Set.copyOf(runner(pool).workerPids());
    String marker = "marker-" + UUID.randomUUID();
    List<ListenableFuture<Integer>> futures = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      futures.add(pool.submit(() -> printEverywhere(marker)));
    }
    for (ListenableFuture<Integer> future : futures) {
      assertThat(future.get()).isEqualTo(42);
    }
    assertAllAlive(before);
    assertThat(Set.copyOf(runner(pool).workerPids())).isEqualTo(before);
    Await.until(
        () -> runner(pool).recentOutput().stream().anyMatch(line -> line.contains(marker)),
        "the worker's printed marker reaches the pool's log");
  }

  // ---- crashes --------------------------------------------------------------------------------

  @Test
  void sigkillMidTask_failsOnlyThatTask_andTheWorkerIsReplaced() throws Exception {
    awaitWorkers(pool, 2);
    String pidFile = tmp.resolve("victim-" + UUID.randomUUID()).toString();
    String goFile = tmp.resolve("go-" + UUID.randomUUID()).toString();
    ListenableFuture<Object> victim = pool.submit(() -> writePidThenSleep(pidFile));
    ListenableFuture<String> bystander = pool.submit(() -> awaitFileThenReturn(goFile, "done"));
    long victimPid = awaitPid(pidFile);

    assertThat(ProcessHandle.of(victimPid).orElseThrow().destroyForcibly()).isTrue();

    Throwable failure = causeOf(victim);
    assertThat(failure).isInstanceOf(WorkerCrashedException.class);
    WorkerCrashedException crash = (WorkerCrashedException) failure;
    assertThat(crash.pid()).hasValue(victimPid);
    assertThat(crash.signal()).hasValue(9);
    assertThat(crash).hasMessageContaining("SIGKILL");
    assertThat(bystander.isDone()).isFalse();
    Files.writeString(Path.of(goFile), "go");
    assertThat(bystander.get()).isEqualTo("done");
    awaitWorkers(pool, 2);
    assertThat(runner(pool).workerPids()).doesNotContain(victimPid);
    assertThat(pool.submit(() -> 1).get()).isEqualTo(1);
  }

  @Test
  void systemExitInTask_failsWithTheExitCode_andTheWorkerIsReplaced() throws Exception {
    awaitWorkers(pool, 2);
    Throwable failure = causeOf(pool.submit(ProcessPoolFaultTest::exitThree));
    assertThat(failure).isInstanceOf(WorkerCrashedException.class);
    assertThat(((WorkerCrashedException) failure).exitCode()).hasValue(3);
    assertThat(((WorkerCrashedException) failure).signal()).isEmpty();
    awaitWorkers(pool, 2);
    assertThat(pool.submit(() -> 2).get()).isEqualTo(2);
  }

  @Test
  void outOfMemoryInSmallHeapWorker_failsWithCrashCarryingStderr() throws Exception {
    awaitWorkers(pool, 2);
    Throwable failure = causeOf(pool.submit(ProcessPoolFaultTest::exhaustHeap));
    assertThat(failure).isInstanceOf(WorkerCrashedException.class);
    WorkerCrashedException crash = (WorkerCrashedException) failure;
    assertThat(crash.stderrTail()).anySatisfy(line -> assertThat(line).contains("OutOfMemoryError"));
    assertThat(crash.exitCode()).isPresent();
    awaitWorkers(pool, 2);
    assertThat(pool.submit(() -> 3).get()).isEqualTo(3);
  }

  // ---- cancellation ---------------------------------------------------------------------------

  @Test
  void cancelRunningTask_stopsItByMessage_workerLives() throws Exception {
    awaitWorkers(pool, 2);
    Set<Long> before = Set.copyOf(runner(pool).workerPids());
    String pidFile = tmp.resolve("cancel-" + UUID.randomUUID()).toString();
    ListenableFuture<Object> running = pool.submit(() -> writePidThenSleep(pidFile));
    long pid = awaitPid(pidFile);
    assertThat(running.cancel(true)).isTrue();
    assertThat(running.isCancelled()).isTrue();
    Await.until(() -> runner(pool).runningCount() == 0, "the cancelled task's worker answered");
    // Had the worker been killed, it would be dead before the task counted as returned.
    assertAllAlive(before);
    assertThat(runner(pool).workerPids()).contains(pid);
    assertThat(pool.submit(() -> 4).get()).isEqualTo(4);
  }

  @Test
  void cancelTaskThatIgnoresInterrupts_killsAndReplacesItsWorker() throws Exception {
    awaitWorkers(pool, 2);
    String pidFile = tmp.resolve("stubborn-" + UUID.randomUUID()).toString();
    ListenableFuture<Object> stubborn = pool.submit(() -> writePidThenSpin(pidFile));
    long pid = awaitPid(pidFile);
    assertThat(stubborn.cancel(true)).isTrue();
    Await.until(() -> runner(pool).runningCount() == 0, "the worker was killed after the grace");
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    awaitWorkers(pool, 2);
    assertThat(pool.submit(() -> 5).get()).isEqualTo(5);
  }

  // ---- pools with other settings --------------------------------------------------------------

  @Test
  void hungTaskWithTimeout_failsWithTimeout_andItsWorkerIsReplaced() throws Exception {
    try (TaskRunner limited =
        ProcessPool.builder()
            .name("timeouts")
            .workers(1)
            // Long enough for a fresh worker's first task on a loaded machine (class loading,
            // JIT): at 500 ms the follow-up task below timed out under load.
            .taskTimeout(Duration.ofMillis(2_000))
            .cancelGrace(Duration.ofMillis(300))
            .maxFrameBytes(64 * 1024)
            .build()) {
      long firstPid = runner(limited).workerPids().get(0);
      String pidFile = tmp.resolve("hung-" + UUID.randomUUID()).toString();
      Throwable failure = causeOf(limited.submit(() -> writePidThenSpin(pidFile)));
      assertThat(failure).isInstanceOf(TimeoutException.class);
      Await.until(() -> runner(limited).runningCount() == 0, "the hung worker was killed");
      assertThat(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      awaitWorkers(limited, 1);
      assertThat(limited.submit(() -> 6).get()).isEqualTo(6);

      // Frames over the limit, both ways: the task fails clearly, the worker lives.
      long pid = runner(limited).workerPids().get(0);
      assertThat(causeOf(limited.submit(() -> new byte[100_000])))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("over maxFrameBytes 65536");
      byte[] big = new byte[100_000];
      assertThatThrownBy(() -> limited.submit(() -> big.length))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("over maxFrameBytes 65536");
      assertThat(limited.submit(() -> ProcessHandle.current().pid()).get()).isEqualTo(pid);
    }
  }

  @Test
  void recycleAfterTasks_replacesTheWorker() throws Exception {
    try (TaskRunner recycling =
        ProcessPool.builder().name("recycling").workers(1).recycleAfterTasks(2).build()) {
      long first = recycling.submit(() -> ProcessHandle.current().pid()).get();
      long second = recycling.submit(() -> ProcessHandle.current().pid()).get();
      long third = recycling.submit(() -> ProcessHandle.current().pid()).get();
      assertThat(second).isEqualTo(first);
      assertThat(third).isNotEqualTo(first);
      Await.until(
          () -> !ProcessHandle.of(first).map(ProcessHandle::isAlive).orElse(false),
          "the recycled worker exits");
    }
  }

  @Test
  void recycleAboveHeap_replacesAWorkerThatLeaks() throws Exception {
    try (TaskRunner leaky =
        ProcessPool.builder()
            .name("leaky")
            .workers(1)
            .maxHeap("64m")
            .recycleAboveHeap("16m")
            .build()) {
      long first = runner(leaky).workerPids().get(0);
      long pid = first;
      for (int i = 0; i < 10 && pid == first; i++) {
        pid = leaky.submit(ProcessPoolFaultTest::leakFourMegabytes).get(20, TimeUnit.SECONDS);
      }
      assertThat(pid).as("a worker leaking 4 MB a task is replaced before 40 MB").isNotEqualTo(first);
      long leaked = first;
      Await.until(
          () -> !ProcessHandle.of(leaked).map(ProcessHandle::isAlive).orElse(false),
          "the leaking worker exits");
      assertThat(leaky.submit(() -> 10).get()).isEqualTo(10);
    }
  }

  @Test
  void classMissingInWorker_failsThatTask_workerLives() throws Exception {
    List<Path> withoutTests = new ArrayList<>();
    for (String entry : parentClassPath()) {
      if (!entry.contains("test-classes")) {
        withoutTests.add(Path.of(entry));
      }
    }
    try (TaskRunner partial =
        ProcessPool.builder().name("partial").workers(1).classPath(withoutTests).build()) {
      long pid = runner(partial).workerPids().get(0);
      Throwable failure = causeOf(partial.submit(() -> 8));
      assertThat(failure)
          .isInstanceOf(ClassNotFoundException.class)
          .hasMessageContaining(ProcessPoolFaultTest.class.getName())
          .hasMessageContaining("missing in the worker");
      assertThat(causeOf(partial.submit(() -> 9))).isInstanceOf(ClassNotFoundException.class);
      assertThat(runner(partial).workerPids()).containsExactly(pid);
      assertAllAlive(Set.of(pid));
    }
  }

  @Test
  void withoutTheShell_strayBytesOnFd1_areDetectedAsAProtocolError_neverMisread() throws Exception {
    // protectStdout off: frames share fd 1 (the fallback where /bin/sh is missing). System.out is
    // still redirected; a raw write to fd 1 corrupts the stream, and the pool must notice.
    ProcessPoolConfig defaults = ProcessPoolConfig.defaults();
    ProcessPoolConfig unprotected =
        new ProcessPoolConfig(
            defaults.jvmOptions(),
            defaults.maxHeap(),
            defaults.classPath(),
            defaults.javaCommand(),
            defaults.recycleAfterTasks(),
            defaults.recycleAboveHeapBytes(),
            defaults.maxFrameBytes(),
            defaults.startupTimeout(),
            defaults.cancelGrace(),
            defaults.maxInFlightPerWorker(),
            defaults.deserializationFilter(),
            defaults.workerCommand(),
            defaults.codec(),
            defaults.startupCache(),
            false);
    io.taskrunner.spi.RunnerSpec spec =
        new io.taskrunner.spi.RunnerSpec(
            io.taskrunner.Workload.cpuBound().isolated(),
            io.taskrunner.Strategy.PROCESS_POOL,
            "unprotected",
            1,
            16,
            null);
    try (TaskRunner bare = ProcessPoolProvider.create(spec, unprotected)) {
      String marker = "println-" + UUID.randomUUID();
      assertThat(bare.submit(() -> printToSystemOut(marker)).get()).isEqualTo(1);
      long pid = runner(bare).workerPids().get(0);
      assertThat(bare.submit(() -> 2).get()).as("System.out did not touch the protocol").isEqualTo(2);

      Throwable failure = causeOf(bare.submit(() -> writeRawToFd1("stray text on fd 1\n")));
      assertThat(failure).isInstanceOf(WorkerCrashedException.class).hasMessageContaining("protocol");
      assertThat(failure.getCause()).isInstanceOf(IOException.class).hasMessageContaining("bad magic");
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      awaitWorkers(bare, 1);
      assertThat(bare.submit(() -> 3).get()).isEqualTo(3);
    }
  }

  static int writeRawToFd1(String text) throws IOException {
    FileOutputStream fd1 = new FileOutputStream(FileDescriptor.out);
    fd1.write(text.getBytes(UTF_8));
    fd1.flush();
    return 0;
  }

  static int printToSystemOut(String marker) {
    System.out.println(marker);
    System.out.flush();
    return 1;
  }

  @Test
  void workerThatCannotStart_failsBuildWithItsStderr() {
    assertThatThrownBy(
            () ->
                ProcessPool.builder()
                    .name("broken")
                    .workers(1)
                    .jvmOptions(List.of("-XX:+NoSuchTaskrunnerOption"))
                    .build())
        .isInstanceOf(WorkerCrashedException.class)
        .hasMessageContaining("exited before it was ready")
        .satisfies(
            e ->
                assertThat(((WorkerCrashedException) e).stderrTail())
                    .anySatisfy(line -> assertThat(line).contains("NoSuchTaskrunnerOption")));
  }

  @Test
  void workersThatKeepFailingToStart_backOffThenFailLoudly() throws Exception {
    String id = UUID.randomUUID().toString();
    Path refuse = tmp.resolve("refuse-" + id);
    Path script = tmp.resolve("java-" + id + ".sh");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Files.writeString(
        script,
        "#!/bin/sh\n"
            + "if [ -e '" + refuse + "' ]; then echo 'flaky-java: refusing to start' >&2; exit 7; fi\n"
            + "exec '" + java + "' \"$@\"\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    try (TaskRunner flaky =
        ProcessPool.builder()
            .name("flaky")
            .workers(1)
            .maxInFlightPerWorker(1)
            .javaCommand(script)
            .build()) {
      assertThat(flaky.submit(() -> 1).get()).isEqualTo(1);
      Files.createFile(refuse);
      ListenableFuture<Object> exiting = flaky.submit(ProcessPoolFaultTest::exitThree);
      ListenableFuture<Integer> queued = flaky.submit(() -> 2); // waits for a worker
      assertThat(causeOf(exiting)).isInstanceOf(WorkerCrashedException.class);

      Throwable gaveUp = causeOf(queued);
      assertThat(gaveUp)
          .isInstanceOf(WorkerCrashedException.class)
          .hasMessageContaining(ProcessPoolRunner.MAX_START_FAILURES + "th worker in a row");
      assertThat(((WorkerCrashedException) gaveUp).exitCode()).hasValue(7);
      assertThat(((WorkerCrashedException) gaveUp).stderrTail())
          .anySatisfy(line -> assertThat(line).contains("refusing to start"));
      assertThatThrownBy(() -> flaky.submit(() -> 3))
          .isInstanceOf(RejectedExecutionException.class)
          .hasMessageContaining("flaky")
          .hasCauseInstanceOf(WorkerCrashedException.class);
    }
  }

  @Test
  void parentKilled_workersExit() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process owner =
        new ProcessBuilder(
                java, "-cp", String.join(File.pathSeparator, parentClassPath()), PoolOwner.class.getName())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      CompletableFuture<String> line =
          CompletableFuture.supplyAsync(
              () -> {
                try (BufferedReader reader =
                    new BufferedReader(new InputStreamReader(owner.getInputStream(), UTF_8))) {
                  for (String l = reader.readLine(); l != null; l = reader.readLine()) {
                    if (l.startsWith("PIDS ")) {
                      return l;
                    }
                  }
                  return "";
                } catch (IOException e) {
                  return "";
                }
              });
      String pidsLine = line.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      List<Long> pids =
          Arrays.stream(pidsLine.substring("PIDS ".length()).trim().split(" ", -1))
              .map(Long::parseLong)
              .toList();
      assertThat(pids).hasSize(2);
      assertAllAlive(Set.copyOf(pids));

      assertThat(owner.toHandle().destroyForcibly()).isTrue();
      assertThat(owner.waitFor(10, TimeUnit.SECONDS)).isTrue();

      // Workers see stdin end (and watch the parent's pid): they must be gone within 2 s. A loaded
      // machine gets some slack on top; the bound is still far from "never".
      Await.until(
          Duration.ofSeconds(5),
          () ->
              pids.stream()
                  .noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)),
          () -> "every worker of a SIGKILLed parent exits: " + pids);
    } finally {
      owner.destroyForcibly();
    }
  }

  // ---- task bodies (static, so that lambdas capture nothing else) ----------------------------

  static int failOn77(int x) {
    if (x == 77) {
      throw new IllegalStateException("bad " + x);
    }
    return x;
  }

  static Object failDeep() throws Exception {
    throw new IllegalStateException("outer", new IOException("inner"));
  }

  static Object failUnserializably() throws Exception {
    throw new UnserializableException();
  }

  static int printEverywhere(String marker) throws IOException {
    System.out.println(marker);
    System.out.flush();
    // Bytes that look like a frame header, written straight to file descriptor 1.
    FileOutputStream fd1 = new FileOutputStream(FileDescriptor.out);
    fd1.write(new byte[] {0x54, 0x52, (byte) Frames.VERSION, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 4, 'j', 'u', 'n', 'k'});
    fd1.write((marker + " via fd 1\n").getBytes(UTF_8));
    fd1.flush();
    return 42;
  }

  static Object writePidThenSleep(String pidFile) throws Exception {
    Files.writeString(Path.of(pidFile), Long.toString(ProcessHandle.current().pid()));
    TimeUnit.MINUTES.sleep(5); // the workload: a long task, to be killed or cancelled
    return "slept";
  }

  static Object writePidThenSpin(String pidFile) throws Exception {
    Files.writeString(Path.of(pidFile), Long.toString(ProcessHandle.current().pid()));
    long spins = 0;
    while (spins >= 0) { // ignores interrupts on purpose
      spins++;
      Thread.onSpinWait();
    }
    return spins;
  }

  static String awaitFileThenReturn(String file, String value) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.exists(Path.of(file))) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("no " + file);
      }
      TimeUnit.MILLISECONDS.sleep(10); // the workload polls for a file the test writes
    }
    return value;
  }

  /** Grows only in a worker JVM: tasks add to it and never remove. */
  static final List<byte[]> LEAK = java.util.Collections.synchronizedList(new ArrayList<>());

  @SuppressWarnings("SystemGc") // the workload: make the leak visible to the post-GC heap figure
  static long leakFourMegabytes() {
    LEAK.add(new byte[4 << 20]);
    System.gc();
    return ProcessHandle.current().pid();
  }

  static Object exitThree() {
    System.exit(3);
    return "unreachable";
  }

  static Object exhaustHeap() {
    List<long[]> hog = new ArrayList<>();
    for (long allocated = 0; allocated >= 0; allocated += 8 << 20) {
      hog.add(new long[1 << 20]);
    }
    return hog.size();
  }

  // ---- helpers --------------------------------------------------------------------------------

  static ProcessPoolRunner runner(TaskRunner runner) {
    return (ProcessPoolRunner) runner;
  }

  static Throwable causeOf(java.util.concurrent.Future<?> future) {
    try {
      future.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return java.util.Objects.requireNonNull(e.getCause(), "cause");
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("future did not fail in time: " + future, e);
    }
    throw new AssertionError("future succeeded: " + future);
  }

  static long awaitPid(String pidFile) throws Exception {
    Path path = Path.of(pidFile);
    Await.until(
        () -> {
          try {
            return Files.exists(path) && !Files.readString(path).isBlank();
          } catch (IOException e) {
            return false;
          }
        },
        "the task wrote its pid");
    return Long.parseLong(Files.readString(path).trim());
  }

  static void awaitWorkers(TaskRunner runner, int count) throws InterruptedException {
    Await.until(() -> runner(runner).workerPids().size() == count, count + " ready workers");
  }

  static void assertAllAlive(Set<Long> pids) {
    for (long pid : pids) {
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
          .as("worker %d alive", pid)
          .isTrue();
    }
  }

  static List<String> parentClassPath() {
    Set<String> entries = new LinkedHashSet<>();
    for (String property : List.of("java.class.path", "jdk.module.path")) {
      String value = System.getProperty(property);
      if (value != null) {
        for (String entry : value.split(File.pathSeparator, -1)) {
          if (!entry.isBlank()) {
            entries.add(entry);
          }
        }
      }
    }
    return new ArrayList<>(entries);
  }

  /** Serializable, but holds something that is not. */
  static final class Holder implements Serializable {
    private static final long serialVersionUID = 1L;
    final String name = "holder";
    final Object lock = new Object();
  }

  /** An exception that cannot be serialized: it holds a thread. */
  static final class UnserializableException extends Exception {
    private static final long serialVersionUID = 1L;

    @SuppressWarnings("serial")
    final Thread thread = Thread.currentThread();

    UnserializableException() {
      super("holds a thread");
    }
  }
}

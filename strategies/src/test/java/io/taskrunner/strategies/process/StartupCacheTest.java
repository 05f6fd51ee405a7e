package io.taskrunner.strategies.process;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.taskrunner.Runners;
import io.taskrunner.TaskRunner;
import io.taskrunner.Workload;
import io.taskrunner.strategies.ProcessPool;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The workers' start-up cache, through the public builder: made once by a training run, used by
 * later workers (the JVM says so in its log), never in the way when it is missing, corrupt,
 * another class path's, or impossible (directories on the class path, unsafe directory).
 *
 * <p>Tests run from {@code target/classes} directories, which the JVM does not cache; the tests
 * that need a cache give the workers the same classes as jars, as in production.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StartupCacheTest {
  @TempDir static Path tmp;

  private static List<Path> jars = List.of();

  @BeforeAll
  static void jarTheClassPath() throws IOException {
    jars = jarred(tmp.resolve("jars"));
  }

  /** The log tag of this JDK's mechanism: {@code aot} from JDK 25, {@code cds} before. */
  private static String logTag() {
    return Runtime.version().feature() >= 25 ? "aot" : "cds";
  }

  private static ProcessPool.Builder cached(String name, Path cacheDir, Path logs, List<Path> cp) {
    return cached(name, cacheDir, logs, cp, 1);
  }

  private static ProcessPool.Builder cached(
      String name, Path cacheDir, Path logs, List<Path> cp, int workers) {
    return ProcessPool.builder()
        .name(name)
        .workers(workers)
        .classPath(cp)
        .startupCacheDirectory(cacheDir)
        .jvmOptions(List.of("-Xlog:" + logTag() + "=info:file=" + logs.resolve("worker-%p.log")));
  }

  @Test
  void onJars_theFirstPoolTrainsTheCache_laterWorkersStartFromIt() throws Exception {
    Path cacheDir = tmp.resolve("used-" + UUID.randomUUID());
    Path logs = Files.createDirectories(tmp.resolve("logs-" + UUID.randomUUID()));
    Path cache;
    try (TaskRunner first = cached("trains", cacheDir, logs, jars).build()) {
      AotCache plan = runner(first).startupCache();
      assertThat(plan.enabled()).as("%s", plan).isTrue();
      cache = fileOf(plan);
      assertThat(first.submit(() -> 1).get()).isEqualTo(1);
      assertThat(plan.training().get(2, TimeUnit.MINUTES)).as("the training run made it").isTrue();
      assertThat(workerLog(logs, runner(first).workerPids().get(0)))
          .as("the pool's own workers started before the cache existed")
          .doesNotContain(String.valueOf(cache));
    }
    assertThat(cache).isNotEmptyFile();
    assertThat(leftovers(cacheDir)).as("no temporary file or log is left").isEmpty();

    try (TaskRunner later = cached("uses", cacheDir, logs, jars).build()) {
      assertThat(later.submit(() -> 2).get()).isEqualTo(2);
      String log = workerLog(logs, runner(later).workerPids().get(0));
      assertThat(log).contains("Opened").contains(String.valueOf(cache));
      assertThat(log).doesNotContain("[error");
      assertThat(runner(later).startupCache().training().get())
          .as("no second training run")
          .isFalse();
    }
  }

  @Test
  void garbageOrTruncatedCache_isRejectedByTheJvm_theWorkersStartAndRunAnyway() throws Exception {
    Path cacheDir = tmp.resolve("corrupt-" + UUID.randomUUID());
    Path logs = Files.createDirectories(tmp.resolve("logs-" + UUID.randomUUID()));
    Path cache;
    try (TaskRunner first = cached("good", cacheDir, logs, jars).build()) {
      cache = fileOf(runner(first).startupCache());
      assertThat(runner(first).startupCache().training().get(2, TimeUnit.MINUTES)).isTrue();
    }
    byte[] good = Files.readAllBytes(cache);

    byte[] garbage = new byte[1 << 20];
    new Random(42).nextBytes(garbage);
    Files.write(cache, garbage);
    try (TaskRunner pool = cached("garbage", cacheDir, logs, jars, 2).build()) {
      assertThat(pool.map(x -> x * 2, List.of(1, 2, 3)).get()).containsExactly(2, 4, 6);
      assertThat(runner(pool).recentOutput())
          .as("the JVM's complaint went to stderr, not into the protocol")
          .anyMatch(line -> line.contains("[" + logTag()));
      settle(runner(pool).startupCache(), cacheDir);
    }

    Files.write(cache, java.util.Arrays.copyOf(good, good.length / 2));
    try (TaskRunner pool = cached("truncated", cacheDir, logs, jars).build()) {
      assertThat(pool.submit(() -> "still works").get()).isEqualTo("still works");
      settle(runner(pool).startupCache(), cacheDir);
    }

    Files.write(cache, new byte[0]);
    try (TaskRunner pool = cached("empty", cacheDir, logs, jars).build()) {
      assertThat(pool.submit(() -> 3).get()).isEqualTo(3);
      settle(runner(pool).startupCache(), cacheDir);
    }
  }

  /**
   * Waits for the retraining a refused cache may have started (whether the refusal was seen by
   * HELLO depends on the stderr reader), then forgets the refusal, for the next case.
   */
  private static void settle(AotCache plan, Path cacheDir) throws Exception {
    boolean unused = plan.training().get(2, TimeUnit.MINUTES);
    try (Stream<Path> files = Files.list(cacheDir)) {
      for (Path marker : files.filter(f -> f.toString().endsWith(".refused")).toList()) {
        Files.delete(marker);
      }
    }
  }

  @Test
  void aRefusedCache_isDeletedAndRetrainedOnce_thenLeftAloneForADay() throws Exception {
    Path cacheDir = Files.createDirectories(tmp.resolve("refused-" + UUID.randomUUID()));
    ProcessPoolConfig config = configWith(cacheDir);
    List<String> jvm = ProcessPoolRunner.jvm(config, List.of());
    AotCache plan = AotCache.plan(config, jvm, cacheDir, null);
    Path cache = fileOf(plan);
    List<String> refusal =
        List.of(
            "[0.004s][warning][aot] The AOT cache has a bad magic number: 0xb277804c",
            "[0.004s][error  ][aot] An error has occurred while processing the AOT cache. Run with"
                + " -Xlog:aot for details.");

    assertThat(plan.refusedIn(List.of("[0.1s][info][gc] nothing to see"))).isFalse();
    Files.write(cache, new byte[] {1, 2, 3});
    assertThat(plan.refusedIn(List.of("unrelated line"))).isFalse();
    assertThat(cache).exists();

    assertThat(plan.refusedIn(refusal)).as("first refusal: retrain").isTrue();
    assertThat(cache).doesNotExist();
    assertThat(plan.refusedIn(refusal)).as("no file, nothing to refuse").isFalse();

    Files.write(cache, new byte[] {4, 5, 6});
    assertThat(plan.refusedIn(refusal)).as("second refusal in a day: give up").isFalse();
    assertThat(cache).doesNotExist();
    assertThat(AotCache.plan(config, jvm, cacheDir, null).reason())
        .contains("training run failed recently");
  }

  @Test
  void cacheOfAnotherClassPath_inThisOnesPlace_theWorkersStartAndRunAnyway() throws Exception {
    // The same classes as jars in another directory: another class path, hence another key.
    List<Path> elsewhere = jarred(tmp.resolve("elsewhere-" + UUID.randomUUID()));
    Path cacheDir = tmp.resolve("foreign-" + UUID.randomUUID());
    Path logs = Files.createDirectories(tmp.resolve("logs-" + UUID.randomUUID()));
    Path foreign;
    try (TaskRunner first = cached("first", cacheDir, logs, jars).build()) {
      foreign = fileOf(runner(first).startupCache());
      assertThat(runner(first).startupCache().training().get(2, TimeUnit.MINUTES)).isTrue();
    }
    Path mine;
    try (TaskRunner probe = cached("probe", cacheDir, logs, elsewhere).startupCache(true).build()) {
      mine = fileOf(runner(probe).startupCache());
      assertThat(mine).as("a class path has its own cache").isNotEqualTo(foreign);
      assertThat(runner(probe).startupCache().training().get(2, TimeUnit.MINUTES)).isTrue();
    }
    Files.copy(foreign, mine, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    try (TaskRunner pool = cached("planted", cacheDir, logs, elsewhere, 2).build()) {
      assertThat(pool.submit(() -> 4).get()).isEqualTo(4);
      assertThat(pool.map(x -> x + 1, List.of(1, 2)).get()).containsExactly(2, 3);
    }
  }

  @Test
  void aJarChanges_itGetsANewCache_theOldOneIsNeverGivenToAWorker() throws Exception {
    List<Path> own = jarred(tmp.resolve("rebuilt-" + UUID.randomUUID()));
    Path cacheDir = tmp.resolve("rebuilt-cache-" + UUID.randomUUID());
    Path logs = Files.createDirectories(tmp.resolve("logs-" + UUID.randomUUID()));
    Path old;
    try (TaskRunner first = cached("before", cacheDir, logs, own).build()) {
      old = fileOf(runner(first).startupCache());
      assertThat(runner(first).startupCache().training().get(2, TimeUnit.MINUTES)).isTrue();
    }
    // A rebuilt jar: same path, new time. (JDK 25.0.3 and earlier would accept the old cache.)
    Path rebuilt = own.get(0);
    Files.setLastModifiedTime(
        rebuilt, FileTime.fromMillis(Files.getLastModifiedTime(rebuilt).toMillis() + 2_000));
    try (TaskRunner after = cached("after", cacheDir, logs, own).build()) {
      AotCache plan = runner(after).startupCache();
      assertThat(fileOf(plan)).isNotEqualTo(old);
      assertThat(plan.useOptions()).as("not trained yet").isEmpty();
      assertThat(after.submit(() -> 5).get()).isEqualTo(5);
      assertThat(workerLog(logs, runner(after).workerPids().get(0))).doesNotContain(old.toString());
      assertThat(plan.training().get(2, TimeUnit.MINUTES)).isTrue();
      assertThat(plan.useOptions()).containsExactly(useOption(plan));

      // And a jar that changes while the pool runs: its next workers start without any cache.
      Files.setLastModifiedTime(
          rebuilt, FileTime.fromMillis(Files.getLastModifiedTime(rebuilt).toMillis() + 2_000));
      assertThat(plan.useOptions()).isEmpty();
    }
  }

  @Test
  void twoPoolsAtOnce_oneTrainingRun_oneCompleteFile() throws Exception {
    Path cacheDir = tmp.resolve("race-" + UUID.randomUUID());
    Path logs = Files.createDirectories(tmp.resolve("logs-" + UUID.randomUUID()));
    CompletableFuture<TaskRunner> a =
        CompletableFuture.supplyAsync(() -> cached("race-a", cacheDir, logs, jars).build());
    CompletableFuture<TaskRunner> b =
        CompletableFuture.supplyAsync(() -> cached("race-b", cacheDir, logs, jars).build());
    try (TaskRunner poolA = a.get(1, TimeUnit.MINUTES);
        TaskRunner poolB = b.get(1, TimeUnit.MINUTES)) {
      boolean madeByA = runner(poolA).startupCache().training().get(2, TimeUnit.MINUTES);
      boolean madeByB = runner(poolB).startupCache().training().get(2, TimeUnit.MINUTES);
      assertThat(madeByA || madeByB).isTrue();
      assertThat(poolA.submit(() -> 6).get() + poolB.submit(() -> 7).get()).isEqualTo(13);
    }
    assertThat(caches(cacheDir)).hasSize(1);
    assertThat(leftovers(cacheDir)).isEmpty();
  }

  @Test
  void forcedDynamicCds_theJdk21To24Path_trainsAndIsUsedOnThisJdk() throws Exception {
    Path cacheDir = Files.createDirectories(tmp.resolve("cds-" + UUID.randomUUID()));
    Path logs = Files.createDirectories(tmp.resolve("logs-" + UUID.randomUUID()));
    ProcessPoolConfig config = configWith(cacheDir);
    AotCache plan =
        AotCache.plan(
            config, ProcessPoolRunner.jvm(config, List.of()), cacheDir, AotCache.Kind.DYNAMIC_CDS);
    plan.trainIfMissing(
        (options, frames) -> ProcessPoolRunner.javaCommand(config, options, frames),
        config.maxFrameBytes());
    assertThat(plan.training().get(2, TimeUnit.MINUTES)).as("%s", plan).isTrue();
    assertThat(fileOf(plan)).isNotEmptyFile();
    assertThat(fileOf(plan).toString()).endsWith(".jsa");
    // The archive is handed over as the user's own option here, which turns the pool's off.
    try (TaskRunner pool =
        ProcessPool.builder()
            .name("dynamic-cds")
            .workers(1)
            .classPath(jars)
            .jvmOptions(
                List.of(
                    "-Xlog:cds=info:file=" + logs.resolve("worker-%p.log"),
                    "-XX:SharedArchiveFile=" + fileOf(plan)))
            .build()) {
      assertThat(runner(pool).startupCache().reason()).contains("-XX:SharedArchiveFile");
      assertThat(pool.submit(() -> 8).get()).isEqualTo(8);
      assertThat(workerLog(logs, runner(pool).workerPids().get(0)))
          .contains("Opened shared archive file " + fileOf(plan));
    }
  }

  @Test
  void aFailedTrainingRun_leavesItsOutput_andIsNotRetriedForADay() throws Exception {
    Path cacheDir = Files.createDirectories(tmp.resolve("failing-" + UUID.randomUUID()));
    ProcessPoolConfig config = configWith(cacheDir);
    List<String> jvm = ProcessPoolRunner.jvm(config, List.of());
    AotCache plan = AotCache.plan(config, jvm, cacheDir, null);
    plan.trainIfMissing(
        (options, frames) -> {
          List<String> broken = new ArrayList<>(ProcessPoolRunner.javaCommand(config, options, frames));
          broken.add(1, "-XX:+NoSuchTrainingOption");
          return broken;
        },
        config.maxFrameBytes());
    assertThat(plan.training().get(2, TimeUnit.MINUTES)).isFalse();
    assertThat(fileOf(plan)).doesNotExist();
    Path failed = cacheDir.resolve(fileOf(plan).getFileName().toString().replaceFirst("\\.[a-z]+$", ".failed"));
    assertThat(failed).content(UTF_8).contains("NoSuchTrainingOption");
    assertThat(leftovers(cacheDir)).containsExactly(failed);

    AotCache again = AotCache.plan(config, jvm, cacheDir, null);
    assertThat(again.reason()).contains("training run failed recently");
    assertThat(again.useOptions()).isEmpty();
  }

  @Test
  void anotherTrainerHoldsTheLock_thisOneStandsBack() throws Exception {
    Path cacheDir = Files.createDirectories(tmp.resolve("locked-" + UUID.randomUUID()));
    ProcessPoolConfig config = configWith(cacheDir);
    AotCache plan = AotCache.plan(config, ProcessPoolRunner.jvm(config, List.of()), cacheDir, null);
    String key = fileOf(plan).getFileName().toString().replaceFirst("\\.[a-z]+$", "");
    try (java.nio.channels.FileChannel channel =
            java.nio.channels.FileChannel.open(
                cacheDir.resolve(key + ".lock"),
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE);
        java.nio.channels.FileLock held = channel.lock()) {
      plan.trainIfMissing(
          (options, frames) -> ProcessPoolRunner.javaCommand(config, options, frames),
          config.maxFrameBytes());
      assertThat(plan.training().get(1, TimeUnit.MINUTES)).isFalse();
      assertThat(held.isValid()).isTrue();
    }
    assertThat(caches(cacheDir)).isEmpty();
    assertThat(leftovers(cacheDir)).isEmpty();
  }

  @Test
  void aNewCache_prunesStaleOnesAndKeepsTheMostRecentEight() throws Exception {
    Path cacheDir = Files.createDirectories(tmp.resolve("prune-" + UUID.randomUUID()));
    long now = System.currentTimeMillis();
    long day = TimeUnit.DAYS.toMillis(1);
    List<Path> old = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Path stale = cacheDir.resolve("stale-" + i + (i % 2 == 0 ? ".aot" : ".jsa"));
      Files.write(stale, new byte[] {1});
      // two are past the age limit; the others a few days old, newest first
      Files.setLastModifiedTime(stale, FileTime.fromMillis(now - (i < 2 ? 40 : i) * day));
      old.add(stale);
    }
    Path orphan = cacheDir.resolve("x.123.456.tmp");
    Files.write(orphan, new byte[] {1});
    Files.setLastModifiedTime(orphan, FileTime.fromMillis(now - 2 * day));

    ProcessPoolConfig config = configWith(cacheDir);
    AotCache plan = AotCache.plan(config, ProcessPoolRunner.jvm(config, List.of()), cacheDir, null);
    plan.trainIfMissing(
        (options, frames) -> ProcessPoolRunner.javaCommand(config, options, frames),
        config.maxFrameBytes());
    assertThat(plan.training().get(2, TimeUnit.MINUTES)).isTrue();

    assertThat(caches(cacheDir))
        .hasSize(AotCache.KEEP_FILES)
        .contains(fileOf(plan))
        .doesNotContain(old.get(0), old.get(1), old.get(9))
        .contains(old.get(2), old.get(8));
    assertThat(orphan).doesNotExist();
  }

  private static ProcessPoolConfig configWith(Path cacheDir) {
    ProcessPoolConfig defaults = ProcessPoolConfig.defaults();
    return new ProcessPoolConfig(
        List.of(),
        null,
        jars,
        null,
        0,
        0L,
        defaults.maxFrameBytes(),
        defaults.startupTimeout(),
        defaults.cancelGrace(),
        defaults.maxInFlightPerWorker(),
        "",
        null,
        null,
        cacheDir,
        true);
  }

  @Test
  void classPathWithDirectories_cacheSkipped_poolStartsAsUsual() throws Exception {
    Path cacheDir = tmp.resolve("dirs-" + UUID.randomUUID());
    try (TaskRunner pool =
        ProcessPool.builder().name("dirs").workers(1).startupCacheDirectory(cacheDir).build()) {
      AotCache plan = runner(pool).startupCache();
      assertThat(plan.enabled()).isFalse();
      assertThat(plan.reason()).contains("non-empty directory");
      assertThat(plan.training().get()).isFalse();
      assertThat(pool.submit(() -> 9).get()).isEqualTo(9);
    }
  }

  @Test
  void directoryWritableByOthers_isRefused_poolStartsAsUsual() throws Exception {
    Path cacheDir = Files.createDirectories(tmp.resolve("open-" + UUID.randomUUID()));
    assumeTrue(cacheDir.getFileSystem().supportedFileAttributeViews().contains("posix"));
    Files.setPosixFilePermissions(cacheDir, PosixFilePermissions.fromString("rwxrwxrwx"));
    try (TaskRunner pool =
        ProcessPool.builder()
            .name("open")
            .workers(1)
            .classPath(jars)
            .startupCacheDirectory(cacheDir)
            .build()) {
      assertThat(runner(pool).startupCache().reason()).contains("can be written by other users");
      assertThat(pool.submit(() -> 10).get()).isEqualTo(10);
    }
    assertThat(caches(cacheDir)).isEmpty();
  }

  @Test
  void offByOption_noCacheAndNoTraining() throws Exception {
    try (TaskRunner pool =
        ProcessPool.builder().name("off").workers(1).classPath(jars).startupCache(false).build()) {
      assertThat(runner(pool).startupCache().reason()).isEqualTo("turned off");
      assertThat(pool.submit(() -> 11).get()).isEqualTo(11);
    }
  }

  @Test
  void forWorkload_isolated_hasTheCacheOnInTheDefaultDirectory() throws Exception {
    assertThat(ProcessPoolConfig.defaults().startupCache()).isEqualTo(AotCache.defaultDirectory());
    assertThat(AotCache.defaultDirectory().getFileName().toString()).startsWith("taskrunner-aot-");
    try (TaskRunner pool = Runners.forWorkload(Workload.cpuBound().isolated().maxConcurrency(1))) {
      // Tests run from class directories, which the JVM does not cache: skipped, not failed.
      assertThat(runner(pool).startupCache().reason()).contains("non-empty directory");
      assertThat(pool.submit(() -> 12).get()).isEqualTo(12);
    }
  }

  @Test
  void jdkVersions_pickTheMechanism() {
    assertThat(AotCache.Kind.forFeature(AotCache.feature("25.0.3+9-LTS")))
        .isEqualTo(AotCache.Kind.AOT_CACHE);
    assertThat(AotCache.Kind.forFeature(AotCache.feature("24.0.2")))
        .isEqualTo(AotCache.Kind.DYNAMIC_CDS);
    assertThat(AotCache.Kind.forFeature(AotCache.feature("21"))).isEqualTo(AotCache.Kind.DYNAMIC_CDS);
    assertThat(AotCache.Kind.forFeature(AotCache.feature("17.0.9"))).isNull();
    assertThat(AotCache.Kind.forFeature(AotCache.feature("1.8.0_392"))).isNull();
    assertThat(AotCache.Kind.forFeature(AotCache.feature("unknown"))).isNull();
    assertThat(AotCache.hash("a")).hasSize(32).isNotEqualTo(AotCache.hash("b"));
  }

  @Test
  void builder_conflictsAndRepeats_areRefused() {
    assertThatThrownBy(
            () -> ProcessPool.builder().startupCache(false).startupCacheDirectory(tmp).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("startupCacheDirectory cannot be combined with startupCache(false)");
    assertThatThrownBy(() -> ProcessPool.builder().startupCache(true).startupCache(false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("startupCache was already set to true");
    assertThatThrownBy(
            () ->
                ProcessPool.builder()
                    .workerCommand(List.of("python3", "worker.py"))
                    .startupCache(true)
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("workerCommand cannot be combined with startupCache");
    assertThatThrownBy(() -> ProcessPool.builder().startupCacheDirectory(tmp).startupCacheDirectory(tmp))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("startupCacheDirectory was already set to ");
  }

  @Test
  void userCacheOptions_leaveClassDataSharingToTheUser() throws Exception {
    try (TaskRunner pool =
        ProcessPool.builder()
            .name("user-cds")
            .workers(1)
            .classPath(jars)
            .startupCacheDirectory(tmp.resolve("user-" + UUID.randomUUID()))
            .jvmOptions(List.of("-Xshare:auto"))
            .build()) {
      assertThat(runner(pool).startupCache().reason()).contains("-Xshare:auto");
      assertThat(pool.submit(() -> 13).get()).isEqualTo(13);
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  private static Path fileOf(AotCache plan) {
    Path file = plan.file();
    assertThat(file).as("%s", plan).isNotNull();
    return java.util.Objects.requireNonNull(file);
  }

  private static String useOption(AotCache plan) {
    AotCache.Kind kind = java.util.Objects.requireNonNull(plan.kind());
    return kind.useOption + fileOf(plan);
  }

  static ProcessPoolRunner runner(TaskRunner runner) {
    return (ProcessPoolRunner) runner;
  }

  private static String workerLog(Path logs, long pid) throws IOException {
    Path log = logs.resolve("worker-" + pid + ".log");
    return Files.exists(log) ? Files.readString(log, UTF_8) : "";
  }

  private static List<Path> caches(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(f -> f.toString().endsWith(".aot") || f.toString().endsWith(".jsa"))
          .toList();
    }
  }

  /** Files a training run must not leave behind: its temporary cache, log, configuration. */
  private static List<Path> leftovers(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(
              f -> {
                String name = f.getFileName().toString();
                return name.endsWith(".tmp")
                    || name.endsWith(".log")
                    || name.endsWith(".config")
                    || name.endsWith(".failed");
              })
          .toList();
    }
  }

  /** The parent's class path with every directory turned into a jar, under {@code dir}. */
  private static List<Path> jarred(Path dir) throws IOException {
    Files.createDirectories(dir);
    List<Path> result = new ArrayList<>();
    for (String entry : ProcessPoolFaultTest.parentClassPath()) {
      Path path = Path.of(entry);
      result.add(Files.isDirectory(path) ? jarOf(path, dir) : copyOf(path, dir));
    }
    return result;
  }

  private static Path copyOf(Path jar, Path dir) throws IOException {
    Path copy = dir.resolve(UUID.randomUUID() + "-" + jar.getFileName());
    Files.copy(jar, copy);
    return copy;
  }

  private static Path jarOf(Path directory, Path dir) throws IOException {
    Path jar = dir.resolve("cp-" + UUID.randomUUID() + ".jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
        Stream<Path> files = Files.walk(directory)) {
      files
          .filter(Files::isRegularFile)
          .forEach(
              file -> {
                String name = directory.relativize(file).toString().replace(File.separatorChar, '/');
                if (name.equals("module-info.class")) {
                  return; // workers run on the class path
                }
                try {
                  out.putNextEntry(new JarEntry(name));
                  Files.copy(file, out);
                  out.closeEntry();
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
    return jar;
  }
}

package io.taskrunner.strategies.process;

import io.taskrunner.Task;
import io.taskrunner.strategies.internal.Timeouts;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The workers' start-up cache: an AOT cache (JDK 25 and later, JEP 483/514) or a dynamic
 * class-data-sharing archive (JDK 21 to 24), created once per JDK, class path and worker options
 * by a training run, then mapped by every worker started with the same command.
 *
 * <p>Design: a pool computes a <em>key</em>, a hash of everything the cache depends on: the
 * {@code java} launcher (real path, version, and the size and time of its {@code lib/modules}),
 * the worker's JVM options, the {@code JAVA_TOOL_OPTIONS}-style environment variables, the main
 * class, and every class-path entry with its size and modification time. The cache is the file
 * {@code <key>.aot} (or {@code .jsa}) in the cache directory. Keying on the jars' stamps is not
 * only tidiness: JDK 25.0.3 and earlier accept an AOT cache after a jar changed (JDK-8377932) and
 * would run the <em>old</em> classes; a changed jar here means a new key, so the old file is
 * never given to a worker. For the same reason each launch re-checks the stamps, so a jar replaced
 * while a pool runs starts its next workers without the cache.
 *
 * <p>Creation: when the file is missing, the first pool that needs it starts, once its own
 * workers are ready, one training run in the background: the worker command with {@code
 * -XX:AOTCacheOutput} (or {@code -XX:ArchiveClassesAtExit}) writing to a private temporary file,
 * at low CPU priority ({@code nice}), which says HELLO, runs one sample task and is then told to
 * exit; the JVM writes the cache as it exits, and the file is moved into place atomically (by the
 * launching shell, so it completes even if this JVM has exited meanwhile). The pool's own workers
 * never record anything, so their start and exit cost nothing extra; replacement workers and later
 * pools use the cache once it exists.
 *
 * <p>Concurrency: in this JVM one training run per file at a time (a set of paths); across JVMs a
 * file lock on {@code <key>.lock}, held for the run. Both are only economies: readers only ever
 * see a complete file, because it appears by an atomic rename, so two runs that race just
 * replace one complete file with another.
 *
 * <p>Failure: a cache can only make start-up faster, never change what runs. Where it cannot be
 * used it is skipped with a debug log and the pool starts as usual: a class path with a non-empty
 * directory (the JVM archives classes from jars only), a JDK older than 21 or of unknown version,
 * cache options among the user's JVM options, a cache directory that cannot be created or that
 * others can write (or, for the default one, owned by another user: a planted cache would run
 * code in the workers). A cache the JVM rejects (corrupt, truncated, another JDK) makes it print
 * a warning on the worker's stderr, which the pool logs, and start without it; the pool then
 * deletes the file so that a training run replaces it, once a day at most ({@link #refusedIn}).
 * A training run that fails leaves a {@code <key>.failed} file with its output, and the key is not
 * tried again for a day. Files not used for {@value #MAX_AGE_DAYS} days, and all but the {@value
 * #KEEP_FILES} most recently used caches, are deleted after each successful training run.
 */
final class AotCache {
  private static final System.Logger LOG = System.getLogger(ProcessPoolRunner.class.getName());

  static final int KEEP_FILES = 8;
  static final int MAX_AGE_DAYS = 30;
  private static final Duration RETRY_FAILED_AFTER = Duration.ofDays(1);
  private static final Duration TRAINING_TIMEOUT = Duration.ofMinutes(2);
  /** The cache files being trained by this JVM. */
  private static final Set<String> TRAINING = ConcurrentHashMap.newKeySet();
  private static final AtomicBoolean WARNED_INSECURE = new AtomicBoolean();

  /** The options that would fight ours: with one of them, the pool leaves CDS to the user. */
  private static final List<String> USER_CACHE_OPTIONS =
      List.of(
          "-Xshare",
          "-XX:SharedArchiveFile",
          "-XX:ArchiveClassesAtExit",
          "-XX:+AutoCreateSharedArchive",
          "-XX:AOTCache",
          "-XX:AOTCacheOutput",
          "-XX:AOTConfiguration",
          "-XX:AOTMode",
          "-XX:SharedClassListFile",
          "-XX:DumpLoadedClassList");

  /** The two mechanisms, by JDK. */
  enum Kind {
    /** JDK 25 and later: {@code -XX:AOTCacheOutput} records and creates in one run. */
    AOT_CACHE(".aot", "-XX:AOTCache=", "-XX:AOTCacheOutput="),
    /** JDK 21 to 24: a dynamic archive on top of the JDK's default CDS archive. */
    DYNAMIC_CDS(".jsa", "-XX:SharedArchiveFile=", "-XX:ArchiveClassesAtExit=");

    final String suffix;
    final String useOption;
    final String recordOption;

    Kind(String suffix, String useOption, String recordOption) {
      this.suffix = suffix;
      this.useOption = useOption;
      this.recordOption = recordOption;
    }

    static @Nullable Kind forFeature(int feature) {
      return feature >= 25 ? AOT_CACHE : feature >= 21 ? DYNAMIC_CDS : null;
    }
  }

  /**
   * A class-path entry's identity when the key was computed. (A record, but its equality and text
   * are written out: the generated ones bootstrap through {@code invokedynamic}, a few
   * milliseconds in a cold JVM.)
   */
  private record Stamp(Path path, long size, long modifiedNanos) {
    boolean sameAs(Stamp other) {
      return size == other.size && modifiedNanos == other.modifiedNanos && path.equals(other.path);
    }

    StringBuilder appendTo(StringBuilder text) {
      return text.append(path).append('|').append(size).append('|').append(modifiedNanos);
    }

    static Stamp of(Path path) {
      try {
        if (!Files.exists(path)) {
          return new Stamp(path, -1, -1);
        }
        long nanos = Files.getLastModifiedTime(path).to(TimeUnit.NANOSECONDS);
        return new Stamp(path, Files.isDirectory(path) ? -2 : Files.size(path), nanos);
      } catch (IOException e) {
        return new Stamp(path, -3, -3);
      }
    }
  }

  private final @Nullable Kind kind;
  private final @Nullable Path file;
  private final String key;
  private final String reason;
  private final boolean writable;
  private final List<Stamp> stamps;
  private final AtomicBoolean warnedChanged = new AtomicBoolean();
  private volatile @Nullable CompletableFuture<Boolean> training; // created when a run starts

  private AotCache(
      @Nullable Kind kind,
      @Nullable Path file,
      String key,
      String reason,
      boolean writable,
      List<Stamp> stamps) {
    this.kind = kind;
    this.file = file;
    this.key = key;
    this.reason = reason;
    this.writable = writable;
    this.stamps = stamps;
  }

  private static AotCache off(String reason) {
    LOG.log(Level.DEBUG, "worker start-up cache off: {0}", reason);
    return new AotCache(null, null, "", reason, false, List.of());
  }

  /** The default cache directory: {@code ${java.io.tmpdir}/taskrunner-aot-<user>}. */
  static Path defaultDirectory() {
    String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
    return Path.of(System.getProperty("java.io.tmpdir"), "taskrunner-aot-" + user);
  }

  /**
   * Decides whether and where the workers of a pool with this configuration get a start-up cache.
   * Never throws: anything in the way turns the cache off, with the reason.
   *
   * @param jvm the worker command without the cache options: launcher, JVM options, {@code -cp},
   *     class path, main class
   */
  static AotCache plan(ProcessPoolConfig config, List<String> jvm) {
    Path directory = config.startupCache();
    if (directory == null) {
      return off("turned off");
    }
    if (config.workerCommand() != null) {
      return off("the workers are not this library's JVM workers");
    }
    try {
      return plan(config, jvm, directory, null);
    } catch (IOException | RuntimeException e) {
      return off("unexpected failure while planning it: " + e);
    }
  }

  /** As {@link #plan(ProcessPoolConfig, List)}, with the JDK's version given (for tests). */
  static AotCache plan(
      ProcessPoolConfig config, List<String> jvm, Path directory, @Nullable Kind forced)
      throws IOException {
    for (String option : jvm.subList(1, jvm.size())) {
      for (String cacheOption : USER_CACHE_OPTIONS) {
        if (option.startsWith(cacheOption)) {
          return off("the JVM options already set " + option);
        }
      }
    }
    Path launcher = Path.of(jvm.get(0));
    String version = javaVersion(launcher);
    if (version == null) {
      return off("the version of " + launcher + " is unknown (no release file next to it)");
    }
    Kind kind = forced != null ? forced : Kind.forFeature(feature(version));
    if (kind == null) {
      return off("JDK " + version + " has no dynamic class-data sharing");
    }
    int cp = jvm.indexOf("-cp");
    if (cp < 0 || cp + 1 >= jvm.size()) {
      return off("the worker command has no class path");
    }
    List<Stamp> stamps = new ArrayList<>();
    for (String entry : jvm.get(cp + 1).split(File.pathSeparator, -1)) {
      if (entry.isEmpty()) {
        continue;
      }
      if (entry.contains("*")) {
        return off("the class path has a wildcard entry (" + entry + ")");
      }
      Path path = Path.of(entry);
      if (Files.isDirectory(path)) {
        try (Stream<Path> children = Files.list(path)) {
          if (children.findAny().isPresent()) {
            return off(
                "the class path has a non-empty directory ("
                    + entry
                    + "): the JVM caches classes from jars only");
          }
        }
      }
      stamps.add(Stamp.of(path));
    }

    // The key: everything the JVM checks, and what it forgets to check (JDK-8377932).
    StringBuilder text = new StringBuilder("taskrunner-aot-1\n").append(kind).append('\n');
    Path realLauncher = launcher.toRealPath();
    text.append(realLauncher).append('\n').append(version).append('\n');
    Stamp.of(javaHome(realLauncher).resolve("lib").resolve("modules")).appendTo(text).append('\n');
    for (String variable : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS")) {
      text.append(variable).append('=').append(System.getenv(variable)).append('\n');
    }
    for (int i = 1; i < jvm.size(); i++) {
      if (i != cp + 1) {
        text.append(jvm.get(i)).append('\n');
      }
    }
    for (Stamp stamp : stamps) {
      stamp.appendTo(text).append('\n');
    }
    String key = hash(text.toString());

    boolean isDefault = directory.equals(defaultDirectory());
    String unsafe = prepareDirectory(directory, isDefault);
    if (unsafe != null) {
      if (WARNED_INSECURE.compareAndSet(false, true)) {
        LOG.log(Level.WARNING, "worker start-up cache off: {0}", unsafe);
      }
      return off(unsafe);
    }
    Path file = directory.resolve(key + kind.suffix);
    Path failed = directory.resolve(key + ".failed");
    if (Files.exists(failed)
        && Files.getLastModifiedTime(failed).toInstant().isAfter(Instant.now().minus(RETRY_FAILED_AFTER))) {
      return new AotCache(
          kind, file, key, "its training run failed recently (see " + failed + ")", false, stamps);
    }
    if (Files.isRegularFile(file)) {
      touch(file);
    }
    return new AotCache(kind, file, key, "", Files.isWritable(directory), stamps);
  }

  /**
   * Creates the directory if missing (private to this user on POSIX) and returns why it must not
   * be used, or {@code null} if it may.
   */
  private static @Nullable String prepareDirectory(Path directory, boolean isDefault)
      throws IOException {
    boolean posix = directory.getFileSystem().supportedFileAttributeViews().contains("posix");
    if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
      if (Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
        if (isDefault || !Files.isDirectory(directory)) {
          return directory + " exists and is not a directory";
        }
      } else {
        Path parent = directory.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        try {
          if (posix) {
            Files.createDirectory(
                directory,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
          } else {
            Files.createDirectory(directory);
          }
        } catch (java.nio.file.FileAlreadyExistsException e) {
          // created meanwhile by another pool or JVM: checked below like any existing one
        }
      }
    }
    if (!posix) {
      return null;
    }
    PosixFileAttributes attributes =
        Files.getFileAttributeView(directory, PosixFileAttributeView.class).readAttributes();
    Set<PosixFilePermission> permissions = attributes.permissions();
    if (permissions.contains(PosixFilePermission.GROUP_WRITE)
        || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
      return directory
          + " can be written by other users ("
          + PosixFilePermissions.toString(permissions)
          + "), who could plant a cache that runs their code in the workers";
    }
    if (isDefault) {
      UserPrincipal me =
          directory
              .getFileSystem()
              .getUserPrincipalLookupService()
              .lookupPrincipalByName(System.getProperty("user.name"));
      if (!attributes.owner().equals(me)) {
        return directory + " belongs to " + attributes.owner().getName() + ", not to " + me.getName();
      }
    }
    return null;
  }

  /** Marks a used cache as recently used, at most once a day, for the pruning. */
  private static void touch(Path file) {
    try {
      Instant now = Instant.now();
      if (Files.getLastModifiedTime(file).toInstant().isBefore(now.minus(Duration.ofDays(1)))) {
        Files.setLastModifiedTime(file, FileTime.from(now));
      }
    } catch (IOException e) {
      // a read-only cache directory: fine
    }
  }

  /**
   * The JDK version of {@code launcher}, as text ({@code 25.0.3+9-LTS}): this JVM's, or read from
   * the {@code release} file of its JDK; {@code null} if unknown. (Text, not {@link
   * Runtime.Version}, whose parsing and printing cost milliseconds in a cold JVM.)
   */
  static @Nullable String javaVersion(Path launcher) {
    try {
      Path running = Path.of(System.getProperty("java.home"), "bin", "java");
      Path real = launcher.toRealPath();
      if (Files.exists(running) && real.equals(running.toRealPath())) {
        return System.getProperty("java.runtime.version", Integer.toString(Runtime.version().feature()));
      }
      Path release = javaHome(real).resolve("release");
      for (String line : Files.readAllLines(release, StandardCharsets.UTF_8)) {
        if (line.startsWith("JAVA_VERSION=")) {
          return line.substring("JAVA_VERSION=".length()).replace("\"", "").strip();
        }
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The feature release of a version text ({@code 25} of {@code 25.0.3+9}), or 0. */
  static int feature(String version) {
    int end = 0;
    while (end < version.length() && end < 9 && Character.isDigit(version.charAt(end))) {
      end++;
    }
    return end == 0 ? 0 : Integer.parseInt(version.substring(0, end));
  }

  /** {@code <home>} of {@code <home>/bin/java}. */
  private static Path javaHome(Path realLauncher) throws IOException {
    Path bin = realLauncher.getParent();
    Path home = bin == null ? null : bin.getParent();
    if (home == null) {
      throw new IOException("no Java home above " + realLauncher);
    }
    return home;
  }

  /**
   * A 128-bit hash of the key text, as 32 hex digits: two 64-bit FNV-1a hashes with different
   * seeds, each finished with MurmurHash3's mixer. Not {@code MessageDigest}: its first use costs
   * 30-80 ms in a fresh JVM, more than the cache saves a cold pool. A collision is harmless
   * beyond a slower start: the JVM validates what it can of the cache it is given.
   */
  static String hash(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    long a = 0xcbf29ce484222325L;
    long b = 0x84222325cbf29ce4L;
    for (byte x : bytes) {
      a = (a ^ (x & 0xff)) * 0x100000001b3L;
      b = (b ^ (x & 0xff)) * 0x100000001b3L;
      b = Long.rotateLeft(b, 31);
    }
    return HexFormat.of().toHexDigits(mix(a)) + HexFormat.of().toHexDigits(mix(b ^ bytes.length));
  }

  private static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  // ---- use ------------------------------------------------------------------------------------

  /** Whether workers of this pool may get the cache (now or once it is trained). */
  boolean enabled() {
    return kind != null && reason.isEmpty();
  }

  /** Why the cache is not used, or empty. */
  String reason() {
    return reason;
  }

  /** The cache file, whether or not it exists yet; {@code null} when off. */
  @Nullable Path file() {
    return file;
  }

  @Nullable Kind kind() {
    return kind;
  }

  /**
   * The JVM options for a worker launched now: the cache's, if it exists and no class-path entry
   * changed since the key was computed, else none. Cheap: one {@code stat} per entry.
   */
  List<String> useOptions() {
    Kind k = kind;
    Path f = file;
    if (k == null || f == null || !reason.isEmpty() || !Files.isRegularFile(f)) {
      return List.of();
    }
    for (Stamp stamp : stamps) {
      if (!Stamp.of(stamp.path()).sameAs(stamp)) {
        if (warnedChanged.compareAndSet(false, true)) {
          LOG.log(
              Level.DEBUG,
              "worker start-up cache not used: {0} changed since the pool started",
              stamp.path());
        }
        return List.of();
      }
    }
    return List.of(k.useOption + f.toAbsolutePath());
  }

  /**
   * Looks at a ready worker's first stderr lines for the JVM's refusal of the cache (a corrupt or
   * truncated file: the JVM started without it). A refused cache is deleted so that a training run
   * replaces it, once: a second refusal within a day (recorded by {@code <key>.refused}) means the
   * JVM refuses even a fresh one, and a {@code <key>.failed} file with the lines stops retraining
   * for a day.
   *
   * @return whether the cache was refused, removed, and should be trained again
   */
  synchronized boolean refusedIn(List<String> stderr) { // one worker's report at a time
    Path f = file;
    if (kind == null || f == null || !reason.isEmpty() || !Files.isRegularFile(f)) {
      return false;
    }
    List<String> complaints = new ArrayList<>();
    for (String line : stderr) {
      if (line.contains("An error has occurred while processing the")
          || line.contains("Unable to use shared archive")) {
        complaints.add(line);
      }
    }
    if (complaints.isEmpty()) {
      return false;
    }
    try {
      Path refused = f.resolveSibling(key + ".refused");
      boolean again =
          Files.exists(refused)
              && Files.getLastModifiedTime(refused).toInstant().isAfter(Instant.now().minus(RETRY_FAILED_AFTER));
      Files.deleteIfExists(f);
      if (writable) {
        Files.write(again ? f.resolveSibling(key + ".failed") : refused, complaints, StandardCharsets.UTF_8);
      }
      LOG.log(
          Level.INFO,
          "worker start-up cache {0} was refused by the JVM ({1}); {2}",
          f,
          complaints.get(0),
          again ? "refused twice in a day: not recreating it for a day" : "recreating it");
      return !again;
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "worker start-up cache {0} refused and not removable: {1}", f, e);
      return false;
    }
  }

  // ---- training -------------------------------------------------------------------------------

  /** Builds the unwrapped worker command with extra JVM options, for the given frame stream. */
  @FunctionalInterface
  interface CommandBuilder {
    List<String> command(List<String> extraOptions, String frames);
  }

  /** Completes with {@code true} when the latest training run this pool started made the cache. */
  CompletableFuture<Boolean> training() {
    CompletableFuture<Boolean> run = training;
    return run != null ? run : CompletableFuture.completedFuture(false);
  }

  /**
   * Starts a training run on a daemon thread if the cache is enabled, missing, and no run for it
   * is under way in this JVM or (by the lock file) another one.
   */
  void trainIfMissing(CommandBuilder builder, int maxFrameBytes) {
    Kind k = kind;
    Path f = file;
    if (k == null
        || f == null
        || !reason.isEmpty()
        || !writable
        || Files.isRegularFile(f)
        || Files.exists(f.resolveSibling(key + ".failed"))) {
      return;
    }
    String path = f.toAbsolutePath().toString();
    if (!TRAINING.add(path)) {
      return;
    }
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    training = done;
    Thread thread =
        new Thread(
            () -> {
              boolean made = false;
              try {
                made = train(k, f, builder, maxFrameBytes);
              } catch (IOException | RuntimeException e) {
                LOG.log(Level.DEBUG, "worker start-up cache: training failed: {0}", e.toString());
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                TRAINING.remove(path);
                done.complete(made);
              }
            },
            "taskrunner-startup-cache-training");
    thread.setDaemon(true);
    thread.start();
  }

  private boolean train(Kind k, Path f, CommandBuilder builder, int maxFrameBytes)
      throws IOException, InterruptedException {
    Path directory = Objects.requireNonNull(f.toAbsolutePath().getParent(), "cache directory");
    Path lockFile = directory.resolve(key + ".lock");
    try (FileChannel channel =
            FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = tryLock(channel)) {
      if (lock == null || Files.isRegularFile(f)) {
        return Files.isRegularFile(f); // another JVM is training, or has just finished
      }
      String unique = key + "." + ProcessHandle.current().pid() + "." + System.nanoTime();
      Path tmp = directory.resolve(unique + ".tmp");
      Path log = directory.resolve(unique + ".log");
      try {
        boolean viaShell = Files.isExecutable(Path.of("/bin/sh"));
        List<String> java = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/nice"))) {
          java.addAll(List.of("/usr/bin/nice", "-n", "10")); // use idle CPU, not the app's
        }
        java.addAll(
            builder.command(
                List.of(k.recordOption + tmp.toAbsolutePath()), viaShell ? "fd3" : "stdout"));
        List<String> command = new ArrayList<>();
        if (viaShell) {
          // The shell moves frames to fd 3 and stdout to stderr, as for workers, and renames the
          // finished cache into place (and drops the run's log) even if this JVM is gone by then.
          // If this JVM exits before the sample task ran, the worker sees its stdin end and the
          // cache holds start-up only: thinner, but a short-lived program that never lives through
          // a whole training run still gets one, instead of paying for a discarded run each time.
          command.addAll(
              List.of(
                  "/bin/sh",
                  "-c",
                  "t=$1; f=$2; l=$3; shift 3;"
                      + " \"$@\" 3>&1 1>&2 && [ -s \"$t\" ] && mv -f \"$t\" \"$f\""
                      + " && rm -f \"$l\"",
                  "taskrunner-aot-training",
                  tmp.toAbsolutePath().toString(),
                  f.toAbsolutePath().toString(),
                  log.toAbsolutePath().toString()));
        }
        command.addAll(java);
        long started = System.nanoTime();
        Process process =
            new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.to(log.toFile()))
                .start();
        int exit;
        // A run that hangs (no HELLO, no exit) is killed, the JVM under the shell included; reading
        // its output then ends too.
        ScheduledFuture<?> deadline =
            Timeouts.schedule(() -> killTree(process), TRAINING_TIMEOUT.toNanos());
        try {
          exerciseWorker(process, maxFrameBytes);
          process.waitFor();
          exit = process.exitValue();
        } finally {
          deadline.cancel(false);
          if (process.isAlive()) {
            killTree(process); // interrupted
          }
        }
        if (!viaShell && exit == 0 && Files.size(tmp) > 0) {
          try {
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
          } catch (AtomicMoveNotSupportedException e) {
            LOG.log(
                Level.DEBUG, "worker start-up cache: {0} cannot be renamed atomically", directory);
          }
        }
        boolean made = exit == 0 && Files.isRegularFile(f);
        if (made) {
          LOG.log(
              Level.DEBUG,
              "worker start-up cache {0} created in {1} ms",
              f,
              TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
          Files.deleteIfExists(log);
          Files.deleteIfExists(directory.resolve(key + ".failed"));
          prune(directory);
        } else {
          // The marker that keeps this key from retraining for a day, with the run's output if the
          // shell did not remove it already (it does once the cache is in place, which the exit
          // code may contradict).
          Path failed = directory.resolve(key + ".failed");
          if (Files.exists(log)) {
            Files.move(log, failed, StandardCopyOption.REPLACE_EXISTING);
          } else {
            Files.writeString(failed, "training run exited with " + exit + "\n");
          }
          LOG.log(
              Level.DEBUG,
              "worker start-up cache: the training run exited with {0} and made no cache; see {1}",
              exit,
              failed);
        }
        return made;
      } finally {
        try {
          Files.deleteIfExists(tmp); // whatever happened, never leave a half-written cache
        } catch (IOException e) {
          LOG.log(Level.DEBUG, "worker start-up cache: cannot delete {0}: {1}", tmp, e.toString());
        }
      }
    }
  }

  private static void killTree(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  private static @Nullable FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException e) {
      return null;
    }
  }

  /** Says HELLO, runs one sample task and closes the worker's stdin, so that it exits. */
  private static void exerciseWorker(Process process, int maxFrameBytes) throws IOException {
    try (InputStream stdout = process.getInputStream();
        DataOutputStream toWorker =
            new DataOutputStream(new BufferedOutputStream(process.getOutputStream()))) {
      DataInputStream fromWorker = new DataInputStream(new BufferedInputStream(stdout));
      Frames.Frame hello = Frames.read(fromWorker, maxFrameBytes);
      if (hello == null || hello.type() != Frames.HELLO) {
        return;
      }
      Frames.write(toWorker, Frames.REQUEST, 1, Codec.encode(sampleTask()));
      toWorker.flush();
      Frames.Frame unused = Frames.read(fromWorker, maxFrameBytes);
    }
  }

  /** A task that goes through what a first task does: a lambda, deserialized, and a reply. */
  static Task<String> sampleTask() {
    return () -> String.join(",", List.of("taskrunner", "startup", "cache"));
  }

  /** Deletes stale temporary files and caches beyond the most recent {@value #KEEP_FILES}. */
  private static void prune(Path directory) {
    Instant now = Instant.now();
    List<Path> caches = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
      for (Path path : files) {
        String name = path.getFileName().toString();
        Instant modified = Files.getLastModifiedTime(path).toInstant();
        if (name.endsWith(".aot") || name.endsWith(".jsa")) {
          if (modified.isBefore(now.minus(Duration.ofDays(MAX_AGE_DAYS)))) {
            Files.deleteIfExists(path);
          } else {
            caches.add(path);
          }
        } else if ((name.endsWith(".tmp") || name.endsWith(".log") || name.endsWith(".config"))
            && modified.isBefore(now.minus(Duration.ofDays(1)))) {
          Files.deleteIfExists(path);
        } else if ((name.endsWith(".lock") || name.endsWith(".failed") || name.endsWith(".refused"))
            && modified.isBefore(now.minus(Duration.ofDays(MAX_AGE_DAYS)))) {
          Files.deleteIfExists(path);
        }
      }
      caches.sort(Comparator.comparing(AotCache::modified).reversed());
      for (Path old : caches.subList(Math.min(KEEP_FILES, caches.size()), caches.size())) {
        Files.deleteIfExists(old);
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.DEBUG, "worker start-up cache: pruning {0} failed: {1}", directory, e.toString());
    }
  }

  private static FileTime modified(Path path) {
    try {
      return Files.getLastModifiedTime(path);
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }

  @Override
  public String toString() {
    return String.format(
        Locale.US,
        "AotCache[%s]",
        enabled() ? kind + " " + file : "off: " + reason);
  }
}

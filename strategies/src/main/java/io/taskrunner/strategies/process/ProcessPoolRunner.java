package io.taskrunner.strategies.process;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.errorprone.annotations.CanIgnoreReturnValue;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.taskrunner.Task;
import io.taskrunner.TaskFunction;
import io.taskrunner.spi.RunnerSpec;
import io.taskrunner.strategies.PayloadCodec;
import io.taskrunner.strategies.WorkerCrashedException;
import io.taskrunner.strategies.internal.AbstractTaskRunner;
import io.taskrunner.strategies.internal.TaskFuture;
import io.taskrunner.strategies.internal.Timeouts;
import java.io.File;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * {@link io.taskrunner.Strategy#PROCESS_POOL}: tasks run in worker JVMs, {@code maxConcurrency} of
 * them, started before the runner is returned.
 *
 * <p>Design: a task is serialized when submitted (so a task that cannot be sent fails right there,
 * naming the culprit; a lambda that captures nothing is serialized once per class), waits in {@code
 * pending}, and is assigned to the ready worker with the fewest tasks in flight, at most {@code
 * maxInFlightPerWorker} per worker (pipelining: the next request is already in the worker when the
 * previous one finishes). A worker is refilled once it is down to half that depth, and the
 * requests assigned to it together leave in one write, so a stream of tiny tasks crosses the pipe
 * in groups rather than in a ping-pong of one request per reply. No thread waits for a task: the thread that assigned it (the submitter,
 * or a worker's reader thread when a reply frees a slot) runs its {@link RemoteTask#run()}, which
 * only sends the request, and the worker's reader thread completes its future from the reply. So
 * listeners added with {@code directExecutor()} run on a reader thread, and the same warning as for
 * any direct executor applies: a listener that blocks stalls every reply of that worker.
 *
 * <p>Concurrency: {@code lock} guards the queue, the worker list and the workers' counters; it is
 * never held while waiting, and neither futures nor requests are completed or sent under it: the
 * methods that assign tasks under it return them, and their callers start them after unlocking.
 * Worker threads report through {@link #workerReady}, {@link #answered} and {@link #workerExited}.
 *
 * <p>Failure: a worker that dies fails its own in-flight tasks with a {@link
 * WorkerCrashedException} and is replaced at once. A worker that dies before it is ready counts as
 * a start failure; the next start waits 100 ms, doubling up to 5 s, and after {@value
 * #MAX_START_FAILURES} in a row the pool gives up: queued tasks fail and new ones are rejected,
 * with the last crash (and its stderr) as the cause. At creation, any start failure is thrown.
 *
 * <p>Shutdown: when the last task is done the workers' stdin is closed (they exit on its end); any
 * still alive 2 s later is killed. Workers also exit on their own when the parent dies.
 *
 * <p>Start-up: each launch asks the {@link AotCache} for its options (none until the cache exists,
 * or once a class-path jar changed); a pool that finds the cache missing starts its training run
 * once its own workers are ready, and the {@link ParentWarmUp} runs while they start.
 */
final class ProcessPoolRunner extends AbstractTaskRunner {
  static final int MAX_START_FAILURES = 5;
  private static final System.Logger LOG = System.getLogger(ProcessPoolRunner.class.getName());
  private static final long EXIT_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

  private final ProcessPoolConfig config;
  private final int maxInFlightPerWorker;
  private final List<String> command;
  private final AotCache startupCache;
  private final ObjectInputFilter filter;
  private final String threadPrefix;
  private final ThreadFactory taskThreads; // for submitAsync and continuations only
  private final RequestIds requestIds = new RequestIds();
  private final AtomicInteger nextWorker = new AtomicInteger();
  private final Set<RemoteTask<?>> running = ConcurrentHashMap.newKeySet();
  private final Set<WorkerProcess> unreaped = ConcurrentHashMap.newKeySet();
  private final Object lock = new Object();

  @GuardedBy("lock")
  private final ArrayDeque<RemoteTask<?>> pending = new ArrayDeque<>();

  @GuardedBy("lock")
  private final List<WorkerProcess> workers = new ArrayList<>();

  @GuardedBy("lock")
  private int startFailures;

  @GuardedBy("lock")
  private long nextLaunchNanos;

  @GuardedBy("lock")
  private boolean launchScheduled;

  @GuardedBy("lock")
  private boolean initializing = true;

  @GuardedBy("lock")
  private @Nullable WorkerCrashedException initFailure;

  @GuardedBy("lock")
  private @Nullable WorkerCrashedException broken;

  @GuardedBy("lock")
  private boolean closed;

  private ProcessPoolRunner(RunnerSpec spec, ProcessPoolConfig config) {
    super(spec);
    this.config = config;
    // A timeout counts from the moment a task is sent; with pipelining a task could wait in the
    // worker behind another and time out without having run. So a timeout turns pipelining off.
    this.maxInFlightPerWorker = spec.timeout().isPresent() ? 1 : config.maxInFlightPerWorker();
    this.command = command(config);
    this.startupCache = AotCache.plan(config, jvm(config, List.of()));
    this.filter = Codec.filter(config.maxFrameBytes(), config.deserializationFilter());
    this.threadPrefix = "taskrunner-" + spec.name() + "#";
    this.taskThreads = Thread.ofVirtual().name(threadPrefix + "task-", 0).factory();
  }

  /**
   * Creates a pool and starts its workers, waiting until every one is ready.
   *
   * @throws WorkerCrashedException if a worker cannot start; the others are stopped
   */
  static ProcessPoolRunner start(RunnerSpec spec, ProcessPoolConfig config) {
    ProcessPoolRunner pool = new ProcessPoolRunner(spec, config);
    pool.startWorkers();
    // After the workers are ready, so that the training run does not slow this pool's start.
    pool.startupCache.trainIfMissing(
        (options, frames) -> javaCommand(config, options, frames), config.maxFrameBytes());
    return pool;
  }

  private void startWorkers() {
    WorkerCrashedException failure;
    synchronized (lock) {
      ensureWorkers();
      ParentWarmUp.startOnce(config); // while the workers start, not before
      long deadline = System.nanoTime() + config.startupTimeout().toNanos() + EXIT_GRACE_NANOS;
      boolean interrupted = false;
      while (initFailure == null && readyCount() < spec.maxConcurrency()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          initFailure =
              new WorkerCrashedException(
                  name() + "#*", -1, -1, "workers did not start in time", List.of(), null);
          break;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        } catch (InterruptedException e) {
          interrupted = true;
          initFailure =
              new WorkerCrashedException(
                  name() + "#*", -1, -1, "start-up was interrupted", List.of(), null);
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      initializing = false;
      failure = initFailure;
      if (failure != null) {
        closed = true;
        for (WorkerProcess worker : workers) {
          worker.kill("the pool failed to start");
        }
      }
    }
    if (failure != null) {
      shutdown();
      throw failure;
    }
  }

  @GuardedBy("lock")
  private int readyCount() {
    int ready = 0;
    for (WorkerProcess worker : workers) {
      if (worker.isReady()) {
        ready++;
      }
    }
    return ready;
  }

  // ---- submission -----------------------------------------------------------------------------

  @Override
  public <T extends @Nullable Object> ListenableFuture<T> submit(Task<T> task) {
    requireNonNull(task, "task");
    WorkerCrashedException failure;
    synchronized (lock) {
      failure = broken;
    }
    if (failure != null) {
      stats.rejected();
      throw new RejectedExecutionException(
          describe("stopped starting workers after repeated start-up failures: task rejected"),
          failure);
    }
    byte[] payload = encodeTask(task);
    return admit(new RemoteTask<>(this, task, requestIds.next(), payload));
  }

  private byte[] encodeTask(Task<?> task) {
    PayloadCodec codec = config.codec();
    byte[] payload;
    if (codec != null) {
      byte[] encoded;
      try {
        encoded = codec.encodeTask(task);
      } catch (IOException | RuntimeException e) {
        if (e instanceof IllegalArgumentException iae) {
          throw iae;
        }
        throw new IllegalArgumentException("task could not be encoded: " + e, e);
      }
      payload = new byte[encoded.length + 1];
      payload[0] = codec.id();
      System.arraycopy(encoded, 0, payload, 1, encoded.length);
      return checkSize(payload);
    }
    EncodedOnce once = ENCODED.get(task.getClass());
    byte[] cached = once.bytes;
    if (cached != null) {
      return cached; // never written to: a request's payload is only read
    }
    try {
      payload = Codec.encode(task);
    } catch (NotSerializableException e) {
      String culprit = String.valueOf(e.getMessage());
      String path = Codec.pathTo(task, "task", culprit);
      throw new IllegalArgumentException(
          "task is not serializable: it holds a "
              + culprit
              + (path == null ? "" : " at " + path)
              + ", which is not Serializable; make it Serializable, mark the field transient, or"
              + " capture less",
          e);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("task could not be serialized: " + e, e);
    }
    checkSize(payload);
    if (once.stateless) {
      once.bytes = payload;
    }
    return payload;
  }

  /**
   * The serialized form of each class of task that captures nothing: every instance of such a
   * class serializes to the same bytes (see {@link Codec#isStateless}).
   */
  private static final ClassValue<EncodedOnce> ENCODED =
      new ClassValue<>() {
        @Override
        protected EncodedOnce computeValue(Class<?> type) {
          return new EncodedOnce(Codec.isStateless(type));
        }
      };

  /** The cached payload of a task class; racing first encodings store equal bytes. */
  private static final class EncodedOnce {
    final boolean stateless;
    volatile byte @Nullable [] bytes;

    EncodedOnce(boolean stateless) {
      this.stateless = stateless;
    }
  }

  @CanIgnoreReturnValue
  private byte[] checkSize(byte[] payload) {
    if (payload.length > config.maxFrameBytes()) {
      throw new IllegalArgumentException(
          String.format(
              Locale.US,
              "task is %d bytes serialized, over maxFrameBytes %d",
              payload.length,
              config.maxFrameBytes()));
    }
    return payload;
  }

  @Override
  protected void dispatch(TaskFuture<?> task) {
    if (!(task instanceof RemoteTask<?> remote)) {
      // submitAsync: an asynchronous task starts work in this JVM and cannot cross a process.
      taskThreads.newThread(task).start();
      return;
    }
    List<RemoteTask<?>> assigned;
    synchronized (lock) {
      WorkerCrashedException failure = broken;
      if (failure != null) {
        throw new RejectedExecutionException(describe("cannot start workers"), failure);
      }
      pending.addLast(remote);
      assigned = schedule();
    }
    start(assigned);
  }

  /**
   * Assigns queued tasks to workers with room and returns them, for the caller to {@link #start}
   * once it released the lock; {@code null} if none.
   */
  @GuardedBy("lock")
  private @Nullable List<RemoteTask<?>> schedule() {
    int depth = maxInFlightPerWorker;
    List<RemoteTask<?>> assigned = null;
    WorkerProcess filling = null;
    while (!pending.isEmpty()) {
      // Hysteresis: a worker is refilled once it is down to half its depth, then up to its depth,
      // so that pipelined requests leave in groups (one write, one read in the worker) instead of
      // one per reply.
      WorkerProcess best = null;
      for (WorkerProcess worker : workers) {
        if (worker.isReady()
            && !worker.retiring
            && worker.assigned < depth
            && (worker.assigned <= depth / 2 || worker == filling)
            && (best == null || worker.assigned < best.assigned)) {
          best = worker;
        }
      }
      filling = best;
      if (best == null) {
        break;
      }
      RemoteTask<?> task = pending.pollFirst();
      if (task == null || task.isDone()) {
        continue; // cancelled while queued
      }
      WorkerProcess target = best;
      target.assigned++;
      target.started++;
      if (config.recycleAfterTasks() > 0 && target.started >= config.recycleAfterTasks()) {
        target.retiring = true;
        ensureWorkers(); // its replacement starts now
      }
      // Seen by cancelRunning before the task checks whether the pool is stopping (in run()).
      running.add(task);
      task.assign(target);
      if (assigned == null) {
        assigned = new ArrayList<>(Math.min(depth, pending.size() + 1));
      }
      assigned.add(task);
    }
    return assigned;
  }

  /**
   * Runs assigned tasks on this thread, which queues their requests, then sends those of each
   * worker in one write; gives back the slots of those that were not sent (cancelled meanwhile, or
   * their worker died) and starts what that frees. Called without the lock.
   */
  private void start(@Nullable List<RemoteTask<?>> assigned) {
    // A canceller's interrupt aimed at a task is cleared when its run() returns, and with it any
    // interrupt this thread already had: keep that one.
    boolean interrupted = assigned != null && Thread.interrupted();
    try {
      for (List<RemoteTask<?>> batch = assigned; batch != null; ) {
        List<RemoteTask<?>> unsent = null;
        WorkerProcess queuedTo = null;
        for (RemoteTask<?> task : batch) {
          WorkerProcess target = task.worker();
          if (queuedTo != null && target != queuedTo) {
            queuedTo.sendQueued();
          }
          queuedTo = target;
          task.run(); // queues its request
          if (!task.wasRegistered()) {
            if (unsent == null) {
              unsent = new ArrayList<>();
            }
            unsent.add(task);
          }
        }
        if (queuedTo != null) {
          queuedTo.sendQueued(); // the requests queued for one worker leave in one write
        }
        if (unsent == null) {
          break;
        }
        synchronized (lock) {
          for (RemoteTask<?> task : unsent) {
            running.remove(task);
            WorkerProcess worker = task.worker();
            if (worker != null) {
              release(worker, 1);
            }
          }
          batch = schedule();
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Gives back {@code count} of {@code worker}'s slots. */
  @GuardedBy("lock")
  private void release(WorkerProcess worker, int count) {
    worker.assigned -= count;
    if (worker.retiring && worker.assigned == 0) {
      worker.closeInput();
    }
  }

  /** Called by a worker's reader thread once it delivered {@code count} replies. */
  void answered(WorkerProcess worker, int count) {
    List<RemoteTask<?>> assigned;
    synchronized (lock) {
      release(worker, count);
      assigned = schedule();
    }
    start(assigned);
  }

  /** Called by a worker's reader thread as a task's reply (or its worker's death) arrives. */
  void answered(RemoteTask<?> task) {
    running.remove(task);
  }

  // ---- workers --------------------------------------------------------------------------------

  /** Launches workers until {@code maxConcurrency} are alive and not retiring. */
  @GuardedBy("lock")
  private void ensureWorkers() {
    int active = 0;
    for (WorkerProcess worker : workers) {
      if (!worker.retiring) {
        active++;
      }
    }
    while (active < spec.maxConcurrency() && !closed && broken == null) {
      long wait = nextLaunchNanos - System.nanoTime();
      if (wait > 0) {
        if (!launchScheduled) {
          launchScheduled = true;
          ScheduledFuture<?> unused = Timeouts.schedule(this::delayedLaunch, wait);
        }
        return;
      }
      if (!launch()) {
        return;
      }
      active++;
    }
  }

  private void delayedLaunch() {
    synchronized (lock) {
      launchScheduled = false;
      ensureWorkers();
    }
  }

  @GuardedBy("lock")
  private boolean launch() {
    String label = name() + "#" + nextWorker.incrementAndGet();
    WorkerProcess worker;
    List<String> cacheOptions = startupCache.useOptions();
    List<String> command = cacheOptions.isEmpty() ? this.command : command(config, cacheOptions);
    try {
      worker =
          WorkerProcess.launch(
              this, label, command, config.maxFrameBytes(), config.workerCommand() == null);
    } catch (IOException e) {
      List<RemoteTask<?>> doomed =
          startFailed(
              new WorkerCrashedException(
                  label, -1, -1, "could not be launched (" + command.get(0) + ")", List.of(), e));
      WorkerCrashedException failure = broken;
      if (failure != null && !doomed.isEmpty()) {
        // Never complete futures under the lock: listeners may call back into the pool.
        ScheduledFuture<?> unused =
            Timeouts.schedule(() -> doomed.forEach(task -> task.failQueued(failure)), 0);
      }
      return false;
    }
    workers.add(worker);
    unreaped.add(worker);
    ScheduledFuture<?> unused =
        Timeouts.schedule(
        () -> {
          if (!worker.isReady()) {
            worker.kill("it did not start within " + config.startupTimeout());
          }
        },
        config.startupTimeout().toNanos());
    return true;
  }

  /** Called by a worker's reader thread when the worker asks to be recycled. */
  void retire(WorkerProcess worker, String why) {
    synchronized (lock) {
      if (worker.retiring || closed) {
        return;
      }
      LOG.log(System.Logger.Level.INFO, "recycling worker {0}: {1}", worker.label, why);
      worker.retiring = true;
      ensureWorkers();
      if (worker.assigned == 0) {
        worker.closeInput();
      }
    }
  }

  /** Called by a worker's reader thread when the worker said HELLO. */
  void workerReady(WorkerProcess worker) {
    if (startupCache.refusedIn(worker.tail())) {
      startupCache.trainIfMissing(
          (options, frames) -> javaCommand(config, options, frames), config.maxFrameBytes());
    }
    List<RemoteTask<?>> assigned;
    synchronized (lock) {
      startFailures = 0;
      if (closed) {
        worker.closeInput();
        return;
      }
      lock.notifyAll();
      assigned = schedule();
    }
    start(assigned);
  }

  /** Called once by a worker's reader thread after the worker's process ended. */
  void workerExited(WorkerProcess worker, WorkerCrashedException crash, boolean wasReady) {
    List<RemoteTask<?>> toFail = List.of();
    List<RemoteTask<?>> assigned = null;
    WorkerCrashedException failure = null;
    try {
      synchronized (lock) {
        workers.remove(worker);
        if (closed) {
          return;
        }
        if (!wasReady) {
          toFail = startFailed(crash);
          failure = broken;
        }
        ensureWorkers();
        assigned = schedule();
      }
    } finally {
      unreaped.remove(worker);
    }
    if (failure != null) {
      for (RemoteTask<?> task : toFail) {
        task.failQueued(failure);
      }
    }
    start(assigned);
  }

  /** Records a start failure; returns the queued tasks to fail if the pool gives up. */
  @GuardedBy("lock")
  private List<RemoteTask<?>> startFailed(WorkerCrashedException crash) {
    if (initializing) {
      if (initFailure == null) {
        initFailure = crash;
      }
      lock.notifyAll();
      return List.of();
    }
    startFailures++;
    if (startFailures >= MAX_START_FAILURES) {
      broken =
          new WorkerCrashedException(
              crash.worker(),
              crash.pid().orElse(-1),
              crash.exitCode().orElse(-1),
              "was the "
                  + startFailures
                  + "th worker in a row to fail at start-up: the pool stopped starting workers",
              crash.stderrTail(),
              crash);
      List<RemoteTask<?>> queued = new ArrayList<>(pending);
      pending.clear();
      return queued;
    }
    long backoff = Math.min(TimeUnit.SECONDS.toNanos(5), TimeUnit.MILLISECONDS.toNanos(100) << (startFailures - 1));
    nextLaunchNanos = System.nanoTime() + backoff;
    return List.of();
  }

  // ---- lifecycle hooks ------------------------------------------------------------------------

  @Override
  protected List<TaskFuture<?>> drainQueued() {
    synchronized (lock) {
      List<TaskFuture<?>> queued = new ArrayList<>(pending);
      pending.clear();
      return queued;
    }
  }

  @Override
  protected void cancelRunning() {
    for (RemoteTask<?> task : running) {
      task.cancel(true);
    }
  }

  @Override
  protected void onTerminated() {
    List<WorkerProcess> stopping;
    synchronized (lock) {
      closed = true;
      stopping = new ArrayList<>(workers);
    }
    for (WorkerProcess worker : stopping) {
      worker.closeInput();
      ScheduledFuture<?> unused =
          Timeouts.schedule(
          () -> worker.killIfAlive("it did not exit within 2 s of the pool's close"),
          EXIT_GRACE_NANOS);
    }
  }

  @Override
  protected boolean awaitResources(long nanos) throws InterruptedException {
    long deadline = System.nanoTime() + nanos;
    for (WorkerProcess worker : List.copyOf(unreaped)) {
      if (!worker.awaitExit(Math.max(0, deadline - System.nanoTime()))) {
        return false;
      }
    }
    return true;
  }

  @Override
  protected boolean resourcesReleased() {
    return unreaped.isEmpty();
  }

  @Override
  protected boolean isOwnThread(Thread thread) {
    return thread.getName().startsWith(threadPrefix);
  }

  @Override
  protected Executor continuationExecutor() {
    return command -> taskThreads.newThread(command).start();
  }

  /**
   * Never: a task's CPU time is spent in a worker, while the local thread that waits for it burns
   * none, so sampling it here would report every CPU-bound task as mostly waiting. (Workers do not
   * report CPU time yet, so declared traits are not verified on this strategy.)
   */
  @Override
  protected boolean shouldProfile(TaskFuture<?> task) {
    return false;
  }

  /** Packs each batch's inputs and outputs, so a batch of numbers crosses the pipe as one block. */
  @Override
  protected <I extends @Nullable Object, O extends @Nullable Object> Task<List<O>> batchTask(
      TaskFunction<? super I, ? extends O> function, List<I> slice) {
    return new MapBatch<I, O>(function, new PackedList<>(slice));
  }

  /** One batch of {@code map}, run in a worker. */
  private static final class MapBatch<I extends @Nullable Object, O extends @Nullable Object>
      implements Task<List<O>> {
    private static final long serialVersionUID = 1L;

    private final TaskFunction<? super I, ? extends O> function;
    private final PackedList<I> inputs;

    MapBatch(TaskFunction<? super I, ? extends O> function, PackedList<I> inputs) {
      this.function = function;
      this.inputs = inputs;
    }

    @Override
    public List<O> call() throws Exception {
      return new PackedList<>(applyAll(function, inputs));
    }
  }

  @Override
  protected int mapBatches() {
    return 4 * spec.maxConcurrency();
  }

  // ---- for tasks and tests --------------------------------------------------------------------

  ObjectInputFilter filter() {
    return filter;
  }

  Duration cancelGrace() {
    return config.cancelGrace();
  }

  @Nullable PayloadCodec codec() {
    return config.codec();
  }

  /** The workers' start-up cache: where it is, or why there is none. */
  AotCache startupCache() {
    return startupCache;
  }

  /** How many tasks are assigned to workers and have not returned yet. */
  int runningCount() {
    return running.size();
  }

  /** The pids of the workers that are ready now. */
  List<Long> workerPids() {
    synchronized (lock) {
      List<Long> pids = new ArrayList<>();
      for (WorkerProcess worker : workers) {
        if (worker.isReady()) {
          pids.add(worker.pid());
        }
      }
      return pids;
    }
  }

  /** The last stderr lines of the live workers (what their tasks printed, among others). */
  List<String> recentOutput() {
    synchronized (lock) {
      List<String> lines = new ArrayList<>();
      for (WorkerProcess worker : workers) {
        lines.addAll(worker.tail());
      }
      return lines;
    }
  }

  // ---- the worker command ---------------------------------------------------------------------

  static List<String> command(ProcessPoolConfig config) {
    return command(config, List.of());
  }

  /** The worker command, with {@code cacheOptions} (the start-up cache's) after the pool's own. */
  static List<String> command(ProcessPoolConfig config, List<String> cacheOptions) {
    boolean viaShell = config.protectStdout() && Files.isExecutable(Path.of("/bin/sh"));
    List<String> custom = config.workerCommand();
    if (custom != null) {
      List<String> worker = new ArrayList<>(custom);
      worker.add(Long.toString(ProcessHandle.current().pid()));
      worker.add(Integer.toString(config.maxFrameBytes()));
      worker.add(viaShell ? "fd3" : "stdout");
      return viaShell ? viaShell(worker) : List.copyOf(worker);
    }
    List<String> java = javaCommand(config, cacheOptions, viaShell ? "fd3" : "stdout");
    return viaShell ? viaShell(java) : List.copyOf(java);
  }

  /** The JVM worker's command without the shell: {@link #jvm} then the worker's arguments. */
  static List<String> javaCommand(ProcessPoolConfig config, List<String> cacheOptions, String frames) {
    List<String> java = jvm(config, cacheOptions);
    java.add(Long.toString(ProcessHandle.current().pid()));
    java.add(Integer.toString(config.maxFrameBytes()));
    java.add(frames);
    if (!config.deserializationFilter().isBlank()) {
      java.add(config.deserializationFilter());
    }
    return java;
  }

  /** The launcher, the JVM options, the class path and the main class. */
  static List<String> jvm(ProcessPoolConfig config, List<String> cacheOptions) {
    List<String> java = new ArrayList<>();
    Path javaCommand = config.javaCommand();
    java.add(
        javaCommand != null
            ? javaCommand.toString()
            : Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // JVM output must stay off the protocol stream; the user's options come after and may add to
    // it (for example -Xlog:gc:stderr). A rejected start-up cache is one such warning.
    java.add("-Xlog:disable");
    java.add("-Xlog:all=warning:stderr");
    java.add("-XX:+DisplayVMOutputToStderr");
    java.add("-XX:+ExitOnOutOfMemoryError");
    java.addAll(cacheOptions);
    java.addAll(config.jvmOptions());
    String maxHeap = config.maxHeap();
    if (maxHeap != null) {
      java.add("-Xmx" + maxHeap);
    }
    if (config.recycleAboveHeapBytes() > 0) {
      java.add("-D" + WorkerMain.HEAP_LIMIT_PROPERTY + "=" + config.recycleAboveHeapBytes());
    }
    java.add("-cp");
    java.add(classPath(config));
    java.add(WorkerMain.class.getName());
    return java;
  }

  private static List<String> viaShell(List<String> java) {
    // The shell moves the pipe the pool reads to fd 3 and points fd 1 at stderr, then becomes java.
    List<String> shell = new ArrayList<>();
    shell.add("/bin/sh");
    shell.add("-c");
    shell.add("exec \"$@\" 3>&1 1>&2");
    shell.add("taskrunner-worker");
    shell.addAll(java);
    return List.copyOf(shell);
  }

  /**
   * The configured class path, or the parent's: its class path, module path and patched module
   * directories (tests run on the module path with their classes patched in), in that order.
   */
  static String classPath(ProcessPoolConfig config) {
    Set<String> entries = new LinkedHashSet<>();
    if (!config.classPath().isEmpty()) {
      for (Path path : config.classPath()) {
        entries.add(path.toAbsolutePath().toString());
      }
    } else {
      addAll(entries, System.getProperty("java.class.path"));
      addAll(entries, System.getProperty("jdk.module.path"));
      for (int i = 0; ; i++) {
        String patch = System.getProperty("jdk.module.patch." + i);
        if (patch == null) {
          break;
        }
        addAll(entries, patch.substring(patch.indexOf('=') + 1));
      }
    }
    return String.join(File.pathSeparator, entries);
  }

  private static void addAll(Set<String> entries, @Nullable String path) {
    if (path == null) {
      return;
    }
    for (String entry : path.split(File.pathSeparator, -1)) {
      if (!entry.isBlank()) {
        entries.add(entry);
      }
    }
  }
}

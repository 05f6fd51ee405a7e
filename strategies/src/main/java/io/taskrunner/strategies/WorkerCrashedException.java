package io.taskrunner.strategies;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * A worker process of a process-pool runner died (killed by a signal, {@code System.exit}, an
 * {@link OutOfMemoryError}, a native crash, a protocol error) or could not start. It fails the
 * tasks that were in flight on that worker (as the cause of their {@link
 * java.util.concurrent.ExecutionException}); other workers and their tasks are not affected, and
 * the pool starts a replacement. Thrown by {@link ProcessPool.Builder#build()} when the first
 * workers cannot start, and the cause of {@link java.util.concurrent.RejectedExecutionException}
 * when workers keep failing to start.
 *
 * <p>Carries the worker's name and pid, its exit code and the signal that killed it (when known),
 * and the last lines it wrote to stderr. Immutable; safe to share between threads.
 */
public final class WorkerCrashedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String worker;
  private final long pid;
  private final int exitCode;
  private final List<String> stderrTail;

  /**
   * Creates one; used by the process pool.
   *
   * @param worker the worker's name, such as {@code process-1#3}
   * @param pid its process id, or -1 if it never started
   * @param exitCode its exit code, or -1 if unknown
   * @param reason what happened, in words
   * @param stderrTail the last lines the worker wrote to stderr
   * @param cause what the pool saw, if anything (a protocol error, for example)
   */
  public WorkerCrashedException(
      String worker,
      long pid,
      int exitCode,
      String reason,
      List<String> stderrTail,
      @Nullable Throwable cause) {
    super(message(worker, pid, exitCode, reason, stderrTail), cause);
    this.worker = requireNonNull(worker, "worker");
    this.pid = pid;
    this.exitCode = exitCode;
    this.stderrTail = List.copyOf(stderrTail);
  }

  private static String message(
      String worker, long pid, int exitCode, String reason, List<String> tail) {
    StringBuilder message = new StringBuilder();
    message.append("worker ").append(worker);
    if (pid >= 0) {
      message.append(" (pid ").append(pid).append(')');
    }
    message.append(' ').append(reason);
    if (exitCode >= 0) {
      message.append(String.format(Locale.US, "; exit code %d", exitCode));
      OptionalInt signal = signalOf(exitCode);
      if (signal.isPresent()) {
        message.append(String.format(Locale.US, " (signal %d%s)", signal.getAsInt(), signalName(signal.getAsInt())));
      }
    }
    if (tail.isEmpty()) {
      message.append("; stderr was empty");
    } else {
      message.append("; last stderr lines:");
      for (String line : tail) {
        message.append("\n  | ").append(line);
      }
    }
    return message.toString();
  }

  private static OptionalInt signalOf(int exitCode) {
    return exitCode > 128 && exitCode < 128 + 65 ? OptionalInt.of(exitCode - 128) : OptionalInt.empty();
  }

  private static String signalName(int signal) {
    return switch (signal) {
      case 6 -> " SIGABRT";
      case 9 -> " SIGKILL";
      case 11 -> " SIGSEGV";
      case 15 -> " SIGTERM";
      default -> "";
    };
  }

  /** The worker's name, {@code <runner>#<n>}. */
  public String worker() {
    return worker;
  }

  /** The worker's process id, if it started. */
  public OptionalLong pid() {
    return pid >= 0 ? OptionalLong.of(pid) : OptionalLong.empty();
  }

  /** The worker's exit code, if it exited; 128 + n means it was killed by signal n. */
  public OptionalInt exitCode() {
    return exitCode >= 0 ? OptionalInt.of(exitCode) : OptionalInt.empty();
  }

  /** The signal that killed the worker, if its exit code says so (exit code 128 + signal). */
  public OptionalInt signal() {
    return exitCode >= 0 ? signalOf(exitCode) : OptionalInt.empty();
  }

  /** The last lines the worker wrote to stderr (including what its tasks printed), oldest first. */
  public List<String> stderrTail() {
    return stderrTail;
  }
}

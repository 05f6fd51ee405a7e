package io.taskrunner.strategies;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Stands in for an exception thrown by a task in a worker process when that exception could not be
 * sent back as itself (it or something it holds is not serializable, or its class is missing in
 * the application). It keeps what matters: the original class name, message, stack trace (the
 * worker's frames) and cause chain, each cause converted the same way.
 *
 * <p>Exceptions that serialize are sent back as themselves, with their remote stack trace; this
 * class is only the fallback. Immutable once thrown; safe to share between threads.
 */
public final class RemoteTaskException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String remoteClassName;

  private RemoteTaskException(
      String remoteClassName, @Nullable String message, @Nullable Throwable cause) {
    super(remoteClassName + (message == null ? "" : ": " + message), cause);
    this.remoteClassName = remoteClassName;
  }

  /**
   * Copies {@code failure} and its cause chain into exceptions of this class, keeping class names,
   * messages and stack traces. Cycles in the cause chain are cut.
   */
  public static RemoteTaskException copyOf(Throwable failure) {
    requireNonNull(failure, "failure");
    return copy(failure, Collections.newSetFromMap(new IdentityHashMap<>()));
  }

  private static RemoteTaskException copy(Throwable failure, Set<Throwable> seen) {
    seen.add(failure);
    Throwable cause = failure.getCause();
    RemoteTaskException causeCopy =
        cause == null || seen.contains(cause) ? null : copy(cause, seen);
    RemoteTaskException copy =
        new RemoteTaskException(failure.getClass().getName(), failure.getMessage(), causeCopy);
    copy.setStackTrace(failure.getStackTrace());
    return copy;
  }

  /**
   * An exception reported by a worker that is not a JVM, such as {@code ValueError: bad input}
   * from a Python worker. Its stack trace is the pool's, since the worker's is not Java.
   */
  public static RemoteTaskException of(String remoteClassName, @Nullable String message) {
    requireNonNull(remoteClassName, "remoteClassName");
    return new RemoteTaskException(remoteClassName, message, null);
  }

  /** The fully qualified class name of the exception the task threw in the worker. */
  public String remoteClassName() {
    return remoteClassName;
  }
}

package io.taskrunner.strategies;

import io.taskrunner.Task;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * How a process pool encodes tasks for workers that do not run Java, and decodes their replies:
 * the payload codec of the worker protocol ({@code strategies/PROTOCOL.md}). Set with {@link
 * ProcessPool.Builder#codec}, together with a {@link ProcessPool.Builder#workerCommand} that starts
 * such a worker. Without one, tasks travel as Java serialization (codec byte {@code 'J'}).
 *
 * <p>Implementations must be thread-safe: the pool calls them from submitting threads and from its
 * own threads at once.
 */
public interface PayloadCodec {

  /** The codec byte that starts every payload of this codec; {@code 'J'} is reserved. */
  byte id();

  /**
   * Encodes a task for the worker.
   *
   * @throws IllegalArgumentException if this codec cannot carry {@code task}; it then fails at
   *     submit
   */
  byte[] encodeTask(Task<?> task) throws IOException;

  /** Decodes a RESULT payload (without the codec byte). */
  @Nullable Object decodeResult(byte[] payload) throws IOException;

  /** Decodes a FAILURE payload (without the codec byte) into the exception that fails the task. */
  Throwable decodeFailure(byte[] payload) throws IOException;

  /**
   * The bytes codec ({@code 'B'}), which carries {@link BytesTask}s: a request is the operation's
   * name (2-byte big-endian length, then UTF-8) followed by the input bytes; a result is the output
   * bytes; a failure is UTF-8 text {@code "<type>: <message>"}, reported as a {@link
   * RemoteTaskException}. {@code examples/python/taskrunner_worker.py} serves it.
   */
  static PayloadCodec bytes() {
    return BytesCodec.INSTANCE;
  }
}

package io.taskrunner;

import java.io.Serializable;
import org.jspecify.annotations.Nullable;

/**
 * A function applied to each input of {@link TaskRunner#map}. Like {@link Task} it is {@link
 * Serializable}, so that the process pool can send it to worker processes.
 *
 * @param <I> the input type
 * @param <O> the output type, which may be nullable
 */
@FunctionalInterface
public interface TaskFunction<I extends @Nullable Object, O extends @Nullable Object>
    extends Serializable {

  /**
   * Computes the output for one input.
   *
   * @throws Exception any failure, which fails the whole {@code map} with this exception as cause
   */
  O apply(I input) throws Exception;
}

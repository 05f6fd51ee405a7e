/**
 * For strategy authors: a {@link io.taskrunner.spi.RunnerProvider}, registered with {@link
 * java.util.ServiceLoader}, builds runners for one {@link io.taskrunner.Strategy} from a resolved
 * {@link io.taskrunner.spi.RunnerSpec}. Users never need this package.
 */
@NullMarked
@CheckReturnValue
package io.taskrunner.spi;

import com.google.errorprone.annotations.CheckReturnValue;
import org.jspecify.annotations.NullMarked;

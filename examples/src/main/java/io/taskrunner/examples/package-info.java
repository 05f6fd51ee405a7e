/** Runnable taskrunner examples; {@link io.taskrunner.examples.Demo} is the main demo. */
@NullMarked
@CheckReturnValue
package io.taskrunner.examples;

import com.google.errorprone.annotations.CheckReturnValue;
import org.jspecify.annotations.NullMarked;

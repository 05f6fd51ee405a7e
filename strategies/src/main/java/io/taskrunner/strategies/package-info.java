/**
 * What users configure in taskrunner's built-in strategies: the {@link
 * io.taskrunner.strategies.ProcessPool} builder and the exceptions its runners report. Everything
 * else is reached through {@link io.taskrunner.Runners}.
 */
@NullMarked
@CheckReturnValue
package io.taskrunner.strategies;

import com.google.errorprone.annotations.CheckReturnValue;
import org.jspecify.annotations.NullMarked;

/**
 * Machinery shared by the built-in runners: admission and lifecycle, the task future with its
 * interrupt protocol, statistics, timeouts and the {@link java.util.concurrent.ExecutorService}
 * view. Not exported to users.
 */
@NullMarked
@CheckReturnValue
package io.taskrunner.strategies.internal;

import com.google.errorprone.annotations.CheckReturnValue;
import org.jspecify.annotations.NullMarked;

/**
 * The platform-thread pool and the virtual-thread runner. Not exported to users: they are
 * reached through {@link io.taskrunner.Runners#forWorkload}.
 */
@NullMarked
@CheckReturnValue
package io.taskrunner.strategies.threads;

import com.google.errorprone.annotations.CheckReturnValue;
import org.jspecify.annotations.NullMarked;

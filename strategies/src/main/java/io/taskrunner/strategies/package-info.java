/**
 * Options users configure: the builder of the event-loop runner ({@link
 * io.taskrunner.strategies.EventLoopRunner}) and the asyncio-style helpers for tasks running on it
 * ({@link io.taskrunner.strategies.Loops}). The runners themselves are reached through {@link
 * io.taskrunner.Runners#forWorkload} or these builders; their implementations are not exported.
 */
@NullMarked
@CheckReturnValue
package io.taskrunner.strategies;

import com.google.errorprone.annotations.CheckReturnValue;
import org.jspecify.annotations.NullMarked;

/**
 * What users configure in taskrunner's built-in strategies: the builders of the process pool
 * ({@link io.taskrunner.strategies.ProcessPool}) and of the event-loop runner ({@link
 * io.taskrunner.strategies.EventLoopRunner}), the asyncio-style helpers for tasks on a loop ({@link
 * io.taskrunner.strategies.Loops}), and the exceptions these runners report. The runners themselves
 * are reached through {@link io.taskrunner.Runners#forWorkload} or these builders; their
 * implementations are not exported.
 */
@NullMarked
@CheckReturnValue
package io.taskrunner.strategies;

import com.google.errorprone.annotations.CheckReturnValue;
import org.jspecify.annotations.NullMarked;

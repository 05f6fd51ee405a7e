/**
 * The event-loop strategy: single-threaded loops that own their task queue, timers and blocked-loop
 * heartbeat, and the runner that spreads tasks over a group of them. Not exported to users: they
 * configure it through {@link io.taskrunner.strategies.EventLoopRunner#builder()} or reach it
 * through {@link io.taskrunner.Runners#forWorkload} with {@code ioBound().nonBlocking()}.
 */
@NullMarked
@CheckReturnValue
package io.taskrunner.strategies.loop;

import com.google.errorprone.annotations.CheckReturnValue;
import org.jspecify.annotations.NullMarked;

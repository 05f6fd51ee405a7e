/**
 * JMH benchmarks of the event-loop runner against Netty's {@code DefaultEventLoop}, in the same
 * run: cross-thread dispatch of no-op tasks and bursts of 100 ms timers. The Python asyncio
 * counterpart is {@code benchmarks/python/asyncio_loop.py}.
 */
@NullMarked
@CheckReturnValue
package io.taskrunner.benchmarks.loop;

import com.google.errorprone.annotations.CheckReturnValue;
import org.jspecify.annotations.NullMarked;

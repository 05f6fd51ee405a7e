/**
 * The process-pool strategy: worker JVMs started with {@link java.lang.ProcessBuilder}, speaking
 * the length-framed binary protocol of {@code strategies/PROTOCOL.md} over private pipes. Not
 * exported to users: they configure it through {@link io.taskrunner.strategies.ProcessPool} or reach
 * it through {@link io.taskrunner.Runners#forWorkload} with {@code cpuBound().isolated()}.
 */
@NullMarked
@CheckReturnValue
package io.taskrunner.strategies.process;

import com.google.errorprone.annotations.CheckReturnValue;
import org.jspecify.annotations.NullMarked;

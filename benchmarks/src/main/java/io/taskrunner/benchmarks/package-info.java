/**
 * JMH benchmarks: each compares a taskrunner runner with the raw JDK executor of the same kind and
 * size, in the same run, so that ratios are meaningful on a noisy machine. See {@code
 * benchmarks/RESULTS-foundation.md} for the commands and the numbers.
 */
@NullMarked
@CheckReturnValue
package io.taskrunner.benchmarks;

import com.google.errorprone.annotations.CheckReturnValue;
import org.jspecify.annotations.NullMarked;

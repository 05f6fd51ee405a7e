/**
 * The taskrunner API: declare what your tasks are like with a {@link io.taskrunner.Workload}, get
 * a {@link io.taskrunner.TaskRunner} for it from {@link io.taskrunner.Runners#forWorkload}, and ask
 * {@link io.taskrunner.Runners#explain} why that runner was chosen.
 *
 * <p>Every type in this package is null-hostile: a {@code null} argument fails with a {@link
 * NullPointerException} naming the parameter, unless a parameter is annotated {@code @Nullable}.
 */
@NullMarked
@CheckReturnValue
package io.taskrunner;

import com.google.errorprone.annotations.CheckReturnValue;
import org.jspecify.annotations.NullMarked;

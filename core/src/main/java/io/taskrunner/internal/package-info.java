/**
 * Internal helpers shared by core and the built-in strategies. Not exported to users; may change
 * in any release.
 */
@NullMarked
@CheckReturnValue
package io.taskrunner.internal;

import com.google.errorprone.annotations.CheckReturnValue;
import org.jspecify.annotations.NullMarked;

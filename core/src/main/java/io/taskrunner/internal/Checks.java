package io.taskrunner.internal;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import com.google.errorprone.annotations.FormatMethod;
import com.google.errorprone.annotations.FormatString;
import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** One wording for every argument and state check in taskrunner. */
public final class Checks {
  private Checks() {}

  /** Fails with {@code "<name> must be positive: <value>"} unless {@code value > 0}. */
  @CanIgnoreReturnValue
  public static int requirePositive(int value, String name) {
    if (value <= 0) {
      throw new IllegalArgumentException(
          String.format(Locale.US, "%s must be positive: %d", name, value));
    }
    return value;
  }

  /** Fails with {@code "<name> must be positive: <value>"} unless {@code value > 0}. */
  @CanIgnoreReturnValue
  public static Duration requirePositive(Duration value, String name) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(
          String.format(Locale.US, "%s must be positive: %s", name, value));
    }
    return value;
  }

  /** Fails with {@code "<name> must not be negative: <value>"} if {@code value < 0}. */
  @CanIgnoreReturnValue
  public static Duration requireNonNegative(Duration value, String name) {
    if (value.isNegative()) {
      throw new IllegalArgumentException(
          String.format(Locale.US, "%s must not be negative: %s", name, value));
    }
    return value;
  }

  /** Throws {@link IllegalStateException} with a formatted message unless {@code expression}. */
  @FormatMethod
  public static void requireState(boolean expression, @FormatString String template, @Nullable Object... args) {
    if (!expression) {
      throw new IllegalStateException(String.format(Locale.US, template, args));
    }
  }

  /** Throws {@link IllegalArgumentException} with a formatted message unless {@code expression}. */
  @FormatMethod
  public static void requireArgument(
      boolean expression, @FormatString String template, @Nullable Object... args) {
    if (!expression) {
      throw new IllegalArgumentException(String.format(Locale.US, template, args));
    }
  }
}

package io.lodestar.operators.reward.remote;

import java.io.Serializable;
import java.util.Objects;

/**
 * A credential, such as an API key. Its text prints as {@code ****} everywhere (toString, settings,
 * logs); only {@link #reveal()} gives it out, and only the HTTP header builder calls that.
 */
public final class Secret implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final Secret NONE = new Secret("");

  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  /**
   * A secret from an already resolved value ({@code ${env:NAME}} / {@code ${file:PATH}} are
   * resolved by the job options).
   */
  public static Secret of(String value) {
    return value == null || value.isEmpty() ? NONE : new Secret(value);
  }

  public static Secret none() {
    return NONE;
  }

  public boolean isPresent() {
    return !value.isEmpty();
  }

  /** The secret text, for the Authorization header only. */
  String reveal() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret && ((Secret) o).value.equals(value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(value);
  }

  @Override
  public String toString() {
    return isPresent() ? "****" : "(none)";
  }
}

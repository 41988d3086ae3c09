package io.lodestar.operators.reward.model;

/** A model folder that is missing, incomplete or unreadable; the message names the path. */
public class ModelLoadException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public ModelLoadException(String message) {
    super(message);
  }

  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}

package io.lodestar.operators.reward.model;

import java.io.Serializable;
import java.util.Locale;

/**
 * Maps a raw model score (a logit) to the reward: unchanged, through a sigmoid, or {@code scale * x
 * + shift}.
 */
public record Normalisation(Kind kind, double scale, double shift) implements Serializable {

  public enum Kind {
    NONE,
    SIGMOID,
    AFFINE
  }

  public static final Normalisation NONE = new Normalisation(Kind.NONE, 1, 0);
  public static final Normalisation SIGMOID = new Normalisation(Kind.SIGMOID, 1, 0);

  public Normalisation {
    if (!Double.isFinite(scale) || !Double.isFinite(shift)) {
      throw new IllegalArgumentException(
          "scale and shift must be finite, got " + scale + ", " + shift);
    }
  }

  public static Normalisation affine(double scale, double shift) {
    return new Normalisation(Kind.AFFINE, scale, shift);
  }

  /** Parses {@code none}, {@code sigmoid} or {@code affine:<scale>,<shift>}. */
  public static Normalisation parse(String text) {
    String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    if (value.equals("none")) {
      return NONE;
    }
    if (value.equals("sigmoid")) {
      return SIGMOID;
    }
    if (value.startsWith("affine:")) {
      String[] parts = value.substring("affine:".length()).split(",");
      if (parts.length == 2) {
        try {
          return affine(Double.parseDouble(parts[0].trim()), Double.parseDouble(parts[1].trim()));
        } catch (NumberFormatException e) {
          // falls through to the message below
        }
      }
    }
    throw new IllegalArgumentException(
        "normalisation must be none, sigmoid or affine:<scale>,<shift>, got '" + text + "'");
  }

  public double apply(double raw) {
    return switch (kind) {
      case NONE -> raw;
      case SIGMOID -> 1.0 / (1.0 + Math.exp(-raw));
      case AFFINE -> scale * raw + shift;
    };
  }

  @Override
  public String toString() {
    return switch (kind) {
      case NONE -> "none";
      case SIGMOID -> "sigmoid";
      case AFFINE -> "affine:" + scale + "," + shift;
    };
  }
}

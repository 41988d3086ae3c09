package io.lodestar.operators.reward.compose;

import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardSource;
import io.lodestar.schema.RewardStatus;
import java.io.Serializable;
import java.util.Locale;

/**
 * DAPO's overlong reward shaping: a length-dependent value added to the reward so responses that
 * run into the length limit are discouraged gradually instead of by truncation noise.
 *
 * <ul>
 *   <li>{@link Mode#DAPO}, the paper's piecewise rule with L_max and L_cache: 0 when |y| <= L_max -
 *       L_cache; ((L_max - L_cache) - |y|) / L_cache inside the cache; -1 beyond L_max.
 *   <li>{@link Mode#VERL}, verl's DAPO reward manager ({@code overlong_buffer.len}, {@code
 *       penalty_factor}): min(-(|y| - (L_max - len)) / len * penalty_factor, 0). It is linear all
 *       the way: beyond L_max it keeps falling below -penalty_factor (verl never sees such lengths
 *       because it truncates at L_max; production traffic may).
 * </ul>
 *
 * |y| is the number of response tokens ({@code responseTokenIds}). Without token ids the length is
 * either unknown (an UNSCORABLE shaping component, nothing added) or estimated from the response's
 * code points, as the {@link LengthFallback} says.
 */
public final class OverlongShaping implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Name of the shaping component the composition adds. */
  public static final String COMPONENT = "overlong";

  /** Which formula. */
  public enum Mode {
    NONE,
    DAPO,
    VERL;

    public static Mode fromId(String id) {
      for (Mode m : values()) {
        if (m.id().equals(id.trim().toLowerCase(Locale.ROOT))) {
          return m;
        }
      }
      throw new IllegalArgumentException(
          "'" + id + "' is not an overlong mode: use none, dapo or verl");
    }

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What to do when a generation carries no token ids. */
  public record LengthFallback(boolean estimate, double charsPerToken) implements Serializable {

    public static final LengthFallback UNSCORABLE = new LengthFallback(false, 0);

    public LengthFallback {
      if (estimate && !(Double.isFinite(charsPerToken) && charsPerToken > 0)) {
        throw new IllegalArgumentException(
            "chars per token must be a positive number, was " + charsPerToken);
      }
    }

    /** Parses {@code unscorable} or {@code estimate:<chars per token>}, e.g. {@code estimate:4}. */
    public static LengthFallback parse(String text) {
      String t = text.trim().toLowerCase(Locale.ROOT);
      if (t.equals("unscorable")) {
        return UNSCORABLE;
      }
      if (t.startsWith("estimate:")) {
        try {
          return new LengthFallback(
              true, Double.parseDouble(t.substring("estimate:".length()).trim()));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("'" + text.trim() + "' has no number after estimate:");
        }
      }
      throw new IllegalArgumentException(
          "'"
              + text.trim()
              + "' is not a length fallback: use unscorable or estimate:<chars per token>");
    }

    public String id() {
      return estimate ? "estimate:" + charsPerToken : "unscorable";
    }
  }

  public static final OverlongShaping NONE =
      new OverlongShaping(Mode.NONE, 0, 0, 1.0, LengthFallback.UNSCORABLE);

  private final Mode mode;
  private final int maxLength;
  private final int bufferLength;
  private final double penaltyFactor;
  private final LengthFallback fallback;

  private OverlongShaping(
      Mode mode, int maxLength, int bufferLength, double penaltyFactor, LengthFallback fallback) {
    this.mode = mode;
    this.maxLength = maxLength;
    this.bufferLength = bufferLength;
    this.penaltyFactor = penaltyFactor;
    this.fallback = fallback;
  }

  /** The paper's rule with L_max = {@code maxLength} and L_cache = {@code cacheLength}. */
  public static OverlongShaping dapo(int maxLength, int cacheLength, LengthFallback fallback) {
    checkLengths(maxLength, cacheLength);
    return new OverlongShaping(Mode.DAPO, maxLength, cacheLength, 1.0, fallback);
  }

  /**
   * verl's rule with {@code max_response_length}, {@code overlong_buffer.len} and {@code
   * penalty_factor}.
   */
  public static OverlongShaping verl(
      int maxLength, int bufferLength, double penaltyFactor, LengthFallback fallback) {
    checkLengths(maxLength, bufferLength);
    if (!Double.isFinite(penaltyFactor) || penaltyFactor < 0) {
      throw new IllegalArgumentException(
          "penalty factor must be a finite number >= 0, was " + penaltyFactor);
    }
    return new OverlongShaping(Mode.VERL, maxLength, bufferLength, penaltyFactor, fallback);
  }

  private static void checkLengths(int maxLength, int bufferLength) {
    if (maxLength < 1) {
      throw new IllegalArgumentException("max length must be at least 1, was " + maxLength);
    }
    if (bufferLength < 1 || bufferLength > maxLength) {
      throw new IllegalArgumentException(
          "buffer length must be in 1.." + maxLength + " (the max length), was " + bufferLength);
    }
  }

  /** The paper's value for a response of {@code length} tokens. */
  public static double dapoValue(int length, int maxLength, int cacheLength) {
    int expected = maxLength - cacheLength;
    if (length <= expected) {
      return 0.0;
    }
    if (length <= maxLength) {
      return (double) (expected - length) / cacheLength;
    }
    return -1.0;
  }

  /** verl's value for a response of {@code length} tokens (same order of operations as verl). */
  public static double verlValue(
      int length, int maxLength, int bufferLength, double penaltyFactor) {
    int exceed = length - (maxLength - bufferLength);
    double value = (double) (-exceed) / bufferLength * penaltyFactor;
    return value < 0 ? value : 0.0; // min(value, 0) without a negative zero
  }

  public Mode mode() {
    return mode;
  }

  public boolean enabled() {
    return mode != Mode.NONE;
  }

  /** The shaping component for {@code g}; null when shaping is off. */
  public RewardComponent shape(Generation g) {
    if (mode == Mode.NONE) {
      return null;
    }
    int length;
    String detail;
    if (g.getResponseTokenIds() != null) {
      length = g.getResponseTokenIds().size();
      detail = "tokens=" + length;
    } else if (fallback.estimate()) {
      int chars = g.getResponse().codePointCount(0, g.getResponse().length());
      length = (int) Math.ceil(chars / fallback.charsPerToken());
      detail = "tokens~" + length + " estimated from " + chars + " chars";
    } else {
      return component(null, RewardStatus.UNSCORABLE, "no responseTokenIds");
    }
    double value =
        mode == Mode.DAPO
            ? dapoValue(length, maxLength, bufferLength)
            : verlValue(length, maxLength, bufferLength, penaltyFactor);
    if (!Double.isFinite(value)) {
      // Only an absurd penalty factor gets here; the record must not carry an infinite value.
      return component(null, RewardStatus.ERROR, detail + ", shaping value not finite");
    }
    return component(value, RewardStatus.OK, detail);
  }

  private RewardComponent component(Double value, RewardStatus status, String detail) {
    return RewardComponent.newBuilder()
        .setName(COMPONENT)
        .setValue(value)
        .setStatus(status)
        .setSource(RewardSource.SHAPING)
        .setVersion(id())
        .setDetail(detail)
        .build();
  }

  /** The rule and its parameters, e.g. {@code dapo(max=4096,cache=512,fallback=unscorable)}. */
  public String id() {
    return switch (mode) {
      case NONE -> "none";
      case DAPO ->
          "dapo(max=" + maxLength + ",cache=" + bufferLength + ",fallback=" + fallback.id() + ")";
      case VERL ->
          "verl(max="
              + maxLength
              + ",buffer="
              + bufferLength
              + ",factor="
              + penaltyFactor
              + ",fallback="
              + fallback.id()
              + ")";
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OverlongShaping other && other.id().equals(id());
  }

  @Override
  public int hashCode() {
    return id().hashCode();
  }

  @Override
  public String toString() {
    return id();
  }
}

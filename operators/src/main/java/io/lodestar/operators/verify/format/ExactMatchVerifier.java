package io.lodestar.operators.verify.format;

import io.lodestar.operators.verify.Verifier;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import java.util.Locale;

/**
 * Scores 1 when the response equals the expected text after the configured normalisation, else 0.
 * Normalisation options: whitespace kept as is, trimmed, or trimmed with every internal run of
 * whitespace (Unicode spaces included) collapsed to one space; and case folding (locale
 * independent). Stateless and thread-safe; {@link #verify} never throws.
 */
public final class ExactMatchVerifier implements Verifier {

  private static final long serialVersionUID = 1L;

  public static final String NAME = "exact_match";
  public static final String VERSION = "exact-match/1";

  /** What happens to whitespace before comparing. */
  public enum Whitespace {
    KEEP,
    TRIM,
    COLLAPSE
  }

  private final Whitespace whitespace;
  private final boolean ignoreCase;

  public ExactMatchVerifier(Whitespace whitespace, boolean ignoreCase) {
    if (whitespace == null) {
      throw new IllegalArgumentException("whitespace mode is required");
    }
    this.whitespace = whitespace;
    this.ignoreCase = ignoreCase;
  }

  /** Character-for-character comparison. */
  public static ExactMatchVerifier exact() {
    return new ExactMatchVerifier(Whitespace.KEEP, false);
  }

  /** Collapsed whitespace, case ignored: the usual choice for short answers. */
  public static ExactMatchVerifier normalised() {
    return new ExactMatchVerifier(Whitespace.COLLAPSE, true);
  }

  @Override
  public String name() {
    return NAME;
  }

  /** The generation's response against its task's ground truth. */
  @Override
  public RewardComponent score(Generation generation) {
    return verify(generation.getResponse(), generation.getTask().getGroundTruth());
  }

  public RewardComponent verify(String response, String expected) {
    if (expected == null) {
      return FormatRewards.component(
          NAME, VERSION, null, RewardStatus.UNSCORABLE, "expected text missing");
    }
    if (response == null) {
      return FormatRewards.binary(NAME, VERSION, false, "no response");
    }
    boolean equal = normalise(response).equals(normalise(expected));
    return FormatRewards.binary(NAME, VERSION, equal, equal ? "match" : "no match");
  }

  /** The text as it is compared. */
  public String normalise(String text) {
    String result =
        switch (whitespace) {
          case KEEP -> text;
          case TRIM -> text.strip();
          case COLLAPSE -> collapseWhitespace(text);
        };
    // Upper then lower folds more pairs than either alone (e.g. the Kelvin sign and 'k').
    return ignoreCase ? result.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT) : result;
  }

  private static String collapseWhitespace(String text) {
    StringBuilder out = new StringBuilder(text.length());
    boolean pendingSpace = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
        pendingSpace = out.length() > 0;
      } else {
        if (pendingSpace) {
          out.append(' ');
          pendingSpace = false;
        }
        out.append(c);
      }
    }
    return out.toString();
  }
}

package io.lodestar.operators.verify.confidence;

import java.util.List;
import java.util.Locale;

/**
 * Self-certainty of a response from the policy's own token distributions: for each token, {@code
 * KL(U || p)} from the uniform distribution {@code U} over the server's top-k candidates to the
 * model's distribution {@code p} renormalised over the same k, averaged over the tokens. With top-k
 * log-probs {@code l_1..l_k}:
 *
 * <pre>KL(U || p) = logsumexp(l) - mean(l) - ln k</pre>
 *
 * which is 0 for a flat distribution and grows as the mass concentrates. Without top-k, {@link
 * #meanLogprob} is the fallback: the mean sampled-token log-prob, a different quantity. Pure and
 * stateless; bad input gives an {@link Outcome} with a reason, never an exception.
 */
public final class SelfCertainty {

  /**
   * @param value the score, or null when the input could not be scored
   * @param detail what was computed ({@code kl-uniform k=.. tokens=..} or {@code
   *     fallback=mean-logprob tokens=..}), or why nothing was
   */
  public record Outcome(Double value, String detail) {

    static Outcome unscorable(String reason) {
      return new Outcome(null, reason);
    }

    public boolean scored() {
      return value != null;
    }
  }

  private SelfCertainty() {}

  /**
   * Mean over tokens of {@code KL(U || p)} over each token's top-k log-probs.
   *
   * @param topLogprobs one inner list per response token, each holding that token's k top
   *     log-probs; every token must have the same k, at least 2
   * @param responseTokens the response's token count when known (else null); a different number of
   *     inner lists is unscorable
   */
  public static Outcome meanKlFromUniform(
      List<? extends List<Float>> topLogprobs, Integer responseTokens) {
    if (topLogprobs == null || topLogprobs.isEmpty()) {
      return Outcome.unscorable("topLogprobs empty");
    }
    if (responseTokens != null && responseTokens != topLogprobs.size()) {
      return Outcome.unscorable(
          "topLogprobs has "
              + topLogprobs.size()
              + " tokens but the response has "
              + responseTokens);
    }
    List<Float> first = topLogprobs.get(0);
    int k = first == null ? 0 : first.size();
    if (k < 2) {
      return Outcome.unscorable("topLogprobs[0] has " + k + " candidates, at least 2 needed");
    }
    double sum = 0;
    for (int t = 0; t < topLogprobs.size(); t++) {
      List<Float> token = topLogprobs.get(t);
      int size = token == null ? 0 : token.size();
      if (size != k) {
        return Outcome.unscorable(
            "topLogprobs is ragged: token " + t + " has " + size + " candidates, token 0 has " + k);
      }
      double max = Double.NEGATIVE_INFINITY;
      double mean = 0;
      for (int j = 0; j < k; j++) {
        Float logprob = token.get(j);
        String problem = problem(logprob);
        if (problem != null) {
          return Outcome.unscorable("topLogprobs[" + t + "][" + j + "] " + problem);
        }
        max = Math.max(max, logprob);
        mean += logprob;
      }
      mean /= k;
      double shifted = 0;
      for (int j = 0; j < k; j++) {
        shifted += Math.exp(token.get(j) - max);
      }
      double logSumExp = max + Math.log(shifted);
      // Rounding may leave a tiny negative value for a flat distribution; KL is never below 0.
      sum += Math.max(0.0, logSumExp - mean - Math.log(k));
    }
    return new Outcome(
        sum / topLogprobs.size(),
        String.format(Locale.ROOT, "kl-uniform k=%d tokens=%d", k, topLogprobs.size()));
  }

  /** The fallback without top-k: the mean of the sampled tokens' log-probs (at most 0). */
  public static Outcome meanLogprob(List<Float> responseLogprobs) {
    if (responseLogprobs == null || responseLogprobs.isEmpty()) {
      return Outcome.unscorable("responseLogprobs empty");
    }
    double sum = 0;
    for (int t = 0; t < responseLogprobs.size(); t++) {
      Float logprob = responseLogprobs.get(t);
      String problem = problem(logprob);
      if (problem != null) {
        return Outcome.unscorable("responseLogprobs[" + t + "] " + problem);
      }
      sum += logprob;
    }
    return new Outcome(
        sum / responseLogprobs.size(),
        String.format(Locale.ROOT, "fallback=mean-logprob tokens=%d", responseLogprobs.size()));
  }

  /** Why a value is not a usable log-probability, or null when it is one. */
  private static String problem(Float logprob) {
    if (logprob == null) {
      return "is missing";
    }
    if (Float.isNaN(logprob)) {
      return "is NaN";
    }
    if (logprob > 0) {
      return "is positive (" + logprob + "), not a log-probability";
    }
    if (Float.isInfinite(logprob)) {
      // A zero-probability candidate makes KL(U || p) infinite and the mean meaningless.
      return "is -Infinity";
    }
    return null;
  }
}

package io.lodestar.operators.reward.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Clusters the answers of one group by an equivalence, cheaply: answers with the same key join a
 * cluster without a comparison, any other answer is compared only with each cluster's first answer
 * (its representative), largest cluster first, and never more than {@code maxComparisons} times per
 * group. An answer left uncompared because the allowance ran out starts a cluster of its own, so a
 * cap can only split agreement, never invent it. Pure, no Flink types.
 */
public final class AnswerClusters {

  /** The cluster of a member without an answer. */
  public static final int NO_ANSWER = -1;

  private AnswerClusters() {}

  /** Whether {@code other} is the same answer as a cluster's {@code representative}. */
  @FunctionalInterface
  public interface Sameness<A> {
    boolean same(A representative, A other);
  }

  /**
   * The clusters of a group: {@code clusterOf[i]} is member i's cluster or {@link #NO_ANSWER},
   * {@code sizes[c]} and {@code representatives[c]} (a member index) describe cluster c, in order
   * of creation; {@code comparisons} were made, {@code capped} when the allowance ran out before
   * every answer was compared with every cluster it could have joined.
   */
  public record Result(
      int[] clusterOf, int[] sizes, int[] representatives, int comparisons, boolean capped) {

    public int members() {
      return clusterOf.length;
    }

    public int clusterCount() {
      return sizes.length;
    }

    /** Members with an answer. */
    public int answered() {
      int answered = 0;
      for (int c : clusterOf) {
        if (c != NO_ANSWER) {
          answered++;
        }
      }
      return answered;
    }

    /** The size of the largest cluster, 0 when no member has an answer. */
    public int largestSize() {
      int largest = 0;
      for (int size : sizes) {
        largest = Math.max(largest, size);
      }
      return largest;
    }

    /** The largest cluster when exactly one cluster has that size, else {@link #NO_ANSWER}. */
    public int uniqueLargest() {
      int largest = largestSize();
      int found = NO_ANSWER;
      for (int c = 0; c < sizes.length; c++) {
        if (sizes[c] == largest) {
          if (found != NO_ANSWER) {
            return NO_ANSWER;
          }
          found = c;
        }
      }
      return found;
    }

    /** Members in member i's cluster (itself included), 0 for a member without an answer. */
    public int agreeing(int member) {
      int c = clusterOf[member];
      return c == NO_ANSWER ? 0 : sizes[c];
    }
  }

  /**
   * Clusters {@code answers} (null: the member has none) in the order given.
   *
   * @param key equal keys are the same answer without a comparison
   * @param sameness the equivalence; called with a cluster's representative first
   * @param maxComparisons at most this many calls of {@code sameness}; 0 clusters by key alone
   */
  public static <A> Result cluster(
      List<A> answers, Function<A, String> key, Sameness<A> sameness, int maxComparisons) {
    if (maxComparisons < 0) {
      throw new IllegalArgumentException("maxComparisons must be >= 0, was " + maxComparisons);
    }
    int[] clusterOf = new int[answers.size()];
    List<Integer> sizes = new ArrayList<>();
    List<Integer> representatives = new ArrayList<>();
    Map<String, Integer> byKey = new HashMap<>();
    int comparisons = 0;
    boolean capped = false;
    for (int i = 0; i < answers.size(); i++) {
      A answer = answers.get(i);
      if (answer == null) {
        clusterOf[i] = NO_ANSWER;
        continue;
      }
      String k = key.apply(answer);
      Integer found = byKey.get(k);
      if (found == null) {
        for (int c : largestFirst(sizes)) {
          if (comparisons >= maxComparisons) {
            capped = true;
            break;
          }
          comparisons++;
          if (sameness.same(answers.get(representatives.get(c)), answer)) {
            found = c;
            break;
          }
        }
        if (found == null) {
          found = sizes.size();
          sizes.add(0);
          representatives.add(i);
        }
        byKey.put(k, found);
      }
      sizes.set(found, sizes.get(found) + 1);
      clusterOf[i] = found;
    }
    return new Result(
        clusterOf,
        sizes.stream().mapToInt(Integer::intValue).toArray(),
        representatives.stream().mapToInt(Integer::intValue).toArray(),
        comparisons,
        capped);
  }

  /** Cluster indices by size, largest first, earlier clusters first among equals. */
  private static List<Integer> largestFirst(List<Integer> sizes) {
    List<Integer> order = new ArrayList<>(sizes.size());
    for (int c = 0; c < sizes.size(); c++) {
      order.add(c);
    }
    order.sort((a, b) -> sizes.get(b) - sizes.get(a));
    return order;
  }
}

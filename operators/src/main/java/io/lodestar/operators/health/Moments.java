package io.lodestar.operators.health;

/**
 * Count, mean, sum of squared deviations, min and max of a stream of values, updated with Welford's
 * method and merged with Chan's formula, so partial windows combine without the cancellation that
 * sum-of-squares loses. A Flink POJO (public fields, no-argument constructor).
 */
public class Moments {

  public long count;
  public double mean;
  public double m2;
  public double min = Double.POSITIVE_INFINITY;
  public double max = Double.NEGATIVE_INFINITY;

  public Moments() {}

  public void add(double x) {
    count++;
    double delta = x - mean;
    mean += delta / count;
    m2 += delta * (x - mean);
    min = Math.min(min, x);
    max = Math.max(max, x);
  }

  public void merge(Moments other) {
    if (other.count == 0) {
      return;
    }
    if (count == 0) {
      count = other.count;
      mean = other.mean;
      m2 = other.m2;
      min = other.min;
      max = other.max;
      return;
    }
    long n = count + other.count;
    double delta = other.mean - mean;
    mean += delta * other.count / n;
    m2 += other.m2 + delta * delta * ((double) count * other.count / n);
    count = n;
    min = Math.min(min, other.min);
    max = Math.max(max, other.max);
  }

  /** Population standard deviation (ddof 0); 0 for a single value. */
  public double populationStd() {
    return count == 0 ? 0 : Math.sqrt(Math.max(0, m2 / count));
  }
}

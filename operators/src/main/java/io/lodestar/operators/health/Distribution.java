package io.lodestar.operators.health;

import io.lodestar.schema.DistributionSummary;

/** Moments plus a quantile sketch of one quantity; mergeable. A Flink POJO. */
public class Distribution {

  public Moments moments = new Moments();
  public QuantileSketch sketch = new QuantileSketch();

  public Distribution() {}

  public void add(double x) {
    if (Double.isFinite(x)) {
      moments.add(x);
      sketch.add(x);
    }
  }

  public void merge(Distribution other) {
    moments.merge(other.moments);
    sketch.merge(other.sketch);
  }

  public long count() {
    return moments.count;
  }

  /** The summary, or null when nothing was added. */
  public DistributionSummary summary() {
    if (moments.count == 0) {
      return null;
    }
    return DistributionSummary.newBuilder()
        .setCount(moments.count)
        .setMean(moments.mean)
        .setStd(moments.populationStd())
        .setMin(moments.min)
        .setMax(moments.max)
        .setP10(clamp(sketch.quantile(0.10)))
        .setP50(clamp(sketch.quantile(0.50)))
        .setP90(clamp(sketch.quantile(0.90)))
        .build();
  }

  // A bucket representative may lie just outside the observed range; the exact extremes bound it.
  private double clamp(double q) {
    return Math.max(moments.min, Math.min(moments.max, q));
  }
}

package io.lodestar.operators.health;

/**
 * Streaming Pearson correlation of (x, y) pairs: running means and co-moments updated Welford style
 * and merged with Chan's pairwise formula, numerically stable for large, offset values (lengths in
 * the thousands against rewards in [0, 1]). A Flink POJO.
 */
public class CoMoments {

  public long count;
  public double meanX;
  public double meanY;
  public double m2x;
  public double m2y;
  public double cxy;

  public CoMoments() {}

  public void add(double x, double y) {
    count++;
    double dx = x - meanX;
    meanX += dx / count;
    double dy = y - meanY;
    meanY += dy / count;
    // Mixes the old deviation of one coordinate with the new deviation of the other: exact, stable.
    m2x += dx * (x - meanX);
    m2y += dy * (y - meanY);
    cxy += dx * (y - meanY);
  }

  public void merge(CoMoments other) {
    if (other.count == 0) {
      return;
    }
    if (count == 0) {
      count = other.count;
      meanX = other.meanX;
      meanY = other.meanY;
      m2x = other.m2x;
      m2y = other.m2y;
      cxy = other.cxy;
      return;
    }
    long n = count + other.count;
    double dx = other.meanX - meanX;
    double dy = other.meanY - meanY;
    double weight = (double) count * other.count / n;
    m2x += other.m2x + dx * dx * weight;
    m2y += other.m2y + dy * dy * weight;
    cxy += other.cxy + dx * dy * weight;
    meanX += dx * other.count / n;
    meanY += dy * other.count / n;
    count = n;
  }

  /** Pearson's r; null with fewer than two points or when either coordinate is constant. */
  public Double correlation() {
    if (count < 2 || m2x <= 0 || m2y <= 0) {
      return null;
    }
    double r = cxy / Math.sqrt(m2x * m2y);
    return Math.max(-1.0, Math.min(1.0, r));
  }
}

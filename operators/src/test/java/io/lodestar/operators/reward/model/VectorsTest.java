package io.lodestar.operators.reward.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class VectorsTest {

  @Test
  void meanPoolsOnlyUnmaskedTokensAndNormalises() {
    // batch 2, length 3, hidden 2; row 0 has its last position masked out.
    float[] states = {1, 0, 3, 0, 100, 100, 0, 2, 0, 4, 0, 6};
    long[][] mask = {{1, 1, 0}, {1, 1, 1}};
    float[][] pooled = Vectors.meanPool(states, mask, 2);
    assertThat(pooled[0]).containsExactly(1f, 0f);
    assertThat(pooled[1]).containsExactly(0f, 1f);
  }

  @Test
  void cosineOfKnownVectors() {
    assertThat(Vectors.cosine(new float[] {1, 0}, new float[] {0, 1})).isEqualTo(0.0);
    assertThat(Vectors.cosine(new float[] {1, 1}, new float[] {2, 2})).isCloseTo(1.0, within(1e-9));
    assertThat(Vectors.cosine(new float[] {1, 0}, new float[] {-1, 0})).isEqualTo(-1.0);
    assertThat(Vectors.cosine(new float[] {0, 0}, new float[] {1, 0})).isEqualTo(0.0);
  }

  @Test
  void meanPairwiseCosineDistanceAveragesAllPairs() {
    float[] x = {1, 0};
    float[] y = {0, 1};
    float[] minusX = {-1, 0};
    // pairs: (x,y)=1, (x,-x)=2, (y,-x)=1 -> 4/3
    assertThat(Vectors.meanPairwiseCosineDistance(List.of(x, y, minusX)))
        .isCloseTo(4.0 / 3, within(1e-9));
    assertThat(Vectors.meanPairwiseCosineDistance(List.of(x, x))).isCloseTo(0.0, within(1e-9));
    assertThat(Vectors.meanPairwiseCosineDistance(List.of(x))).isNull();
    assertThat(Vectors.meanPairwiseCosineDistance(List.of())).isNull();
  }
}

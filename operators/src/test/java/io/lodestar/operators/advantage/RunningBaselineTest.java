package io.lodestar.operators.advantage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RunningBaselineTest {

  @Test
  void givesTheFirstRewardOfAPromptNoAdvantage() {
    RunningBaseline fresh = RunningBaseline.start(0.1);
    assertThat(fresh.advantage(0.9)).isZero();

    RunningBaseline afterOne = fresh.update(0.9);
    assertThat(afterOne.count()).isOne();
    assertThat(afterOne.mean()).isEqualTo(0.9);
    assertThat(afterOne.variance()).isZero();
  }

  @Test
  void matchesHandComputedUpdates() {
    // alpha 0.5: after 1, mean 1 and variance 0. Then 0: d = -1, mean 0.5, variance 0.5 * (0 + 0.5)
    // = 0.25.
    RunningBaseline state = RunningBaseline.start(0.5).update(1.0);
    RunningBaseline next = state.update(0.0);
    assertThat(next.mean()).isEqualTo(0.5);
    assertThat(next.variance()).isEqualTo(0.25);
    assertThat(next.count()).isEqualTo(2);
    // advantage(0) uses the folded-in state: (0 - 0.5) / (0.5 + eps).
    assertThat(state.advantage(0.0)).isCloseTo(-0.5 / (0.5 + 1e-6), within(1e-15));
  }

  @Test
  void followsTheExponentiallyWeightedRecurrences() {
    double alpha = 0.2;
    Random random = new Random(11);
    RunningBaseline state = RunningBaseline.start(alpha);
    double mean = 0;
    double variance = 0;
    for (int i = 0; i < 500; i++) {
      double r = random.nextGaussian() * 2 + 1;
      state = state.update(r);
      if (i == 0) {
        mean = r;
      } else {
        double previousMean = mean;
        mean = (1 - alpha) * previousMean + alpha * r;
        variance = (1 - alpha) * (variance + alpha * (r - previousMean) * (r - previousMean));
      }
      assertThat(state.mean()).isCloseTo(mean, within(1e-12));
      assertThat(state.variance()).isCloseTo(variance, within(1e-12));
    }
  }

  @Test
  void keepsAdvantagesBoundedEvenAfterARunOfIdenticalRewards() {
    double alpha = 0.1;
    double bound = Math.sqrt((1 - alpha) / alpha);
    RunningBaseline state = RunningBaseline.start(alpha);
    for (int i = 0; i < 50; i++) {
      state = state.update(0.0);
    }
    assertThat(state.variance()).isZero();
    assertThat(state.advantage(1.0)).isPositive().isLessThanOrEqualTo(bound);
    assertThat(state.advantage(-1.0)).isNegative().isGreaterThanOrEqualTo(-bound);

    Random random = new Random(3);
    for (int i = 0; i < 5_000; i++) {
      double r = random.nextInt(4) == 0 ? random.nextGaussian() * 100 : random.nextInt(2);
      assertThat(Math.abs(state.advantage(r))).isLessThanOrEqualTo(bound);
      state = state.update(r);
    }
  }

  @Test
  void ignoresUnscoredRewards() {
    RunningBaseline state = RunningBaseline.start(0.3).update(1.0).update(0.0);
    assertThat(state.update(null)).isSameAs(state);
    assertThat(state.update(Double.NaN)).isSameAs(state);
    assertThat(state.update(Double.POSITIVE_INFINITY)).isSameAs(state);
    assertThat(state.advantage(null)).isZero();
    assertThat(state.advantage(Double.NaN)).isZero();
  }

  @Test
  void isAnImmutableValueThatSurvivesJavaSerialization() throws Exception {
    RunningBaseline before = RunningBaseline.start(0.25, 1e-4).update(0.5);
    RunningBaseline after = before.update(1.0);
    assertThat(before.count()).isOne(); // update returned a new state

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(after);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertThat(in.readObject()).isEqualTo(after);
    }
  }

  @Test
  void refusesInvalidSettingsAndStates() {
    assertThatThrownBy(() -> RunningBaseline.start(0.0)).hasMessageContaining("alpha");
    assertThatThrownBy(() -> RunningBaseline.start(1.0)).hasMessageContaining("alpha");
    assertThatThrownBy(() -> RunningBaseline.start(0.1, -1)).hasMessageContaining("eps");
    assertThatThrownBy(() -> new RunningBaseline(0.1, 1e-6, 2, 0.0, -1.0))
        .hasMessageContaining("variance");
  }
}

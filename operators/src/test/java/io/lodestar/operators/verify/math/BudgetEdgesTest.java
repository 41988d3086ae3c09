package io.lodestar.operators.verify.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The budget's limits are inclusive: the last step and the deadline itself are still allowed. */
class BudgetEdgesTest {

  @Test
  void everyStepOfTheAllowanceMayBeTakenAndNotOneMore() {
    Budget budget = new Budget(1_000, 3, () -> 0L);
    budget.tick();
    budget.tick();
    budget.tick();

    assertThat(budget.stepsLeft()).isZero();
    assertThatThrownBy(budget::tick).hasMessage("step budget exceeded");
  }

  @Test
  void chargingAtTheDeadlineIsAllowedAndANanosecondLaterIsNot() {
    long[] now = {0};
    Budget budget = new Budget(5, 10, () -> now[0]);
    now[0] = 5_000_000L;
    budget.charge(1);

    now[0] = 5_000_001L;
    assertThatThrownBy(() -> budget.charge(1)).hasMessage("time budget exceeded");
  }

  @Test
  void tickingAtTheDeadlineIsAllowed() {
    long[] now = {0};
    Budget budget = new Budget(5, 64, () -> now[0]);
    now[0] = 5_000_000L;
    for (int i = 0; i < 64; i++) {
      budget.tick();
    }

    assertThat(budget.stepsLeft()).isZero();
  }
}

package io.lodestar.operators.verify.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BudgetTest {

  private static final long AN_HOUR_MS = 3_600_000L;

  @Test
  void chargingStepsSpendsTheBudgetAsThatManyTicks() {
    Budget ticked = new Budget(AN_HOUR_MS, 100);
    Budget charged = new Budget(AN_HOUR_MS, 100);
    for (int i = 0; i < 40; i++) {
      ticked.tick();
    }

    charged.charge(40);

    assertThat(charged.stepsLeft()).isEqualTo(ticked.stepsLeft()).isEqualTo(60);
  }

  @Test
  void chargingMoreThanIsLeftExceedsTheBudget() {
    Budget budget = new Budget(AN_HOUR_MS, 10);
    budget.charge(10);

    assertThatThrownBy(() -> budget.charge(1)).isInstanceOf(Budget.Exceeded.class).hasMessageContaining("step");
  }

  @Test
  void chargingAfterTheDeadlineExceedsTheBudget() {
    Budget budget = new Budget(-1, 10);

    assertThatThrownBy(() -> budget.charge(0)).isInstanceOf(Budget.Exceeded.class).hasMessageContaining("time");
  }
}

package io.lodestar.operators.verify.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BudgetTest {

  private static final long AN_HOUR_MS = 3_600_000L;
  private static final Budget.NanoClock STOPPED = () -> 0L;

  @Test
  void chargingStepsSpendsTheBudgetAsThatManyTicks() {
    Budget ticked = new Budget(AN_HOUR_MS, 100, STOPPED);
    Budget charged = new Budget(AN_HOUR_MS, 100, STOPPED);
    for (int i = 0; i < 40; i++) {
      ticked.tick();
    }

    charged.charge(40);

    assertThat(charged.stepsLeft()).isEqualTo(ticked.stepsLeft()).isEqualTo(60);
  }

  @Test
  void chargingMoreThanIsLeftExceedsTheBudget() {
    Budget budget = new Budget(AN_HOUR_MS, 10, STOPPED);
    budget.charge(10);

    assertThatThrownBy(() -> budget.charge(1))
        .isInstanceOf(Budget.Exceeded.class)
        .hasMessageContaining("step");
  }

  @Test
  void chargingAfterTheDeadlineExceedsTheBudget() {
    long[] now = {0};
    Budget budget = new Budget(5, 10, () -> now[0]);
    budget.charge(0);
    now[0] = 5_000_001L;

    assertThatThrownBy(() -> budget.charge(0))
        .isInstanceOf(Budget.Exceeded.class)
        .hasMessage("time budget exceeded");
  }

  @Test
  void tickingChecksTheClockEverySixtyFourSteps() {
    long[] now = {0};
    Budget budget = new Budget(5, 1_000, () -> now[0]);
    now[0] = 5_000_001L;
    int ticks = 0;
    try {
      while (ticks < 1_000) {
        budget.tick();
        ticks++;
      }
    } catch (Budget.Exceeded e) {
      assertThat(e).hasMessage("time budget exceeded");
    }

    // 1,000 steps: the first multiple of 64 left is 960, reached on the 40th tick.
    assertThat(ticks).isEqualTo(39);
  }
}

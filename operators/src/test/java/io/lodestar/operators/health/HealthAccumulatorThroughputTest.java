package io.lodestar.operators.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.schema.HealthMetrics;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Prints how many scored-generation events per second one accumulator takes (no speed assertion).
 */
class HealthAccumulatorThroughputTest {

  @Test
  void printsEventsPerSecond() {
    HealthEvents toEvents = new HealthEvents(false);
    List<HealthEvent> events = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      double accuracy = i % 3 == 0 ? 0 : 1;
      events.addAll(
          toEvents.generation(
              HealthFixtures.scored(
                  "g" + i,
                  i,
                  accuracy,
                  50 + i % 700,
                  HealthFixtures.accuracy(accuracy),
                  HealthFixtures.format(1),
                  HealthFixtures.model(i % 10 / 10.0))));
    }
    HealthSettings settings = HealthSettings.defaults();
    int rounds = 300;
    long best = Long.MAX_VALUE;
    HealthMetrics last = null;
    for (int warm = 0; warm < 3; warm++) {
      long start = System.nanoTime();
      for (int r = 0; r < rounds; r++) {
        HealthAccumulator acc = new HealthAccumulator();
        for (HealthEvent e : events) {
          acc.add(e, settings);
        }
        last = acc.toMetrics(0, 60_000, 0);
      }
      best = Math.min(best, System.nanoTime() - start);
    }
    double perSecond = rounds * (double) events.size() / (best / 1e9);
    System.out.printf(
        "health accumulator: %.0f scored generations/s per core (3 components each, 1,000 per window)%n",
        perSecond);
    assertThat(last.getGenerations()).isEqualTo(events.size());
  }
}

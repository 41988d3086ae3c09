package io.lodestar.operators.health;

import static io.lodestar.operators.health.HealthFixtures.accuracy;
import static io.lodestar.operators.health.HealthFixtures.scored;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthEventBufferTest {

  private static final long WINDOW = 60_000;
  private static final HealthEvents EVENTS = new HealthEvents(true);

  @Test
  void eventsAreBatchedPerKeyAndWindowInArrivalOrder() {
    HealthEventBuffer buffer = new HealthEventBuffer(WINDOW);
    List<HealthEvent> sent = new ArrayList<>();
    sent.addAll(EVENTS.generation(scored("a", 7, 1_000, 1.0, 10, accuracy(1))));
    sent.addAll(EVENTS.generation(scored("b", 8, 2_000, 0.0, 20, accuracy(0))));
    sent.addAll(EVENTS.generation(scored("c", 7, 61_000, 0.5, 30, accuracy(1))));
    sent.addAll(EVENTS.generation(scored("d", 7, 3_000, 0.25, 40, accuracy(0))));
    sent.forEach(buffer::add);
    assertThat(buffer.size()).isEqualTo(sent.size());

    List<HealthEventBatch> batches = buffer.drain();

    assertThat(buffer.size()).isZero();
    assertThat(buffer.drain()).isEmpty();
    assertThat(batches).extracting(b -> b.key + "@" + b.windowStartMs).doesNotHaveDuplicates();
    assertThat(batches.stream().mapToInt(b -> b.events.size()).sum()).isEqualTo(sent.size());
    for (HealthEventBatch batch : batches) {
      List<HealthEvent> expected =
          sent.stream()
              .filter(
                  e ->
                      e.key().equals(batch.key)
                          && HealthEventBuffer.windowStart(e.eventTimeMs, WINDOW)
                              == batch.windowStartMs)
              .toList();
      assertThat(batch.events).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void aWindowAddedBatchByBatchEqualsOneAddedEventByEvent() {
    HealthSettings settings = HealthSettings.defaults();
    HealthEventBuffer buffer = new HealthEventBuffer(WINDOW);
    HealthAccumulator oneByOne = new HealthAccumulator();
    HealthAccumulator batched = new HealthAccumulator();
    for (int i = 0; i < 50; i++) {
      for (HealthEvent e :
          new HealthEvents(false)
              .generation(scored("g" + i, 7, 1_000 + i, i % 3 / 2.0, 10 + i, accuracy(i % 2)))) {
        oneByOne.add(e, settings);
        buffer.add(e);
      }
      if (i % 7 == 0) {
        buffer.drain().forEach(b -> b.events.forEach(e -> batched.add(e, settings)));
      }
    }
    buffer.drain().forEach(b -> b.events.forEach(e -> batched.add(e, settings)));

    assertThat(batched.toMetrics(0, WINDOW, 0)).isEqualTo(oneByOne.toMetrics(0, WINDOW, 0));
  }

  @Test
  void aWindowThatIsNotPositiveIsRefused() {
    assertThatThrownBy(() -> new HealthEventBuffer(0))
        .hasMessageContaining("window must be positive");
  }
}

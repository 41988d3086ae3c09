package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

class ParsedEventTimeTest {

  /** Collects what a generator emits. */
  private static final class Emitted implements WatermarkOutput {
    final List<Long> watermarks = new ArrayList<>();

    @Override
    public void emitWatermark(Watermark watermark) {
      watermarks.add(watermark.getTimestamp());
    }

    @Override
    public void markIdle() {}

    @Override
    public void markActive() {}
  }

  @Test
  void theWatermarkMovesWithTheRecordThatRaisesItNotOnAPeriod() {
    var generator = new ParsedEventTime.RecordDrivenWatermarks<String>(5_000);
    Emitted out = new Emitted();

    generator.onEvent("a", 100_000, out);
    generator.onPeriodicEmit(out);
    generator.onEvent("b", 99_000, out); // behind the newest: no new watermark
    generator.onEvent("c", 100_000, out);
    generator.onEvent("d", 130_000, out);

    assertThat(out.watermarks).containsExactly(100_000L - 5_000 - 1, 130_000L - 5_000 - 1);
  }
}

package io.lodestar.operators.preference;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.TestRecords;
import io.lodestar.operators.preference.GenerationJoinFunction.Side;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.schema.VoteOutcome;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FeedbackHalvesFunctionTest {

  private static final long T0 = 1_767_225_600_000L;
  private static final Duration MAX_WAIT = Duration.ofMinutes(10);

  private KeyedOneInputStreamOperatorTestHarness<String, FeedbackJoin, FeedbackJoin> harness;

  @BeforeEach
  void open() throws Exception {
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new FeedbackHalvesFunction(MAX_WAIT)),
            h -> h.feedback.getFeedbackId(),
            Types.STRING);
    harness.open();
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  @Test
  void joinsTheTwoHalvesInEitherOrderAndClearsItsState() throws Exception {
    Feedback vote = TestRecords.vote("f-1", "g-a", "g-b", VoteOutcome.A).setCreatedAtMs(T0).build();
    ScoredGeneration a =
        TestRecords.scored(TestRecords.generation("g-a").setCreatedAtMs(T0).build(), 1.0).build();
    ScoredGeneration b =
        TestRecords.scored(TestRecords.generation("g-b").setCreatedAtMs(T0).build(), 0.0).build();

    harness.processElement(new FeedbackJoin(vote, null, b, Side.B), T0);
    assertThat(harness.extractOutputValues()).isEmpty();
    harness.processElement(new FeedbackJoin(vote, a, null, Side.A), T0);

    List<FeedbackJoin> joined = harness.extractOutputValues();
    assertThat(joined)
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.a).isEqualTo(a);
              assertThat(v.b).isEqualTo(b);
            });
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void dropsAHalfWhosePartnerNeverComesOnceTheWaitIsOver() throws Exception {
    Feedback vote =
        TestRecords.vote("f-2", "g-a", "g-missing", VoteOutcome.B).setCreatedAtMs(T0).build();
    harness.processElement(
        new FeedbackJoin(
            vote,
            TestRecords.scored(TestRecords.generation("g-a").setCreatedAtMs(T0).build(), 1.0)
                .build(),
            null,
            Side.A),
        T0);

    harness.processWatermark(new Watermark(T0 + MAX_WAIT.toMillis() + 1));

    assertThat(harness.extractOutputValues()).isEmpty();
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }
}

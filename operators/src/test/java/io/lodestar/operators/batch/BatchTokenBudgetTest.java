package io.lodestar.operators.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.TestRecords;
import io.lodestar.operators.advantage.AdvantageSpec;
import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.junit.jupiter.api.Test;

/** A batch closes at N groups or when the next group would take it over the token budget. */
class BatchTokenBudgetTest {

  private static final Duration MAX_WAIT = Duration.ofMinutes(1);

  @Test
  void aBatchClosesBeforeTheGroupThatWouldExceedTheBudget() throws Exception {
    // Each group: 2 samples x (prompt 10 + response 20) = 60 tokens.
    try (var h =
        BatchHarness.open(
            new BatchLimits(8, 150), MAX_WAIT, Staleness.off(), AdvantageSpec.lodestarGrpo())) {
      for (int i = 0; i < 5; i++) {
        RLGroup g = withTokens("g" + i, 1_000 + i, 10, 20);
        h.processElement1(g, g.getClosedAtMs());
      }
      h.processBothWatermarks(new Watermark(Long.MAX_VALUE));

      List<RLBatch> batches = h.extractOutputValues();
      assertThat(batches).extracting(b -> b.getGroups().size()).containsExactly(2, 2, 1);
      assertThat(batches).extracting(RLBatch::getTokenCount).containsExactly(120L, 120L, 60L);
      assertThat(h.numKeyedStateEntries()).as("only the sequence counter").isEqualTo(1);
      assertThat(h.numEventTimeTimers()).isZero();
    }
  }

  @Test
  void aBatchThatReachesTheBudgetExactlyGoesOutAtOnce() throws Exception {
    try (var h =
        BatchHarness.open(
            new BatchLimits(8, 120), MAX_WAIT, Staleness.off(), AdvantageSpec.lodestarGrpo())) {
      h.processElement1(withTokens("a", 1_000, 10, 20), 1_000);
      h.processElement1(withTokens("b", 1_001, 10, 20), 1_001);
      h.processBothWatermarks(new Watermark(1_001));

      assertThat(h.extractOutputValues())
          .singleElement()
          .satisfies(b -> assertThat(b.getTokenCount()).isEqualTo(120L));
    }
  }

  @Test
  void aGroupLargerThanTheBudgetGoesOutAloneNeverDropped() throws Exception {
    try (var h =
        BatchHarness.open(
            new BatchLimits(8, 100), MAX_WAIT, Staleness.off(), AdvantageSpec.lodestarGrpo())) {
      h.processElement1(withTokens("small", 1_000, 5, 5), 1_000);
      h.processElement1(withTokens("huge", 1_001, 100, 400), 1_001);
      h.processElement1(withTokens("after", 1_002, 5, 5), 1_002);
      h.processBothWatermarks(new Watermark(Long.MAX_VALUE));

      assertThat(h.extractOutputValues())
          .extracting(b -> b.getGroups().stream().map(RLGroup::getGroupId).toList())
          .containsExactly(List.of("small"), List.of("huge"), List.of("after"));
    }
  }

  @Test
  void theGroupCountStillClosesABatchUnderTheBudget() throws Exception {
    try (var h =
        BatchHarness.open(
            new BatchLimits(2, 1_000_000),
            MAX_WAIT,
            Staleness.off(),
            AdvantageSpec.lodestarGrpo())) {
      for (int i = 0; i < 4; i++) {
        h.processElement1(withTokens("g" + i, 1_000 + i, 10, 20), 1_000 + i);
      }
      h.processBothWatermarks(new Watermark(Long.MAX_VALUE));
      assertThat(h.extractOutputValues())
          .extracting(b -> b.getGroups().size())
          .containsExactly(2, 2);
    }
  }

  @Test
  void missingTokenIdsAreEstimatedAtFourCharactersPerToken() {
    RLGroup g = TestRecords.group("text-only", 1_000).build();
    g.setPrompt(new ArrayList<>(List.of(new ChatMessage("user", "x".repeat(10)))));
    for (RLSample s : g.getSamples()) {
      s.setResponse("y".repeat(9));
      s.setResponseTokenIds(null);
    }
    // ceil(10 / 4) = 3 prompt tokens, ceil(9 / 4) = 3 response tokens, two samples.
    assertThat(TokenCounts.group(g)).isEqualTo(12);
    assertThat(TokenCounts.exact(g)).isFalse();
    g.setPromptTokenIds(new ArrayList<>(List.of(1, 2)));
    g.getSamples().forEach(s -> s.setResponseTokenIds(new ArrayList<>(List.of(1, 2, 3, 4, 5))));
    assertThat(TokenCounts.group(g)).isEqualTo(14);
    assertThat(TokenCounts.exact(g)).isTrue();
  }

  @Test
  void aReplayInAnyArrivalOrderProducesTheSameBatches() throws Exception {
    Random random = new Random(42);
    List<RLGroup> groups = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      groups.add(
          withTokens(
              "g" + i,
              1_000 + random.nextInt(20) * 100,
              5 + random.nextInt(50),
              5 + random.nextInt(200)));
    }
    List<RLBatch> first = run(groups);
    for (int replay = 0; replay < 5; replay++) {
      List<RLGroup> shuffled =
          new ArrayList<>(groups.stream().map(g -> RLGroup.newBuilder(g).build()).toList());
      Collections.shuffle(shuffled, random);
      assertThat(run(shuffled)).isEqualTo(first);
    }
    assertThat(first.size()).isGreaterThan(3);
  }

  private static List<RLBatch> run(List<RLGroup> groups) throws Exception {
    try (var h =
        BatchHarness.open(
            new BatchLimits(6, 900), MAX_WAIT, Staleness.off(), AdvantageSpec.lodestarGrpo())) {
      for (RLGroup g : groups) {
        h.processElement1(g, g.getClosedAtMs());
      }
      h.processBothWatermarks(new Watermark(Long.MAX_VALUE));
      return h.extractOutputValues();
    }
  }

  /**
   * A two-sample group with token ids: {@code prompt} prompt tokens, {@code response} per response.
   */
  static RLGroup withTokens(String id, long closedAt, int prompt, int response) {
    RLGroup g = TestRecords.group(id, closedAt).build();
    g.setPromptTokenIds(new ArrayList<>(IntStream.range(0, prompt).boxed().toList()));
    for (RLSample s : g.getSamples()) {
      s.setResponseTokenIds(new ArrayList<>(IntStream.range(0, response).boxed().toList()));
    }
    return g;
  }
}

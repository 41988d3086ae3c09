package io.lodestar.operators.preference;

import static io.lodestar.operators.TestRecords.CREATED_AT_MS;
import static io.lodestar.operators.TestRecords.generation;
import static io.lodestar.operators.TestRecords.vote;
import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.TestRecords;
import io.lodestar.operators.preference.GenerationJoinFunction.Side;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.Generation;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.schema.VoteOutcome;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GenerationJoinFunctionTest {

  private static final Duration KEEP_GENERATION = Duration.ofHours(1);
  private static final Duration MAX_VOTE_WAIT = Duration.ofMinutes(10);
  private static final long KEEP_MS = KEEP_GENERATION.toMillis();
  private static final long WAIT_MS = MAX_VOTE_WAIT.toMillis();
  private static final long T0 = CREATED_AT_MS;

  private KeyedTwoInputStreamOperatorTestHarness<
          String, ScoredGeneration, FeedbackJoin, FeedbackJoin>
      harness;

  @BeforeEach
  void openHarness() throws Exception {
    harness =
        new KeyedTwoInputStreamOperatorTestHarness<>(
            new KeyedCoProcessOperator<>(
                new GenerationJoinFunction(KEEP_GENERATION, MAX_VOTE_WAIT)),
            (ScoredGeneration s) -> s.getGeneration().getGenerationId(),
            FeedbackJoin::wantedGenerationId,
            Types.STRING);
    harness.open();
  }

  @AfterEach
  void closeHarness() throws Exception {
    harness.close();
  }

  private static Generation gen(String id, long createdAtMs) {
    return generation(id).setCreatedAtMs(createdAtMs).build();
  }

  private static Feedback voteOn(String feedbackId, String a, long createdAtMs) {
    return vote(feedbackId, a, "g-b", VoteOutcome.A).setCreatedAtMs(createdAtMs).build();
  }

  private void sendGeneration(Generation g) throws Exception {
    harness.processElement1(TestRecords.scored(g, 1.0).build(), g.getCreatedAtMs());
  }

  private void sendVote(Feedback f) throws Exception {
    harness.processElement2(FeedbackJoin.request(f, Side.A), f.getCreatedAtMs());
  }

  private List<FeedbackJoin> joined() {
    return harness.extractOutputValues();
  }

  private List<FeedbackJoin> unmatched() {
    var records = harness.getSideOutput(GenerationJoinFunction.UNMATCHED);
    return records == null ? List.of() : records.stream().map(StreamRecord::getValue).toList();
  }

  private void assertStateGone() {
    assertThat(harness.numKeyedStateEntries()).as("keyed state entries").isZero();
    assertThat(harness.numEventTimeTimers()).as("event-time timers").isZero();
  }

  @Test
  void theStoredGenerationDropsOnlyTheTokenArraysAndLeavesTheInputAsItWas() {
    Generation full =
        generation("g-full")
            .setPromptTokenIds(List.of(1, 2))
            .setResponseTokenIds(List.of(3, 4))
            .setResponseLogprobs(List.of(-0.5f, -0.25f))
            .setTopLogprobs(List.of(List.of(-0.5f, -1f), List.of(-0.25f, -2f)))
            .build();
    ScoredGeneration scored = TestRecords.scored(full, 1.0).build();
    ScoredGeneration before = ScoredGeneration.newBuilder(scored).build();

    ScoredGeneration slim = GenerationJoinFunction.slim(scored);

    assertThat(scored).as("the input is unchanged").isEqualTo(before);
    assertThat(slim.getGeneration().getPromptTokenIds()).isNull();
    assertThat(slim.getGeneration().getResponseTokenIds()).isNull();
    assertThat(slim.getGeneration().getResponseLogprobs()).isNull();
    assertThat(slim.getGeneration().getTopLogprobs()).isNull();
    Generation expected =
        Generation.newBuilder(full)
            .setPromptTokenIds(null)
            .setResponseTokenIds(null)
            .setResponseLogprobs(null)
            .setTopLogprobs(null)
            .build();
    assertThat(slim.getGeneration()).isEqualTo(expected);
    assertThat(slim.getComponents()).isEqualTo(scored.getComponents());
    assertThat(slim.getReward()).isEqualTo(scored.getReward());
  }

  @Test
  void emitsAWaitingVoteWithSideAFilledWhenItsGenerationArrives() throws Exception {
    Feedback f = voteOn("f-1", "g-a", T0 + 1_000);
    Generation a = gen("g-a", T0);

    sendVote(f);
    assertThat(joined()).isEmpty();

    sendGeneration(a);

    assertThat(joined()).hasSize(1);
    FeedbackJoin join = joined().get(0);
    assertThat(join.feedback).isEqualTo(f);
    assertThat(join.a.getGeneration().getGenerationId()).isEqualTo(a.getGenerationId());
    assertThat(join.a.getGeneration().getResponseTokenIds())
        .as("token arrays are not kept")
        .isNull();
    assertThat(join.a.getReward()).isEqualTo(1.0);
    assertThat(join.b).isNull();
    assertThat(harness.numEventTimeTimers()).as("only the generation's keep timer").isEqualTo(1);
  }

  @Test
  void emitsEveryWaitingVoteForTheGeneration() throws Exception {
    sendVote(voteOn("f-1", "g-a", T0 + 1_000));
    sendVote(voteOn("f-2", "g-a", T0 + 2_000));

    sendGeneration(gen("g-a", T0));

    assertThat(joined()).extracting(j -> j.feedback.getFeedbackId()).containsExactly("f-1", "f-2");
    assertThat(joined())
        .allSatisfy(j -> assertThat(j.a.getGeneration().getGenerationId()).isEqualTo("g-a"));
  }

  @Test
  void emitsAVoteImmediatelyWhenItsGenerationIsAlreadyKnown() throws Exception {
    Generation a = gen("g-a", T0);
    sendGeneration(a);
    assertThat(joined()).isEmpty();

    sendVote(voteOn("f-1", "g-a", T0 + 1_000));

    assertThat(joined()).hasSize(1);
    assertThat(joined().get(0).a.getGeneration().getGenerationId()).isEqualTo(a.getGenerationId());
    assertThat(unmatched()).isEmpty();
  }

  @Test
  void keepsWhatSideBAlreadyHolds() throws Exception {
    Generation a = gen("g-a", T0);
    Generation b = gen("g-b", T0);
    Feedback f = voteOn("f-1", "g-a", T0 + 1_000);
    sendGeneration(a);

    harness.processElement2(
        new FeedbackJoin(f, null, TestRecords.scored(b, 0.0).build(), Side.A), f.getCreatedAtMs());

    assertThat(joined().get(0).a.getGeneration().getGenerationId()).isEqualTo(a.getGenerationId());
    assertThat(joined().get(0).b.getGeneration()).isEqualTo(b);
  }

  @Test
  void sendsAVoteWhoseGenerationNeverArrivesToUnmatchedAfterTheMaxWait() throws Exception {
    Feedback f = voteOn("f-1", "g-missing", T0);
    sendVote(f);

    watermark(T0 + WAIT_MS - 1);
    assertThat(unmatched()).isEmpty();

    watermark(T0 + WAIT_MS);

    assertThat(joined()).isEmpty();
    assertThat(unmatched()).hasSize(1);
    assertThat(unmatched().get(0).feedback).isEqualTo(f);
    assertThat(unmatched().get(0).a).isNull();
    assertStateGone();
  }

  @Test
  void clearsStateAndTimersOnceKeepGenerationAndTheWaitsHavePassed() throws Exception {
    sendVote(voteOn("f-1", "g-a", T0 + 1_000));
    sendGeneration(gen("g-a", T0));
    sendVote(voteOn("f-2", "g-a", T0 + 2_000));
    sendGeneration(gen("g-other", T0 + 5));
    assertThat(joined()).hasSize(2);

    watermark(T0 + KEEP_MS - 1);
    assertThat(harness.numKeyedStateEntries()).isPositive();

    watermark(T0 + 5 + KEEP_MS);
    assertStateGone();
    assertThat(unmatched()).isEmpty();
  }

  @Test
  void forgetsAGenerationAfterKeepGenerationSoALaterVoteGoesUnmatched() throws Exception {
    sendGeneration(gen("g-a", T0));
    watermark(T0 + KEEP_MS);
    assertStateGone();

    Feedback tooLate = voteOn("f-late", "g-a", T0 + KEEP_MS + 1);
    sendVote(tooLate);
    watermark(T0 + KEEP_MS + 1 + WAIT_MS);

    assertThat(joined()).isEmpty();
    assertThat(unmatched()).extracting(j -> j.feedback).containsExactly(tooLate);
    assertStateGone();
  }

  @Test
  void forgetsAGenerationWhoseKeepTimerCoincidesWithTheWaitOfAVoteItAnswered() throws Exception {
    // The vote's wait ends exactly when the generation's keep period ends: cancelling the wait
    // timer must not cancel the generation's expiry with it.
    long voteAt = T0 + KEEP_MS - WAIT_MS;
    sendVote(voteOn("f-1", "g-a", voteAt));
    sendGeneration(gen("g-a", T0));
    assertThat(joined()).hasSize(1);

    watermark(T0 + KEEP_MS);

    assertStateGone();
  }

  @Test
  void aVoteThirtyMinutesBeforeItsGenerationIsUnmatchedWhicheverArrivesFirst() throws Exception {
    // No watermark between them, as when one input is read far ahead of the other.
    sendVote(voteOn("f-first", "g-a", T0 - 30 * 60_000));
    sendGeneration(gen("g-a", T0));
    sendVote(voteOn("f-after", "g-a", T0 - 30 * 60_000));

    assertThat(joined()).isEmpty();
    assertThat(unmatched())
        .extracting(j -> j.feedback.getFeedbackId())
        .containsExactly("f-first", "f-after");
    watermark(T0 + KEEP_MS);
    assertStateGone();
  }

  @Test
  void aVoteThreeHoursAfterItsGenerationIsUnmatchedWhileTheGenerationIsStillHeld()
      throws Exception {
    sendGeneration(gen("g-a", T0));
    sendVote(voteOn("f-late", "g-a", T0 + 3 * 3_600_000));

    assertThat(joined()).isEmpty();
    assertThat(unmatched()).extracting(j -> j.feedback.getFeedbackId()).containsExactly("f-late");
    watermark(T0 + KEEP_MS);
    assertStateGone();
  }

  @Test
  void votesAtTheEdgesOfBothWaitsStillMeetTheirGeneration() throws Exception {
    sendVote(voteOn("f-wait-edge", "g-a", T0 - WAIT_MS));
    sendVote(voteOn("f-too-early", "g-a", T0 - WAIT_MS - 1));
    sendGeneration(gen("g-a", T0));
    sendVote(voteOn("f-keep-edge", "g-a", T0 + KEEP_MS));
    sendVote(voteOn("f-too-late", "g-a", T0 + KEEP_MS + 1));

    assertThat(joined())
        .extracting(j -> j.feedback.getFeedbackId())
        .containsExactly("f-wait-edge", "f-keep-edge");
    assertThat(unmatched())
        .extracting(j -> j.feedback.getFeedbackId())
        .containsExactly("f-too-early", "f-too-late");
    watermark(T0 + KEEP_MS);
    assertStateGone();
  }

  @Test
  void aVoteWaitingLongerThanAnEarlierOneForTheSameGenerationKeepsWaitingWhenTheEarlierWaitEnds()
      throws Exception {
    // Feedback read far ahead of the generations: an early vote and a later one wait together.
    sendVote(voteOn("f-early", "g-a", T0 - 30 * 60_000));
    sendVote(voteOn("f-in-time", "g-a", T0 - 5 * 60_000));

    watermark(T0 - 20 * 60_000);
    assertThat(unmatched()).extracting(j -> j.feedback.getFeedbackId()).containsExactly("f-early");

    sendGeneration(gen("g-a", T0));
    assertThat(joined()).extracting(j -> j.feedback.getFeedbackId()).containsExactly("f-in-time");
    watermark(T0 + KEEP_MS);
    assertStateGone();
  }

  @Test
  void aLaterVoteWithAnEarlierWaitEndMovesTheWaitTimerForward() throws Exception {
    sendVote(voteOn("f-later", "g-missing", T0 + 60_000));
    sendVote(voteOn("f-earlier", "g-missing", T0));

    watermark(T0 + WAIT_MS);
    assertThat(unmatched())
        .extracting(j -> j.feedback.getFeedbackId())
        .containsExactly("f-earlier");
    watermark(T0 + 60_000 + WAIT_MS);
    assertThat(unmatched())
        .extracting(j -> j.feedback.getFeedbackId())
        .containsExactly("f-earlier", "f-later");
    assertStateGone();
  }

  private void watermark(long timestamp) throws Exception {
    harness.processBothWatermarks(new Watermark(timestamp));
  }
}

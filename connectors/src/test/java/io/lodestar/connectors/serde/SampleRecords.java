package io.lodestar.connectors.serde;

import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.FeedbackKind;
import io.lodestar.schema.FinishReason;
import io.lodestar.schema.Generation;
import io.lodestar.schema.GroupCompletion;
import io.lodestar.schema.PairSource;
import io.lodestar.schema.Policy;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.Provenance;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import io.lodestar.schema.RaterKind;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardSource;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.schema.TaskKind;
import io.lodestar.schema.TaskMetadata;
import io.lodestar.schema.UnpairedExample;
import io.lodestar.schema.VoteOutcome;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Named;

/** Fully populated records of every top-level type, with the awkward values the wire must carry. */
final class SampleRecords {

  private SampleRecords() {}

  /** One fully populated record per top-level type, plus sparse variants full of nulls. */
  static Stream<Named<SpecificRecordBase>> all() {
    return Stream.of(
        Named.of("Generation", generation()),
        Named.of("sparse Generation", sparseGeneration()),
        Named.of("Feedback", feedback()),
        Named.of("sparse Feedback", sparseFeedback()),
        Named.of("ScoredGeneration", scoredGeneration()),
        Named.of("RLGroup", rlGroup()),
        Named.of("RLBatch", rlBatch()),
        Named.of("PreferencePair", preferencePair()),
        Named.of("UnpairedExample", unpairedExample()),
        Named.of("DeadLetter", deadLetter()),
        Named.of("sparse DeadLetter", sparseDeadLetter()));
  }

  static List<ChatMessage> prompt() {
    return List.of(
        new ChatMessage("system", "Answer with a number."),
        new ChatMessage(
            "user", "What is 6 × 7? Ünïcödé, emoji 🚀, \"quotes\", back\\slash,\nnewline."));
  }

  static TaskMetadata task() {
    return TaskMetadata.newBuilder()
        .setDataSource("gsm8k")
        .setKind(TaskKind.MATH)
        .setGroundTruth("42")
        .setUnitTests(List.of("assert f() == 42", ""))
        .setExtra(orderedMap("split", "train", "difficulty", "3"))
        .build();
  }

  static Policy policy() {
    return Policy.newBuilder()
        .setModelId("qwen-7b")
        .setPolicyVersion(Long.MAX_VALUE)
        .setTemperature(0.7)
        .setTopP(1.0)
        .setMaxTokens(Integer.MAX_VALUE)
        .setSamplingParams(orderedMap("top_k", "40", "seed", "-1"))
        .build();
  }

  static Generation generation() {
    return Generation.newBuilder()
        .setGenerationId("gen-1")
        .setRequestId("req-1")
        .setPromptId("prompt-1")
        .setGroupId("group-1")
        .setExpectedGroupSize(8)
        .setSampleIndex(0)
        .setPrompt(prompt())
        .setResponse("The answer is 42.")
        .setTask(task())
        .setPolicy(policy())
        .setPromptTokenIds(List.of(0, 1, 151643, Integer.MAX_VALUE, Integer.MIN_VALUE))
        .setResponseTokenIds(List.of(791, 4320, 374, 220, 2983, 13))
        .setResponseLogprobs(
            List.of(
                -0.0f,
                -1.0e-7f,
                -3.4028235e38f,
                Float.MIN_VALUE,
                Float.NEGATIVE_INFINITY,
                Float.NaN,
                -0.12345679f))
        .setFinishReason(FinishReason.TOOL_CALLS)
        .setCreatedAtMs(1_718_000_000_123L)
        .setTenant("acme")
        .setApp("chat")
        .setUserIdHash("9f86d081884c7d65")
        .setConsentToTrain(true)
        .build();
  }

  /** Only the required fields: every nullable field is null and defaults apply. */
  static Generation sparseGeneration() {
    return Generation.newBuilder()
        .setGenerationId("gen-2")
        .setPromptId("prompt-2")
        .setGroupId("group-2")
        .setPrompt(List.of())
        .setResponse("")
        .setTask(TaskMetadata.newBuilder().build())
        .setPolicy(Policy.newBuilder().setModelId("m").build())
        .setCreatedAtMs(-1L)
        .build();
  }

  static Feedback feedback() {
    return Feedback.newBuilder()
        .setFeedbackId("fb-1")
        .setGenerationId("gen-1")
        .setKind(FeedbackKind.PAIRWISE)
        .setThumbUp(false)
        .setRating(Double.NaN)
        .setRatingMin(Double.NEGATIVE_INFINITY)
        .setRatingMax(Double.POSITIVE_INFINITY)
        .setOtherGenerationId("gen-2")
        .setOutcome(VoteOutcome.BOTH_BAD)
        .setEditedText("A better answer.")
        .setRaterKind(RaterKind.ANNOTATOR)
        .setRaterIdHash("rater-7")
        .setCreatedAtMs(1_718_000_000_456L)
        .setTenant("acme")
        .setApp("chat")
        .build();
  }

  static Feedback sparseFeedback() {
    return Feedback.newBuilder()
        .setFeedbackId("fb-2")
        .setGenerationId("gen-1")
        .setKind(FeedbackKind.THUMB)
        .setCreatedAtMs(0L)
        .build();
  }

  static RewardComponent component(String name, Double value, RewardStatus status) {
    return RewardComponent.newBuilder()
        .setName(name)
        .setValue(value)
        .setStatus(status)
        .setSource(RewardSource.VERIFIER)
        .setVersion("math-verify-1.2")
        .setDetail(value == null ? null : "extracted=42")
        .build();
  }

  static ScoredGeneration scoredGeneration() {
    return ScoredGeneration.newBuilder()
        .setGeneration(generation())
        .setComponents(
            List.of(
                component("correct", 1.0, RewardStatus.OK),
                component("format", null, RewardStatus.TIMEOUT)))
        .setReward(Double.NaN)
        .setRewardVersion("sum-v1")
        .setScoredAtMs(1_718_000_001_000L)
        .build();
  }

  static RLSample sample(String id, Double reward) {
    return RLSample.newBuilder()
        .setGenerationId(id)
        .setResponse("response " + id)
        .setReward(reward)
        .setAdvantage(reward == null ? 0.0 : -0.75)
        .setScored(reward != null)
        .setComponents(List.of(component("correct", reward, RewardStatus.OK)))
        .setPolicy(policy())
        .setResponseTokenIds(List.of(1, 2, 3))
        .setResponseLogprobs(List.of(-0.5f, Float.NaN, -2.25f))
        .setFinishReason(FinishReason.LENGTH)
        .setCreatedAtMs(1_718_000_000_789L)
        .build();
  }

  static RLGroup rlGroup() {
    return RLGroup.newBuilder()
        .setGroupId("group-1")
        .setPromptId("prompt-1")
        .setPrompt(prompt())
        .setTask(task())
        .setSamples(List.of(sample("gen-1", 1.0), sample("gen-2", null)))
        .setEstimator("grpo")
        .setEstimatorParams(orderedMap("eps", "1e-6", "ddof", "0"))
        .setCompletion(GroupCompletion.END_OF_INPUT)
        .setExpectedSize(2)
        .setScoredCount(1)
        .setUnscoredCount(1)
        .setRewardMean(1.0)
        .setRewardStd(Double.NaN)
        .setMinPolicyVersion(3L)
        .setMaxPolicyVersion(4L)
        .setClosedAtMs(1_718_000_002_000L)
        .build();
  }

  static RLBatch rlBatch() {
    return RLBatch.newBuilder()
        .setBatchId("batch-1")
        .setModelId("qwen-7b")
        .setSequence(17L)
        .setGroups(List.of(rlGroup(), rlGroup()))
        .setSampleCount(4)
        .setMinPolicyVersion(3L)
        .setMaxPolicyVersion(4L)
        .setClosedAtMs(1_718_000_003_000L)
        .build();
  }

  static Provenance provenance() {
    return Provenance.newBuilder()
        .setGenerationIds(List.of("gen-1", "gen-2"))
        .setFeedbackIds(List.of("fb-1"))
        .setModelIds(List.of("qwen-7b"))
        .setPolicyVersions(List.of(3L, Long.MIN_VALUE))
        .setPipelineVersion("0.1.0")
        .build();
  }

  static PreferencePair preferencePair() {
    return PreferencePair.newBuilder()
        .setPairId("pair-1")
        .setPromptId("prompt-1")
        .setPrompt(prompt())
        .setChosen("42")
        .setRejected("41")
        .setChosenGenerationId(null)
        .setRejectedGenerationId("gen-2")
        .setMargin(Double.POSITIVE_INFINITY)
        .setSource(PairSource.EDIT)
        .setConfidence(0.9)
        .setProvenance(provenance())
        .setCreatedAtMs(1_718_000_004_000L)
        .build();
  }

  static UnpairedExample unpairedExample() {
    return UnpairedExample.newBuilder()
        .setExampleId("ex-1")
        .setPromptId("prompt-1")
        .setPrompt(prompt())
        .setCompletion("42")
        .setLabel(true)
        .setGenerationId("gen-1")
        .setSource(PairSource.THUMBS)
        .setConfidence(Double.MIN_VALUE)
        .setProvenance(provenance())
        .setCreatedAtMs(1_718_000_005_000L)
        .build();
  }

  static DeadLetter deadLetter() {
    return DeadLetter.newBuilder()
        .setOrigin("decode.generations")
        .setTopic("lodestar.generations")
        .setPartition(3)
        .setOffset(Long.MAX_VALUE)
        .setKey(ByteBuffer.wrap("key-1".getBytes(StandardCharsets.UTF_8)))
        .setPayload(ByteBuffer.wrap(new byte[] {(byte) 0xC3, 0x01, 0x00, (byte) 0xFF, 0x7B, 0x0A}))
        .setPayloadSize(6)
        .setErrorKind(DecodeErrors.MALFORMED)
        .setReason("prompt[0].role: required field is missing")
        .setRecordId("gen-1")
        .setRecordTimestampMs(1_718_000_000_000L)
        .setDeadAtMs(1_718_000_006_000L)
        .build();
  }

  static DeadLetter sparseDeadLetter() {
    return DeadLetter.newBuilder()
        .setOrigin("decode.feedback")
        .setPayload(ByteBuffer.wrap(new byte[0]))
        .setErrorKind(DecodeErrors.EMPTY)
        .setReason("message has no bytes")
        .setDeadAtMs(0L)
        .build();
  }

  private static Map<String, String> orderedMap(String... keysAndValues) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }
}

package io.lodestar.operators;

import io.lodestar.operators.advantage.GroupAdvantages;
import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.FeedbackKind;
import io.lodestar.schema.FinishReason;
import io.lodestar.schema.Generation;
import io.lodestar.schema.GroupCompletion;
import io.lodestar.schema.Policy;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import io.lodestar.schema.RaterKind;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardSource;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.schema.TaskKind;
import io.lodestar.schema.TaskMetadata;
import io.lodestar.schema.VoteOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingTaskMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;

/**
 * Shared test fixtures: Avro builders pre-filled with valid, realistic defaults. Tests override
 * only the fields the behaviour under test depends on, then call {@code build()}.
 */
public final class TestRecords {

  public static final String MODEL_ID = "model";
  public static final long POLICY_VERSION = 7L;
  public static final String PROMPT_ID = "prompt-1";
  public static final String GROUP_ID = "group-1";

  /** Default event time: an arbitrary but valid epoch millisecond. */
  public static final long CREATED_AT_MS = 1_000_000L;

  private TestRecords() {}

  public static List<ChatMessage> prompt() {
    return new ArrayList<>(
        List.of(
            ChatMessage.newBuilder().setRole("system").setContent("Answer with a number.").build(),
            ChatMessage.newBuilder().setRole("user").setContent("What is 6 * 7?").build()));
  }

  public static TaskMetadata task() {
    return TaskMetadata.newBuilder()
        .setDataSource("gsm8k")
        .setKind(TaskKind.MATH)
        .setGroundTruth("42")
        .build();
  }

  public static Policy policy() {
    return policy(MODEL_ID, POLICY_VERSION);
  }

  public static Policy policy(String modelId, long version) {
    return Policy.newBuilder()
        .setModelId(modelId)
        .setPolicyVersion(version)
        .setTemperature(1.0)
        .build();
  }

  /** A valid generation in group {@link #GROUP_ID}, with aligned token ids and log-probs. */
  public static Generation.Builder generation(String generationId) {
    return Generation.newBuilder()
        .setGenerationId(generationId)
        .setRequestId("request-" + generationId)
        .setPromptId(PROMPT_ID)
        .setGroupId(GROUP_ID)
        .setExpectedGroupSize(null)
        .setSampleIndex(null)
        .setPrompt(prompt())
        .setResponse("6 * 7 = 42. The answer is 42.")
        .setTask(task())
        .setPolicy(policy())
        .setResponseTokenIds(new ArrayList<>(List.of(21, 22, 23)))
        .setResponseLogprobs(new ArrayList<>(List.of(-0.1f, -0.25f, 0f)))
        .setFinishReason(FinishReason.STOP)
        .setCreatedAtMs(CREATED_AT_MS)
        .setConsentToTrain(true);
  }

  /**
   * A member of a group of {@code expectedSize}, at {@code sampleIndex}, created at {@code
   * createdAtMs}.
   */
  public static Generation member(
      String generationId, String groupId, int expectedSize, int sampleIndex, long createdAtMs) {
    return generation(generationId)
        .setGroupId(groupId)
        .setExpectedGroupSize(expectedSize)
        .setSampleIndex(sampleIndex)
        .setCreatedAtMs(createdAtMs)
        .build();
  }

  public static RewardComponent component(String name, Double value, RewardStatus status) {
    return RewardComponent.newBuilder()
        .setName(name)
        .setValue(value)
        .setStatus(status)
        .setSource(RewardSource.VERIFIER)
        .setVersion(name + "/1")
        .build();
  }

  /** A scored generation; a null reward means the generation could not be scored. */
  public static ScoredGeneration.Builder scored(Generation generation, Double reward) {
    RewardComponent component =
        reward == null
            ? component("numeric_answer", null, RewardStatus.UNSCORABLE)
            : component("numeric_answer", reward, RewardStatus.OK);
    return ScoredGeneration.newBuilder()
        .setGeneration(generation)
        .setComponents(new ArrayList<>(List.of(component)))
        .setReward(reward)
        .setRewardVersion("mean(numeric_answer@numeric_answer/1)")
        .setScoredAtMs(generation.getCreatedAtMs() + 5);
  }

  /** Valid THUMB feedback (thumbs up) on {@code generationId}. */
  public static Feedback.Builder feedback(String feedbackId, String generationId) {
    return Feedback.newBuilder()
        .setFeedbackId(feedbackId)
        .setGenerationId(generationId)
        .setKind(FeedbackKind.THUMB)
        .setThumbUp(true)
        .setRaterKind(RaterKind.USER)
        .setRaterIdHash("rater-hash")
        .setCreatedAtMs(CREATED_AT_MS + 60_000);
  }

  /**
   * Valid PAIRWISE feedback comparing {@code a} (generationId) with {@code b} (otherGenerationId).
   */
  public static Feedback.Builder vote(String feedbackId, String a, String b, VoteOutcome outcome) {
    return feedback(feedbackId, a)
        .setKind(FeedbackKind.PAIRWISE)
        .setThumbUp(null)
        .setOtherGenerationId(b)
        .setOutcome(outcome);
  }

  /** One scored sample of model {@link #MODEL_ID}. */
  public static RLSample sample(
      String generationId, double reward, double advantage, long createdAtMs) {
    return RLSample.newBuilder()
        .setGenerationId(generationId)
        .setResponse("The answer is 42.")
        .setReward(reward)
        .setAdvantage(advantage)
        .setScored(true)
        .setComponents(
            new ArrayList<>(List.of(component("numeric_answer", reward, RewardStatus.OK))))
        .setPolicy(policy())
        .setFinishReason(FinishReason.STOP)
        .setCreatedAtMs(createdAtMs)
        .build();
  }

  /**
   * A FULL group of two samples (rewards 1 and 0) of model {@link #MODEL_ID}, closed at {@code
   * closedAtMs}.
   */
  public static RLGroup.Builder group(String groupId, long closedAtMs) {
    return RLGroup.newBuilder()
        .setGroupId(groupId)
        .setPromptId("prompt-" + groupId)
        .setPrompt(prompt())
        .setTask(task())
        .setSamples(
            new ArrayList<>(
                List.of(
                    sample(groupId + "-0", 1.0, 0.7071064276, closedAtMs - 10),
                    sample(groupId + "-1", 0.0, -0.7071064276, closedAtMs))))
        .setEstimator(GroupAdvantages.ESTIMATOR_GRPO)
        .setEstimatorParams(GroupAdvantages.grpoParams(GroupAdvantages.VERL_EPS))
        .setCompletion(GroupCompletion.FULL)
        .setExpectedSize(2)
        .setScoredCount(2)
        .setUnscoredCount(0)
        .setRewardMean(0.5)
        .setRewardStd(Math.sqrt(0.5))
        .setMinPolicyVersion(POLICY_VERSION)
        .setMaxPolicyVersion(POLICY_VERSION)
        .setClosedAtMs(closedAtMs);
  }

  /**
   * A task metric group that hands the operator one intercepting group, so a test can read the
   * counters a function registers. Pass {@link #environment()} to a harness constructor and close
   * it after the harness.
   */
  public static final class CapturedMetrics extends InterceptingTaskMetricGroup {
    private final InterceptingOperatorMetricGroup operator = new InterceptingOperatorMetricGroup();

    @Override
    public InternalOperatorMetricGroup getOrAddOperator(
        OperatorID id, String name, Map<String, String> variables) {
      return operator;
    }

    public MockEnvironment environment() {
      return new MockEnvironmentBuilder().setMetricGroup(this).build();
    }

    /** The count of the named counter; 0 when the function never registered it. */
    public long count(String name) {
      Metric metric = operator.get(name);
      return metric == null ? 0 : ((Counter) metric).getCount();
    }

    /** The current value of the named gauge; null when the function never registered it. */
    public Object gauge(String name) {
      Metric metric = operator.get(name);
      return metric == null ? null : ((Gauge<?>) metric).getValue();
    }
  }
}

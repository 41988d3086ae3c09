package io.lodestar.testkit.traffic;

import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.Generation;
import io.lodestar.schema.Policy;
import io.lodestar.testkit.traffic.MathProblems.Problem;
import io.lodestar.testkit.traffic.MathProblems.Solution;
import io.lodestar.testkit.traffic.ResponseWriter.Written;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * Traffic sampled from a {@link TabularPolicy}: each call makes one group of K responses to a fresh
 * math problem, each response written with a strategy drawn from the policy's softmax for the
 * problem's template. Every generation names its strategy in {@code
 * policy.samplingParams["strategy"]}, which Lodestar carries into the RL batch's samples, so a
 * trainer knows which action each sample took.
 */
public final class PolicyTraffic {

  /** The sampling parameter that names a response's {@link AnswerStrategy}. */
  public static final String STRATEGY_PARAM = "strategy";

  private final Random rnd;
  private final ResponseWriter writer;
  private final String modelId;
  private final int groupSize;
  private long groups;

  public PolicyTraffic(long seed, String modelId, int groupSize) {
    if (groupSize < 1) {
      throw new IllegalArgumentException("groupSize must be >= 1, got " + groupSize);
    }
    this.rnd = new Random(seed);
    this.writer = new ResponseWriter(rnd);
    this.modelId = Objects.requireNonNull(modelId, "modelId");
    this.groupSize = groupSize;
  }

  /** The simulator's random draws, for callers that decide things (a sampler's lag) alongside. */
  public Random random() {
    return rnd;
  }

  /** One group sampled from {@code policy}, every member created at {@code createdAtMs}. */
  public List<Generation> group(TabularPolicy policy, long createdAtMs) {
    Problem problem = MathProblems.next(rnd);
    Solution reference = problem.solve();
    String groundTruth = reference.answer().value().stripTrailingZeros().toPlainString();
    String groupId = "loop-" + groups++ + "-" + TrafficSimulator.uuid(rnd);
    String promptId = "prompt-" + TrafficSimulator.uuid(rnd);
    List<ChatMessage> prompt = TrafficSimulator.prompt(rnd, problem);
    List<Generation> members = new ArrayList<>(groupSize);
    for (int sampleIndex = 0; sampleIndex < groupSize; sampleIndex++) {
      AnswerStrategy strategy = policy.sample(problem.template(), rnd);
      Written written = strategy.write(writer, problem, reference, rnd);
      Map<String, String> params = new HashMap<>();
      params.put("n", Integer.toString(groupSize));
      params.put(STRATEGY_PARAM, strategy.id());
      members.add(
          Generation.newBuilder()
              .setGenerationId(TrafficSimulator.uuid(rnd))
              .setPromptId(promptId)
              .setGroupId(groupId)
              .setExpectedGroupSize(groupSize)
              .setSampleIndex(sampleIndex)
              .setPrompt(TrafficSimulator.copyOf(prompt))
              .setResponse(written.text())
              .setTask(TrafficSimulator.task(problem, groundTruth))
              .setPolicy(
                  Policy.newBuilder()
                      .setModelId(modelId)
                      .setPolicyVersion(policy.version())
                      .setTemperature(1.0)
                      .setMaxTokens(1024)
                      .setSamplingParams(params)
                      .build())
              .setFinishReason(written.finishReason())
              .setCreatedAtMs(createdAtMs)
              .setTenant("loop")
              .setApp("learning-loop")
              .setUserIdHash(TrafficSimulator.sha256Hex("loop-user-" + rnd.nextInt(100)))
              .setConsentToTrain(true)
              .build());
    }
    return members;
  }
}

package io.lodestar.operators.reward.remote;

import io.lodestar.connectors.DeadLetters;
import io.lodestar.connectors.serde.PlainJson;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.ScoredGeneration;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Follows a {@link RemoteRewardFunction} and applies the failure policy: under {@link
 * FailurePolicy#DEAD_LETTER}, a record whose component from that scorer is TIMEOUT or ERROR leaves
 * the stream as a dead letter (side output {@link #DEAD_LETTERS}) with the status and detail as its
 * reason; everything else, and everything under {@link FailurePolicy#UNSCORED}, goes on. Guard
 * verdicts (UNSCORABLE or 0) are decisions, not failures, and go on.
 */
public class RemoteFailureRouter extends ProcessFunction<ScoredGeneration, ScoredGeneration> {

  private static final long serialVersionUID = 1L;

  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("remote-reward-dead-letters", new AvroTypeInfo<>(DeadLetter.class));

  private final String componentName;
  private final FailurePolicy policy;
  private transient Counter deadLettered;

  public RemoteFailureRouter(String componentName, FailurePolicy policy) {
    this.componentName = componentName;
    this.policy = policy;
  }

  @Override
  public void open(OpenContext openContext) {
    deadLettered =
        getRuntimeContext().getMetricGroup().counter(RemoteMetricNames.REMOTE_DEAD_LETTERED);
  }

  @Override
  public void processElement(ScoredGeneration value, Context ctx, Collector<ScoredGeneration> out) {
    RewardComponent component =
        policy == FailurePolicy.DEAD_LETTER ? ScoredComponents.last(value, componentName) : null;
    if (component == null
        || (component.getStatus() != RewardStatus.TIMEOUT
            && component.getStatus() != RewardStatus.ERROR)) {
      out.collect(value);
      return;
    }
    deadLettered.inc();
    ctx.output(
        DEAD_LETTERS,
        DeadLetters.fromOperator(
            "reward.remote." + componentName,
            DeadLetters.REMOTE_REWARD_FAILED,
            componentName + " " + component.getStatus() + ": " + component.getDetail(),
            value.getGeneration().getGenerationId(),
            PlainJson.toJsonString(value).getBytes(StandardCharsets.UTF_8),
            value.getGeneration().getCreatedAtMs(),
            System.currentTimeMillis()));
  }
}

package io.lodestar.operators.reward.remote;

import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.ScoredGeneration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The piece of graph for one remote scorer: the ordered async call (uid {@code
 * remote-reward-<name>}) and the failure router (uid {@code remote-reward-<name>-failures}). Its
 * dead letters are empty unless the scorer's failure policy is {@link FailurePolicy#DEAD_LETTER}.
 */
public final class RemoteRewardStages {

  private RemoteRewardStages() {}

  /** The scored stream that goes on, and the records routed to dead letters. */
  public record Scored(DataStream<ScoredGeneration> scored, DataStream<DeadLetter> deadLetters) {}

  public static Scored apply(DataStream<ScoredGeneration> input, RewardClient client) {
    CallSettings call = client.call();
    String name = client.name();
    SingleOutputStreamOperator<ScoredGeneration> called =
        AsyncDataStream.orderedWait(
                input,
                new RemoteRewardFunction(client),
                call.asyncTimeout().toMillis(),
                TimeUnit.MILLISECONDS,
                call.capacity())
            .uid("remote-reward-" + name)
            .name("Remote reward " + name + " (" + client.source() + ")");
    SingleOutputStreamOperator<ScoredGeneration> routed =
        called
            .process(
                new RemoteFailureRouter(name, call.failurePolicy()),
                new AvroTypeInfo<>(ScoredGeneration.class))
            .uid("remote-reward-" + name + "-failures")
            .name("Remote reward " + name + ": failure policy");
    return new Scored(routed, routed.getSideOutput(RemoteFailureRouter.DEAD_LETTERS));
  }
}

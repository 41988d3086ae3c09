package io.lodestar.operators.reward.remote;

import static io.lodestar.operators.TestRecords.generation;
import static io.lodestar.operators.TestRecords.scored;
import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.schema.ScoredGeneration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

class RemoteRewardStagesTest {

  @Test
  void bothStagesHaveStableUidsNamesAndAvroTypes() {
    Configuration conf = new Configuration();
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    var input =
        env.fromData(
            new AvroTypeInfo<>(ScoredGeneration.class),
            scored(generation("g-1").build(), 1.0).build());
    JudgeClient judge =
        new JudgeClient(
            new JudgeSettings(
                CallSettings.builder("judge")
                    .url("http://127.0.0.1:8000")
                    .model("grader")
                    .build()));

    RemoteRewardStages.Scored out = RemoteRewardStages.apply(input, judge);
    out.scored().sinkTo(new DiscardingSink<>());
    out.deadLetters().sinkTo(new DiscardingSink<>());

    assertThat(out.scored().getType()).isInstanceOf(AvroTypeInfo.class);
    assertThat(out.deadLetters().getType()).isInstanceOf(AvroTypeInfo.class);
    List<String> uids = new ArrayList<>();
    for (StreamNode node : env.getStreamGraph().getStreamNodes()) {
      assertThat(node.getOperatorName()).isNotBlank();
      if (node.getTransformationUID() != null) {
        uids.add(node.getTransformationUID());
      }
    }
    assertThat(uids).contains("remote-reward-judge", "remote-reward-judge-failures");
  }
}

package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

class UnionCollectorTest {

  private final StreamExecutionEnvironment env =
      StreamExecutionEnvironment.getExecutionEnvironment();

  @Test
  void everyAddedStreamReachesTheConsumerInTheOrderItWasAdded() {
    UnionCollector<String> collector = new UnionCollector<>("letters");
    collector.add(stream("a"));
    collector.add(stream("b"));
    collector.add(stream("c"));

    collector.union().sinkTo(new DiscardingSink<>()).uid("sink").name("Sink");

    StreamGraph graph = env.getStreamGraph();
    StreamNode sink =
        graph.getStreamNodes().stream()
            .filter(n -> "sink".equals(n.getTransformationUID()))
            .findFirst()
            .orElseThrow();
    assertThat(sink.getInEdges())
        .extracting(e -> graph.getStreamNode(e.getSourceId()).getTransformationUID())
        .containsExactly("source-a", "source-b", "source-c");
  }

  @Test
  void oneStreamIsItsOwnUnion() {
    UnionCollector<String> collector = new UnionCollector<>("letters");
    DataStream<String> only = stream("a");
    collector.add(only);

    assertThat(collector.union()).isSameAs(only);
  }

  @Test
  void aStreamAddedAfterTheUnionIsRefusedInsteadOfLeftOut() {
    UnionCollector<String> collector = new UnionCollector<>("letters");
    collector.add(stream("a"));
    collector.union();

    assertThatThrownBy(() -> collector.add(stream("b")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("letters");
  }

  @Test
  void aUnionOfNothingNamesWhatIsMissing() {
    assertThatThrownBy(() -> new UnionCollector<String>("dead letters").union())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("dead letters");
  }

  private DataStream<String> stream(String name) {
    return env.fromData(Types.STRING, name).uid("source-" + name).name("Source " + name);
  }
}

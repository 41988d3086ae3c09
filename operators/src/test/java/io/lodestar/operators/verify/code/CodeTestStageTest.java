package io.lodestar.operators.verify.code;

import static io.lodestar.operators.TestRecords.generation;
import static io.lodestar.operators.TestRecords.scored;
import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.connectors.serde.HandedOverSerializer;
import io.lodestar.schema.ScoredGeneration;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The code-test stage as the pipeline runs it: Flink's async I/O operator, with object reuse on.
 */
class CodeTestStageTest {

  @Test
  void aHandedOverRecordWithoutCodeTestsPassesThroughUncopied() throws Exception {
    ScoredGeneration math = scored(generation("g-math").build(), 1.0).build();

    List<ScoredGeneration> out =
        run(new HandedOverSerializer<>(new AvroSerializer<>(ScoredGeneration.class)), math);

    assertThat(out).singleElement().isSameAs(math);
  }

  @Test
  void aRecordOfAPlainTypeIsCopiedBeforeTheStageHoldsIt() throws Exception {
    ScoredGeneration math = scored(generation("g-math").build(), 1.0).build();

    List<ScoredGeneration> out = run(new AvroSerializer<>(ScoredGeneration.class), math);

    assertThat(out).singleElement().isNotSameAs(math).isEqualTo(math);
  }

  private static List<ScoredGeneration> run(
      TypeSerializer<ScoredGeneration> inputType, ScoredGeneration input) throws Exception {
    try (OneInputStreamOperatorTestHarness<ScoredGeneration, ScoredGeneration> harness =
        new OneInputStreamOperatorTestHarness<>(
            new AsyncWaitOperatorFactory<>(
                new CodeTestFunction(new CodeSandbox(CodeSandbox.Limits.defaults()), 1),
                10_000,
                4,
                AsyncDataStream.OutputMode.ORDERED),
            inputType)) {
      harness.getExecutionConfig().enableObjectReuse();
      // The harness copies what it collects through the output serializer: one that does not, so
      // the identity of the stage's output shows.
      harness.setup(new HandedOverSerializer<>(new AvroSerializer<>(ScoredGeneration.class)));
      harness.open();
      harness.processElement(input, input.getGeneration().getCreatedAtMs());
      harness.endInput();
      return harness.extractOutputValues();
    }
  }
}

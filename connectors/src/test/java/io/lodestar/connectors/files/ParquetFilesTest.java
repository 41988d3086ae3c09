package io.lodestar.connectors.files;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.export.VerlExtraInfo;
import io.lodestar.schema.export.VerlRewardModel;
import io.lodestar.schema.export.VerlSample;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Parquet bulk writer works without Hadoop and writes files parquet-avro reads back unchanged.
 */
class ParquetFilesTest {

  @TempDir Path dir;

  @Test
  void writtenSamplesReadBackFieldForField() throws Exception {
    Path file = dir.resolve("samples.parquet");
    List<VerlSample> samples = List.of(sample("a", 1.0, List.of(1, 2, 3)), sample("b", null, null));
    try (OutputStream raw = Files.newOutputStream(file)) {
      BulkWriter<VerlSample> writer =
          new ParquetFiles.Writers<>(VerlSample.class).create(new CountingStream(raw));
      for (VerlSample s : samples) {
        writer.addElement(s);
      }
      writer.finish();
    }

    List<VerlSample> read = new ArrayList<>();
    try (ParquetReader<VerlSample> reader =
        AvroParquetReader.<VerlSample>builder(
                new LocalInputFile(file), new PlainParquetConfiguration())
            .withDataModel(new SpecificData(VerlSample.class.getClassLoader()))
            .withCodecFactory(new SnappyCodecs())
            .build()) {
      for (VerlSample s = reader.read(); s != null; s = reader.read()) {
        read.add(s);
      }
    }
    assertThat(read).isEqualTo(samples);

    try (ParquetReader<GenericRecord> reader =
        AvroParquetReader.<GenericRecord>builder(
                new LocalInputFile(file), new PlainParquetConfiguration())
            .withCodecFactory(new SnappyCodecs())
            .build()) {
      GenericRecord first = reader.read();
      assertThat(first.get("data_source").toString()).isEqualTo("gsm8k");
      assertThat(((GenericRecord) first.get("reward_model")).get("style").toString())
          .isEqualTo("rule");
    }
  }

  static VerlSample sample(String id, Double reward, List<Integer> tokens) {
    return VerlSample.newBuilder()
        .setDataSource("gsm8k")
        .setPrompt(List.of(new ChatMessage("user", "What is 6 * 7?")))
        .setAbility("math")
        .setRewardModel(VerlRewardModel.newBuilder().setStyle("rule").setGroundTruth("42").build())
        .setExtraInfo(
            VerlExtraInfo.newBuilder()
                .setSplit("train")
                .setIndex(0)
                .setBatchId("m-0")
                .setBatchSequence(0)
                .setGroupId("g")
                .setPromptId("p")
                .setGenerationId(id)
                .setModelId("m")
                .setEstimator("grpo")
                .setCompat("lodestar")
                .setCompletion("FULL")
                .setFinishReason("STOP")
                .setCreatedAtMs(1L)
                .build())
        .setResponse("42")
        .setReward(reward)
        .setScored(reward != null)
        .setAdvantage(reward == null ? 0.0 : 0.5)
        .setPolicyVersion(3)
        .setPromptTokenIds(tokens)
        .setResponseTokenIds(tokens)
        .setResponseLogprobs(tokens == null ? null : List.of(-0.5f, -0.25f, 0f))
        .build();
  }

  /** Flink's stream over a plain output stream, counting the position. */
  private static final class CountingStream extends FSDataOutputStream {
    private final OutputStream out;
    private long pos;

    CountingStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public long getPos() {
      return pos;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      pos++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      pos += len;
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void sync() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }
}

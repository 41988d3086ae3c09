package io.lodestar.operators.bench;

import io.lodestar.schema.ScoredGeneration;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Records per second through Flink's Avro serializer, the codec of every network exchange and
 * every RocksDB state access in the pipeline, for a group member (~1 KB response, 256 token ids
 * and log-probs). Avro decodes with its generic "fast reader" unless {@code org.apache.avro.fastread}
 * is false; only then do the generated classes' own decoders run. Each mode runs in a JVM of its
 * own, since Avro reads the property once; {@code fastReader} is the baseline.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CodecBenchmark {

  private AvroSerializer<ScoredGeneration> serializer;
  private ScoredGeneration member;
  private byte[] encoded;
  private final DataOutputSerializer out = new DataOutputSerializer(16 * 1024);
  private final DataInputDeserializer in = new DataInputDeserializer();

  @Setup
  public void setUp() throws IOException {
    serializer = new AvroSerializer<>(ScoredGeneration.class);
    member = Members.member("codec", 3, Members.GROUP_SIZE);
    serializer.serialize(member, out);
    encoded = out.getCopyOfBuffer();
    out.clear();
  }

  @Benchmark
  @Fork(jvmArgsAppend = "-Dorg.apache.avro.fastread=true")
  public ScoredGeneration decodeFastReader() throws IOException {
    in.setBuffer(encoded);
    return serializer.deserialize(in);
  }

  @Benchmark
  @Fork(jvmArgsAppend = "-Dorg.apache.avro.fastread=false")
  public ScoredGeneration decodeGeneratedCoders() throws IOException {
    in.setBuffer(encoded);
    return serializer.deserialize(in);
  }

  @Benchmark
  @Fork(jvmArgsAppend = "-Dorg.apache.avro.fastread=true")
  public int encode() throws IOException {
    out.clear();
    serializer.serialize(member, out);
    return out.length();
  }
}

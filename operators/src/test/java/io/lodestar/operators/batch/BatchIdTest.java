package io.lodestar.operators.batch;

import static io.lodestar.operators.TestRecords.group;
import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.TestRecords;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The batch id is the documented hash of the documented fields, so a trainer (or a later release)
 * can recompute it; the reference encoding here is written from the javadoc of {@link
 * BatchAssembler#batchId}, not from the code.
 */
class BatchIdTest {

  private static final long T0 = TestRecords.CREATED_AT_MS;

  @Test
  void theIdIsTheModelAndTheFirst128BitsOfSha256OverTheLengthPrefixedContent() throws Exception {
    RLGroup first = group("g-a", T0 + 1_000).build();
    RLGroup second = group("g-b", T0 + 2_000).build();
    second.getSamples().get(1).setReward(null);
    List<RLGroup> groups = List.of(first, second);

    assertThat(BatchAssembler.batchId("model", groups, 7L))
        .isEqualTo(referenceId("model", groups, 7L));
    assertThat(BatchAssembler.batchId("model", groups, null))
        .isEqualTo(referenceId("model", groups, null));
    assertThat(BatchAssembler.batchId("model", groups, -2L))
        .isEqualTo(referenceId("model", groups, -2L));
  }

  @Test
  void groupsThatDifferOnlyInTheirIdGetDifferentBatchIds() {
    RLGroup original = group("g-a", T0).build();
    RLGroup renamed = RLGroup.newBuilder(original).setGroupId("g-z").build();

    assertThat(BatchAssembler.batchId("model", List.of(renamed), null))
        .isNotEqualTo(BatchAssembler.batchId("model", List.of(original), null));
  }

  @Test
  void anEstimatorParameterWithAnotherNameOrValueGivesAnotherId() {
    RLGroup original = withParams(Map.of("eps", "1e-6"));
    String id = BatchAssembler.batchId("model", List.of(original), null);

    assertThat(BatchAssembler.batchId("model", List.of(withParams(Map.of("eps", "1e-8"))), null))
        .isNotEqualTo(id);
    assertThat(
            BatchAssembler.batchId("model", List.of(withParams(Map.of("epsilon", "1e-6"))), null))
        .isNotEqualTo(id);
  }

  @Test
  void estimatorParametersAreHashedInNameOrderWhateverTheMapOrder() {
    Map<String, String> forward = new LinkedHashMap<>();
    forward.put("a", "1");
    forward.put("b", "2");
    Map<String, String> backward = new LinkedHashMap<>();
    backward.put("b", "2");
    backward.put("a", "1");

    assertThat(BatchAssembler.batchId("model", List.of(withParams(backward)), null))
        .isEqualTo(BatchAssembler.batchId("model", List.of(withParams(forward)), null));
  }

  @Test
  void aBuiltBatchCountsThePromptAndResponseTokensOfEveryGroup() {
    List<RLGroup> groups =
        List.of(
            BatchTokenBudgetTest.withTokens("g-a", T0 + 1_000, 10, 3),
            BatchTokenBudgetTest.withTokens("g-b", T0 + 2_000, 4, 5));

    // Two samples each: 2 × (10 + 3) + 2 × (4 + 5).
    assertThat(BatchAssembler.build("model", 0, groups).getTokenCount()).isEqualTo(44);
  }

  private static RLGroup withParams(Map<String, String> params) {
    return group("g-a", T0).setEstimatorParams(new HashMap<>(params)).build();
  }

  /**
   * The layout the javadoc describes: big-endian 8-byte counts and numbers, a presence byte for
   * nullables.
   */
  private static String referenceId(String modelId, List<RLGroup> groups, Long trainerVersion)
      throws IOException, NoSuchAlgorithmException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    string(out, "lodestar-rlbatch-v1");
    string(out, modelId);
    nullableLong(out, trainerVersion);
    out.writeLong(groups.size());
    for (RLGroup g : groups) {
      string(out, g.getGroupId());
      string(out, g.getEstimator());
      Map<String, String> params = new TreeMap<>(g.getEstimatorParams());
      out.writeLong(params.size());
      for (Map.Entry<String, String> p : params.entrySet()) {
        string(out, p.getKey());
        string(out, p.getValue());
      }
      out.writeLong(g.getSamples().size());
      for (RLSample s : g.getSamples()) {
        string(out, s.getGenerationId());
        out.writeLong(s.getPolicy().getPolicyVersion());
        nullableLong(out, s.getReward() == null ? null : Double.doubleToLongBits(s.getReward()));
        out.writeLong(Double.doubleToLongBits(s.getAdvantage()));
      }
    }
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray());
    return modelId + "-" + HexFormat.of().formatHex(digest, 0, 16);
  }

  private static void string(DataOutputStream out, String value) throws IOException {
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    out.writeLong(utf8.length);
    out.write(utf8);
  }

  private static void nullableLong(DataOutputStream out, Long value) throws IOException {
    out.writeByte(value == null ? 0 : 1);
    if (value != null) {
      out.writeLong(value);
    }
  }
}

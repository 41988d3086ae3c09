package io.lodestar.operators.batch;

import static io.lodestar.operators.TestRecords.group;
import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.TestRecords;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class BatchAssemblerTest {

  private static final long T0 = TestRecords.CREATED_AT_MS;

  private static List<RLGroup> twoGroups() {
    return List.of(group("g-a", T0 + 1_000).build(), group("g-b", T0 + 2_000).build());
  }

  private static String id(List<RLGroup> groups) {
    return BatchAssembler.batchId("model", groups, 7L);
  }

  /** The id of {@link #twoGroups()} after {@code change} to a copy of them. */
  private static String idAfter(Consumer<List<RLGroup>> change) {
    List<RLGroup> groups =
        List.of(
            RLGroup.newBuilder(twoGroups().get(0)).build(),
            RLGroup.newBuilder(twoGroups().get(1)).build());
    change.accept(groups);
    return id(groups);
  }

  @Test
  void shouldNameABatchByModelAndA128BitContentHash() {
    assertThat(id(twoGroups())).matches("model-[0-9a-f]{32}");
  }

  @Test
  void shouldGiveTheSameContentTheSameIdWhateverItsSequence() {
    RLBatch first = BatchAssembler.build("model", 0, twoGroups());
    RLBatch again = BatchAssembler.build("model", 41, twoGroups());

    assertThat(again.getBatchId()).isEqualTo(first.getBatchId());
    assertThat(first.getBatchId()).isEqualTo(BatchAssembler.batchId("model", twoGroups(), null));
  }

  @Test
  void shouldGiveEveryChangeOfContentAnotherId() {
    String original = id(twoGroups());
    Map<String, String> ids = new HashMap<>();
    ids.put(
        "other groups",
        id(List.of(group("g-c", T0 + 1_000).build(), group("g-d", T0 + 2_000).build())));
    ids.put("one group fewer", id(twoGroups().subList(0, 1)));
    ids.put("other order", id(List.of(twoGroups().get(1), twoGroups().get(0))));
    ids.put("other model", BatchAssembler.batchId("model-2", twoGroups(), 7L));
    ids.put("no trainer version", BatchAssembler.batchId("model", twoGroups(), null));
    ids.put("other trainer version", BatchAssembler.batchId("model", twoGroups(), 8L));
    ids.put("other member", idAfter(g -> g.get(0).getSamples().get(1).setGenerationId("g-a-9")));
    ids.put("other reward", idAfter(g -> g.get(0).getSamples().get(1).setReward(0.5)));
    ids.put("unscored", idAfter(g -> g.get(0).getSamples().get(1).setReward(null)));
    ids.put("other advantage", idAfter(g -> g.get(1).getSamples().get(0).setAdvantage(0.5)));
    ids.put(
        "other policy version",
        idAfter(
            g ->
                g.get(1)
                    .getSamples()
                    .get(0)
                    .setPolicy(TestRecords.policy(TestRecords.MODEL_ID, 99))));
    ids.put("other estimator", idAfter(g -> g.get(0).setEstimator("rloo")));
    ids.put(
        "other estimator parameter",
        idAfter(
            g -> {
              Map<String, String> params = new HashMap<>(g.get(0).getEstimatorParams());
              params.put("staleness_weight", "0.5");
              g.get(0).setEstimatorParams(params);
            }));

    assertThat(ids.values()).doesNotContain(original).doesNotHaveDuplicates();
  }

  @Test
  void shouldNotConfuseFieldBoundaries() {
    // Without length prefixes these two would hash the same bytes.
    RLGroup ab = group("g-a", T0).build();
    ab.getSamples().get(0).setGenerationId("xy");
    ab.getSamples().get(1).setGenerationId("z");
    RLGroup abShifted = group("g-a", T0).build();
    abShifted.getSamples().get(0).setGenerationId("x");
    abShifted.getSamples().get(1).setGenerationId("yz");

    assertThat(BatchAssembler.batchId("model", List.of(ab), null))
        .isNotEqualTo(BatchAssembler.batchId("model", List.of(abShifted), null));
  }

  @Test
  void groupsOfOnePolicyVersionShareAPackingKeyAndOtherVersionsDoNot() {
    RLGroup v7 = group("g-a", T0).build();
    RLGroup alsoV7 = group("g-b", T0 + 1).build();
    RLGroup v8 = group("g-c", T0).setMinPolicyVersion(8L).setMaxPolicyVersion(8L).build();
    RLGroup spanning = group("g-d", T0).setMinPolicyVersion(7L).setMaxPolicyVersion(8L).build();

    assertThat(BatchAssembler.packingKey(v7, false))
        .isEqualTo("v7")
        .isEqualTo(BatchAssembler.packingKey(alsoV7, false));
    assertThat(BatchAssembler.packingKey(v8, false)).isEqualTo("v8");
    assertThat(BatchAssembler.packingKey(spanning, false)).isEqualTo("v7-8");
    assertThat(List.of(v7, v8, spanning))
        .extracting(g -> BatchAssembler.packingKey(g, true))
        .containsOnly("");
  }

  @Test
  void aBatchIsFullAtItsGroupCountOrItsTokenBudget() {
    BatchLimits limits = new BatchLimits(3, 100);
    assertThat(BatchAssembler.isFull(limits, 2, 99)).isFalse();
    assertThat(BatchAssembler.isFull(limits, 3, 10)).isTrue();
    assertThat(BatchAssembler.isFull(limits, 1, 100)).isTrue();
    assertThat(BatchAssembler.isFull(BatchLimits.ofGroups(3), 2, 1_000_000)).isFalse();
  }

  @Test
  void aGroupOverflowsAnOpenBatchOnlyWhenItWouldPassTheBudgetAndTheBatchIsNotEmpty() {
    BatchLimits limits = new BatchLimits(8, 100);
    assertThat(BatchAssembler.overflows(limits, 1, 60, 40)).isFalse();
    assertThat(BatchAssembler.overflows(limits, 1, 60, 41)).isTrue();
    assertThat(BatchAssembler.overflows(limits, 0, 0, 500))
        .as("an empty batch takes any group")
        .isFalse();
    assertThat(BatchAssembler.overflows(BatchLimits.ofGroups(8), 1, 60, 1_000)).isFalse();
  }
}

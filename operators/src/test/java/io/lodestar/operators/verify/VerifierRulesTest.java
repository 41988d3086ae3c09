package io.lodestar.operators.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.operators.TestRecords;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.TaskKind;
import io.lodestar.schema.TaskMetadata;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Rules name verifiers, and each verifier carries the name the rule used; JSON tasks bring their
 * own schema.
 */
class VerifierRulesTest {

  private static Generation json(String response, String schema) {
    Map<String, String> extra = new HashMap<>();
    if (schema != null) {
      extra.put("json_schema", schema);
    }
    return TestRecords.generation("j")
        .setResponse(response)
        .setTask(
            TaskMetadata.newBuilder()
                .setKind(TaskKind.OTHER)
                .setDataSource("api")
                .setGroundTruth(null)
                .setExtra(extra)
                .build())
        .build();
  }

  @Test
  void everyAvailableVerifierCarriesTheNameItIsChosenBy() {
    List<String> names = VerifierRegistry.available();
    assertThat(names)
        .contains(
            "math_equivalence",
            "numeric_answer",
            "format",
            "tag_count",
            "exact_match",
            "json_schema");

    for (String name : names) {
      VerifierRegistry registry = VerifierRegistry.fromRules(Map.of("source.api", name));
      assertThat(registry.forGeneration(json("{}", null)))
          .singleElement()
          .satisfies(v -> assertThat(v.name()).as(name).isEqualTo(name));
    }
  }

  @Test
  void aSourceRuleNeedsADataSourceName() {
    assertThatThrownBy(() -> VerifierRegistry.fromRules(Map.of("source.", "numeric_answer")))
        .hasMessageContaining("'source.'");
  }

  @Test
  void eachTaskIsCheckedAgainstItsOwnSchemaEvenAfterAnotherWasSeen() {
    VerifierRegistry registry = VerifierRegistry.fromRules(Map.of("source.api", "json_schema"));
    String needsAnswer = "{\"type\": \"object\", \"required\": [\"answer\"]}";
    String needsResult = "{\"type\": \"object\", \"required\": [\"result\"]}";

    assertThat(value(registry, json("{\"result\": 1}", needsAnswer))).isEqualTo(0.0);
    assertThat(value(registry, json("{\"result\": 1}", needsResult))).isEqualTo(1.0);
    assertThat(value(registry, json("{\"result\": 1}", needsAnswer))).isEqualTo(0.0);
  }

  @Test
  void withoutASchemaAnyJsonPasses() {
    VerifierRegistry registry = VerifierRegistry.fromRules(Map.of("source.api", "json_schema"));

    assertThat(value(registry, json("{\"anything\": [1, 2]}", null))).isEqualTo(1.0);
    assertThat(value(registry, json("not json", null))).isEqualTo(0.0);
  }

  @Test
  void anUnusableSchemaMakesTheTaskUnscorableNotAFailure() {
    VerifierRegistry registry = VerifierRegistry.fromRules(Map.of("source.api", "json_schema"));

    RewardComponent c = registry.score(json("{}", "not a schema {")).get(0);

    assertThat(c.getStatus()).isEqualTo(RewardStatus.UNSCORABLE);
    assertThat(c.getValue()).isNull();
    assertThat(c.getDetail()).contains("json_schema");
  }

  private static Double value(VerifierRegistry registry, Generation g) {
    return registry.score(g).get(0).getValue();
  }
}

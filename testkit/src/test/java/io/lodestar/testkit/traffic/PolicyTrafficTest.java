package io.lodestar.testkit.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lodestar.schema.FinishReason;
import io.lodestar.schema.Generation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyTrafficTest {

  @Test
  void theInitialPolicyPutsMostOfEveryTemplatesMassOnWrongStrategies() {
    TabularPolicy policy = TabularPolicy.initial();
    assertThat(policy.version()).isEqualTo(1);
    for (String template : TabularPolicy.TEMPLATES) {
      double[] p = policy.probabilities(template);
      assertThat(p[AnswerStrategy.RIGHT_METHOD.ordinal()]).isBetween(0.05, 0.15);
      assertThat(p[0] + p[1] + p[2] + p[3] + p[4]).isCloseTo(1.0, within(1e-12));
    }
    assertThat(policy.rightMethodProbability()).isBetween(0.05, 0.15);
  }

  @Test
  void everyTemplateTheProblemsDrawFromHasARowInThePolicy() {
    Random rnd = new Random(3);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 2_000; i++) {
      seen.add(MathProblems.next(rnd).template());
    }
    assertThat(seen).containsExactlyInAnyOrderElementsOf(TabularPolicy.TEMPLATES);
  }

  @Test
  void strategiesAreDrawnInTheProportionsOfTheSoftmax() {
    TabularPolicy policy = TabularPolicy.initial();
    Random rnd = new Random(11);
    Map<AnswerStrategy, Integer> counts = new EnumMap<>(AnswerStrategy.class);
    int draws = 40_000;
    for (int i = 0; i < draws; i++) {
      counts.merge(policy.sample("percentages", rnd), 1, Integer::sum);
    }
    double[] p = policy.probabilities("percentages");
    for (AnswerStrategy strategy : AnswerStrategy.values()) {
      assertThat(counts.getOrDefault(strategy, 0) / (double) draws)
          .as(strategy.id())
          .isCloseTo(p[strategy.ordinal()], within(0.01));
    }
  }

  @Test
  void aPolicyFileWrittenByTheTrainerReadsBackWithItsVersionAndLogits(@TempDir Path dir)
      throws Exception {
    ObjectNode file = TabularPolicy.initial().toJson("m");
    file.put("policyVersion", 9);
    ((ObjectNode) file.path("logits").path("savings")).put("right-method", 3.0);
    ((ObjectNode) file.path("logits").path("savings")).remove("verbose-padding");
    // Fields only the trainer uses are ignored.
    file.putArray("appliedBatchIds").add("m-0001");
    file.put("trainingStep", 8);
    Path path = dir.resolve("policy-v9.json");
    Files.write(path, new ObjectMapper().writeValueAsBytes(file));

    TabularPolicy read = TabularPolicy.read(path);

    assertThat(read.version()).isEqualTo(9);
    double[] p = read.probabilities("savings");
    double[] expected = softmax(3.0, 1.0, 1.0, 2.0, 0.0);
    for (int i = 0; i < p.length; i++) {
      assertThat(p[i]).isCloseTo(expected[i], within(1e-12));
    }
    assertThat(read.probabilities("shopping"))
        .containsExactly(TabularPolicy.initial().probabilities("shopping"), within(1e-12));
  }

  @Test
  void aPolicyFileWithoutATemplatesLogitsIsRefusedNamingTheTemplate(@TempDir Path dir)
      throws Exception {
    ObjectNode file = TabularPolicy.initial().toJson("m");
    ((ObjectNode) file.path("logits")).remove("distance");
    Path path = dir.resolve("policy.json");
    Files.write(path, new ObjectMapper().writeValueAsBytes(file));

    assertThatThrownBy(() -> TabularPolicy.read(path)).hasMessageContaining("distance");
  }

  @Test
  void eachGenerationNamesItsStrategyAndThePolicyVersionThatSampledIt() {
    TabularPolicy policy = TabularPolicy.initial();
    PolicyTraffic traffic = new PolicyTraffic(5, "model-x", 8);
    Set<String> groupIds = new HashSet<>();
    Map<String, Integer> strategies = new LinkedHashMap<>();
    for (int g = 0; g < 50; g++) {
      List<Generation> group = traffic.group(policy, 1_000L + g);
      assertThat(group).hasSize(8);
      assertThat(groupIds.add(group.get(0).getGroupId())).isTrue();
      for (int i = 0; i < group.size(); i++) {
        Generation gen = group.get(i);
        assertThat(gen.getSampleIndex()).isEqualTo(i);
        assertThat(gen.getGroupId()).isEqualTo(group.get(0).getGroupId());
        assertThat(gen.getPolicy().getModelId()).isEqualTo("model-x");
        assertThat(gen.getPolicy().getPolicyVersion()).isEqualTo(1);
        assertThat(gen.getCreatedAtMs()).isEqualTo(1_000L + g);
        assertThat(gen.getConsentToTrain()).isTrue();
        assertThat(TabularPolicy.TEMPLATES).contains(gen.getTask().getExtra().get("template"));
        String strategy = gen.getPolicy().getSamplingParams().get(PolicyTraffic.STRATEGY_PARAM);
        strategies.merge(AnswerStrategy.fromId(strategy).id(), 1, Integer::sum);
        if (strategy.equals("verbose-padding")) {
          assertThat(gen.getFinishReason()).isEqualTo(FinishReason.LENGTH);
        }
      }
    }
    assertThat(strategies.keySet())
        .containsExactlyInAnyOrder(
            "right-method", "off-by-one", "unit-slip", "step-slip", "verbose-padding");
  }

  @Test
  void theSameSeedSamplesTheSameTraffic() {
    TabularPolicy policy = TabularPolicy.initial();
    PolicyTraffic a = new PolicyTraffic(21, "m", 4);
    PolicyTraffic b = new PolicyTraffic(21, "m", 4);
    for (int g = 0; g < 20; g++) {
      assertThat(a.group(policy, g)).isEqualTo(b.group(policy, g));
    }
  }

  @Test
  void anUnknownStrategyNameIsRefused() {
    assertThatThrownBy(() -> AnswerStrategy.fromId("guess"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("guess");
  }

  private static double[] softmax(double... logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (double l : logits) {
      max = Math.max(max, l);
    }
    double sum = 0;
    double[] p = new double[logits.length];
    for (int i = 0; i < logits.length; i++) {
      p[i] = Math.exp(logits[i] - max);
      sum += p[i];
    }
    for (int i = 0; i < p.length; i++) {
      p[i] /= sum;
    }
    return p;
  }
}

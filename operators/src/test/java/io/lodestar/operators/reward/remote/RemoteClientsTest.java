package io.lodestar.operators.reward.remote;

import static io.lodestar.operators.TestRecords.generation;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardSource;
import io.lodestar.schema.RewardStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RemoteClientsTest {

  private static final JsonMapper JSON = new JsonMapper();

  private final OpenRlhfRewardClient rm =
      new OpenRlhfRewardClient(
          new RemoteRewardSettings(
              CallSettings.builder("remote-reward")
                  .url("http://127.0.0.1:5000/get_reward")
                  .model("rm-8b")
                  .build()));
  private final JudgeClient judge =
      new JudgeClient(
          new JudgeSettings(
              CallSettings.builder("judge").url("http://127.0.0.1:8000").model("grader").build()));

  @Test
  void theRewardModelRequestFollowsOpenRlhf() throws Exception {
    Generation g = generation("g-1").build();
    RemoteRequest request = rm.request(g, "id-1");
    JsonNode body = JSON.readTree(request.body());

    String prompt = "Answer with a number.\n\nWhat is 6 * 7?";
    assertThat(request.uri().toString()).isEqualTo("http://127.0.0.1:5000/get_reward");
    assertThat(body.get("query")).hasSize(1);
    assertThat(body.get("query").get(0).asText()).isEqualTo(prompt + g.getResponse());
    assertThat(body.get("prompts").get(0).asText()).isEqualTo(prompt);
    assertThat(body.get("labels").get(0).asText()).isEqualTo("42");
    assertThat(body.get("request_ids").get(0).asText()).isEqualTo("id-1");
    // Response token ids (3) plus the prompt's estimate: 37 characters, ceil(37 / 4) = 10.
    assertThat(prompt).hasSize(37);
    assertThat(request.estimatedTokens()).isEqualTo(3 + 10);
  }

  @Test
  void chatmlRendersRolesAndAnOpenAssistantTurn() throws Exception {
    OpenRlhfRewardClient chatml =
        new OpenRlhfRewardClient(
            new RemoteRewardSettings(
                CallSettings.builder("remote-reward")
                    .url("http://127.0.0.1:5000/get_reward")
                    .build(),
                "rm",
                PromptFormat.CHATML));
    JsonNode body =
        JSON.readTree(
            chatml
                .request(
                    generation("g-1").setPromptTokenIds(new ArrayList<>(List.of(1, 2))).build(),
                    "x")
                .body());
    assertThat(body.get("prompts").get(0).asText())
        .isEqualTo(
            "<|im_start|>system\nAnswer with a number.<|im_end|>\n<|im_start|>user\nWhat is 6 * 7?<|im_end|>\n<|im_start|>assistant\n");
  }

  @Test
  void aRewardIsReadFromRewardsOrFromTheScoresAlias() {
    assertThat(rm.parse("{\"rewards\": [1.25], \"scores\": [1.0]}"))
        .satisfies(c -> ok(c, 1.25, RewardSource.MODEL));
    assertThat(rm.parse("{\"scores\": [-0.5], \"extra_logs\": {}}"))
        .satisfies(c -> ok(c, -0.5, RewardSource.MODEL));
    assertThat(rm.parse("{\"rewards\": [3]}").getVersion()).isEqualTo("openrlhf-rm:rm-8b");
  }

  @Test
  void aBadRewardAnswerIsAnErrorNeverZero() {
    assertThat(rm.parse("{\"rewards\": [0.1, 0.2]}")).satisfies(c -> error(c, "rm-length"));
    assertThat(rm.parse("{\"rewards\": []}")).satisfies(c -> error(c, "rm-length"));
    assertThat(rm.parse("{\"rewards\": [\"high\"]}")).satisfies(c -> error(c, "rm-malformed"));
    assertThat(rm.parse("{\"rewards\": [null]}")).satisfies(c -> error(c, "rm-malformed"));
    assertThat(rm.parse("{\"reward\": 0.3}")).satisfies(c -> error(c, "rm-malformed"));
    assertThat(rm.parse("{\"rewards\": [0.3")).satisfies(c -> error(c, "rm-malformed"));
    assertThat(rm.parse("[0.3]")).satisfies(c -> error(c, "rm-malformed"));
    assertThat(rm.parse("")).satisfies(c -> error(c, "rm-malformed"));
    assertThat(rm.parse("{\"rewards\": [1e999]}")).satisfies(c -> error(c, "rm-malformed"));
  }

  @Test
  void theJudgeRequestIsAChatCompletionAtTemperatureZero() throws Exception {
    JudgeClient withMaxTokens =
        new JudgeClient(
            new JudgeSettings(
                CallSettings.builder("judge")
                    .url("http://127.0.0.1:8000/v1/")
                    .model("grader")
                    .build(),
                "judge",
                GuardPolicy.ZERO,
                "Be strict.",
                "P={prompt} R={response} G={reference}",
                64));
    Generation g = generation("g-1").build();
    RemoteRequest request = withMaxTokens.request(g, "id-1");
    JsonNode body = JSON.readTree(request.body());

    assertThat(request.uri().toString()).isEqualTo("http://127.0.0.1:8000/v1/chat/completions");
    assertThat(body.get("model").asText()).isEqualTo("grader");
    assertThat(body.get("temperature").asInt()).isZero();
    assertThat(body.get("max_tokens").asInt()).isEqualTo(64);
    assertThat(body.get("messages").get(0).get("role").asText()).isEqualTo("system");
    assertThat(body.get("messages").get(1).get("content").asText())
        .isEqualTo(
            "P=system: Answer with a number.\n\nuser: What is 6 * 7? R="
                + g.getResponse()
                + " G=42");
    assertThat(body.has("request_id")).isFalse();
    assertThat(request.estimatedTokens()).isGreaterThan(64 + 3);

    JsonNode plain = JSON.readTree(judge.request(g, "id-1").body());
    assertThat(plain.has("max_tokens")).isFalse();
    assertThat(judge.request(g, "id").uri().toString())
        .isEqualTo("http://127.0.0.1:8000/v1/chat/completions");
  }

  @Test
  void aJudgeVerdictIsNormalisedAndAnythingElseIsAFormatError() {
    assertThat(judge.parse(chat("Correct.\nSCORE: 8")))
        .satisfies(c -> ok(c, 0.8, RewardSource.JUDGE));
    assertThat(judge.parse(chat("Looks great!"))).satisfies(c -> error(c, "judge-format"));
    assertThat(judge.parse(chat("SCORE: 10\nSCORE: 10"))).satisfies(c -> error(c, "judge-format"));
    assertThat(judge.parse("{\"choices\": []}")).satisfies(c -> error(c, "judge-malformed"));
    assertThat(judge.parse("{\"choices\": [{\"message\": {\"content\": null}}]}"))
        .satisfies(c -> error(c, "judge-malformed"));
    assertThat(judge.parse("not json")).satisfies(c -> error(c, "judge-malformed"));
  }

  @Test
  void theJudgeVersionChangesWithTheRubric() {
    JudgeClient other =
        new JudgeClient(
            new JudgeSettings(
                CallSettings.builder("judge").url("http://127.0.0.1:8000").model("grader").build(),
                "judge",
                GuardPolicy.ZERO,
                JudgeRubric.DEFAULT_SYSTEM,
                "Rate: {response}",
                null));
    assertThat(judge.version()).startsWith("judge:grader/rubric-");
    assertThat(other.version()).isNotEqualTo(judge.version());
  }

  @Test
  void theGuardPolicyDecidesWhatAMasterKeyGets() {
    Generation colon = generation("g-1").setResponse(":").build();
    assertThat(judge.screen(colon)).hasValueSatisfying(c -> ok(c, 0.0, RewardSource.JUDGE));
    assertThat(judge.screen(colon).get().getDetail()).isEqualTo("judge-guard");
    JudgeClient unscored =
        new JudgeClient(
            new JudgeSettings(
                CallSettings.builder("judge").url("http://127.0.0.1:8000").model("grader").build(),
                "judge",
                GuardPolicy.UNSCORED,
                "",
                JudgeRubric.DEFAULT_TEMPLATE,
                null));
    assertThat(unscored.screen(colon))
        .hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo(RewardStatus.UNSCORABLE));
    assertThat(unscored.screen(colon).get().getValue()).isNull();
    assertThat(judge.screen(generation("g-2").build())).isEmpty();
    assertThat(rm.screen(colon)).isEmpty();
  }

  static String chat(String content) {
    return JSON.createObjectNode()
        .set(
            "choices",
            JSON.createArrayNode()
                .add(
                    JSON.createObjectNode()
                        .set(
                            "message",
                            JSON.createObjectNode()
                                .put("role", "assistant")
                                .put("content", content))))
        .toString();
  }

  private static void ok(RewardComponent c, double value, RewardSource source) {
    assertThat(c.getStatus()).isEqualTo(RewardStatus.OK);
    assertThat(c.getValue()).isEqualTo(value);
    assertThat(c.getSource()).isEqualTo(source);
  }

  private static void error(RewardComponent c, String detail) {
    assertThat(c.getStatus()).isEqualTo(RewardStatus.ERROR);
    assertThat(c.getValue()).isNull();
    assertThat(c.getDetail()).isEqualTo(detail);
  }
}

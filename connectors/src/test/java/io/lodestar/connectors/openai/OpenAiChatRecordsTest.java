package io.lodestar.connectors.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lodestar.connectors.serde.DecodedMessage;
import io.lodestar.connectors.serde.FormatEventTime;
import io.lodestar.connectors.serde.RawEventTime;
import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.connectors.serde.WireFormat;
import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.FinishReason;
import io.lodestar.schema.Generation;
import io.lodestar.schema.TaskKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * OpenAI chat completion records, in the shapes vLLM, SGLang, OpenAI and gateways write them
 * (fixtures in {@code src/test/resources/openai}), mapped to generations; and every partial or
 * inconsistent record refused whole with its reason.
 */
class OpenAiChatRecordsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<Integer> QWEN_PROMPT_IDS =
      List.of(
          151644, 8948, 198, 26008, 3019, 553, 3019, 13, 151645, 198, 151644, 872, 198, 32, 29573,
          40587, 220, 22, 91951, 13, 151645, 198, 151644, 77091, 198);

  static ObjectNode fixture(String name) {
    try (InputStream in = OpenAiChatRecordsTest.class.getResourceAsStream("/openai/" + name)) {
      return (ObjectNode) JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Generation> generations(JsonNode record) {
    DecodedMessage<Generation> mapped = OpenAiChatRecords.map(record);
    assertThat(mapped.isOk()).as("%s", mapped).isTrue();
    return mapped.records();
  }

  private static DecodedMessage<Generation> refused(JsonNode record) {
    DecodedMessage<Generation> mapped = OpenAiChatRecords.map(record);
    assertThat(mapped.isOk()).as("mapped instead of refused").isFalse();
    return mapped;
  }

  private static ObjectNode edited(String fixture, Consumer<ObjectNode> edit) {
    ObjectNode record = fixture(fixture);
    edit.accept(record);
    return record;
  }

  private static ObjectNode response(ObjectNode record) {
    return (ObjectNode) record.get("response");
  }

  private static ObjectNode choice(ObjectNode record, int i) {
    return (ObjectNode) response(record).get("choices").get(i);
  }

  @Test
  void aSingleChoiceVllmRecordBecomesOneGenerationWithItsTokenIdsLogprobsTaskAndPolicy() {
    List<Generation> mapped = generations(fixture("vllm-n1.json"));

    assertThat(mapped).hasSize(1);
    Generation g = mapped.get(0);
    assertThat(g.getGenerationId()).isEqualTo("chatcmpl-7f3a0c:0");
    assertThat(g.getRequestId()).isEqualTo("chatcmpl-7f3a0c");
    assertThat(g.getGroupId()).isEqualTo("chatcmpl-7f3a0c");
    assertThat(g.getExpectedGroupSize()).isEqualTo(1);
    assertThat(g.getSampleIndex()).isEqualTo(0);
    assertThat(g.getPrompt())
        .containsExactly(
            new ChatMessage(
                "system", "Reason step by step, then give the final answer after ####."),
            new ChatMessage(
                "user",
                "A baker fills 7 trays with 6 rolls each. How many rolls does the baker have?"));
    assertThat(g.getResponse()).isEqualTo("7 * 6 = 42\n#### 42");
    assertThat(g.getTask().getDataSource()).isEqualTo("gsm8k");
    assertThat(g.getTask().getKind()).isEqualTo(TaskKind.MATH);
    assertThat(g.getTask().getGroundTruth()).isEqualTo("42");
    assertThat(g.getPolicy().getModelId()).isEqualTo("Qwen/Qwen2.5-Math-7B-Instruct");
    assertThat(g.getPolicy().getPolicyVersion()).isEqualTo(12L);
    assertThat(g.getPolicy().getTemperature()).isEqualTo(0.8);
    assertThat(g.getPolicy().getTopP()).isEqualTo(0.95);
    assertThat(g.getPolicy().getMaxTokens()).isEqualTo(256);
    assertThat(g.getPolicy().getSamplingParams()).isEqualTo(Map.of("seed", "11"));
    assertThat(g.getPromptTokenIds()).isEqualTo(QWEN_PROMPT_IDS);
    assertThat(g.getResponseTokenIds())
        .containsExactly(22, 353, 220, 21, 284, 220, 19, 17, 198, 820, 220, 19, 17, 151645);
    assertThat(g.getResponseLogprobs())
        .containsExactly(
            -0.05f, -0.1f, -0.15f, -0.2f, -0.25f, -0.05f, -0.1f, -0.15f, -0.2f, -0.25f, -0.05f,
            -0.1f, -0.15f, -0.2f);
    assertThat(g.getFinishReason()).isEqualTo(FinishReason.STOP);
    assertThat(g.getCreatedAtMs()).isEqualTo(1_767_225_600_000L);
    assertThat(g.getUserIdHash()).isEqualTo("u-5d1e");
    assertThat(g.getConsentToTrain()).isTrue();
    assertThat(g.getApp()).isEqualTo("tutor");
    assertThat(g.getTenant()).isEqualTo("acme");
    assertThat(g.getUpstreamRewards()).isEmpty();
  }

  @Test
  void aReplayedRecordMapsToTheSameIdsSoDeduplicationDropsIt() {
    byte[] bytes = fixture("vllm-n4.json").toString().getBytes(StandardCharsets.UTF_8);

    assertThat(new OpenAiChatRecords().decode(bytes).records())
        .isEqualTo(new OpenAiChatRecords().decode(bytes.clone()).records());
  }

  @Test
  void fourChoicesBecomeOneGroupOfFourInChoiceOrderEvenWhenListedOutOfOrder() {
    ObjectNode record =
        edited(
            "vllm-n4.json",
            r -> {
              ArrayNode choices = (ArrayNode) response(r).get("choices");
              JsonNode first = choices.remove(0);
              choices.add(first);
            });

    List<Generation> mapped = generations(record);

    assertThat(mapped)
        .extracting(Generation::getGenerationId)
        .containsExactly(
            "chatcmpl-n4-81be:0", "chatcmpl-n4-81be:1", "chatcmpl-n4-81be:2", "chatcmpl-n4-81be:3");
    assertThat(mapped).extracting(Generation::getSampleIndex).containsExactly(0, 1, 2, 3);
    assertThat(mapped).extracting(Generation::getGroupId).containsOnly("chatcmpl-n4-81be");
    assertThat(mapped).extracting(Generation::getExpectedGroupSize).containsOnly(4);
    assertThat(mapped)
        .extracting(Generation::getPromptId)
        .containsOnly(mapped.get(0).getPromptId());
    assertThat(mapped)
        .extracting(Generation::getFinishReason)
        .containsExactly(
            FinishReason.STOP, FinishReason.STOP, FinishReason.LENGTH, FinishReason.STOP);
    assertThat(mapped)
        .extracting(Generation::getResponse)
        .containsExactly("7 * 6 = 42\n#### 42", "6 + 6...\n#### 36", "Each tray has 6", "42");
    assertThat(mapped)
        .extracting(g -> g.getResponseTokenIds().size())
        .containsExactly(14, 11, 5, 3);
    assertThat(mapped)
        .extracting(g -> g.getResponseLogprobs().size())
        .containsExactly(14, 11, 5, 3);
    assertThat(mapped).extracting(Generation::getPromptTokenIds).containsOnly(QWEN_PROMPT_IDS);
    Generation first = mapped.get(0);
    assertThat(first.getPolicy().getPolicyVersion()).isEqualTo(13L);
    assertThat(first.getPolicy().getMaxTokens()).isEqualTo(5);
    assertThat(first.getPolicy().getSamplingParams()).isEqualTo(Map.of("n", "4"));
    assertThat(first.getConsentToTrain()).isTrue();
    // Each generation has its own records: changing one leaves the others as they were.
    first.getPrompt().get(0).setContent("changed");
    assertThat(mapped.get(1).getPrompt().get(0).getContent()).startsWith("Reason step by step");
  }

  @Test
  void toolCallsFollowTheTextAsJsonInOpenAisShapeAndFinishAsToolCalls() {
    Generation g = generations(fixture("openai-tool-calls.json")).get(0);

    assertThat(g.getResponse())
        .isEqualTo(
            "[{\"id\":\"call_a1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":"
                + "\"{\\\"city\\\":\\\"Paris\\\"}\"}},{\"id\":\"call_b2\",\"type\":\"function\",\"function\":"
                + "{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Lyon\\\"}\"}}]");
    assertThat(g.getFinishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    assertThat(g.getPrompt())
        .containsExactly(
            new ChatMessage("system", "You are a travel assistant. Use the tools you are given."),
            new ChatMessage("user", "What is the weather in Paris\nand in Lyon?"));
    assertThat(g.getPolicy().getModelId()).isEqualTo("gpt-4o-mini-2024-07-18");
    assertThat(g.getPolicy().getPolicyVersion()).isEqualTo(3L);
    assertThat(g.getTask().getKind()).isEqualTo(TaskKind.FORMAT);
    assertThat(g.getTask().getDataSource()).isEqualTo("travel-app");
    // The request's user field may be a raw id: only its SHA-256 (computed with sha256sum) is kept.
    assertThat(g.getUserIdHash())
        .isEqualTo("85e8cbcc4fab8df4f45e9e396b5b367a54af6cc13f9b5433d3e12f4e9c0a1846");
    assertThat(g.getResponseTokenIds()).isNull();
    assertThat(g.getResponseLogprobs()).isNull();
    assertThat(g.getConsentToTrain()).isFalse();
  }

  @Test
  void aTextAnswerWithAToolCallKeepsBothOnSeparateLines() {
    ObjectNode record =
        edited(
            "openai-tool-calls.json",
            r -> {
              ObjectNode message = (ObjectNode) choice(r, 0).get("message");
              message.put("content", "Let me look that up.");
              ((ArrayNode) message.get("tool_calls")).remove(1);
            });

    assertThat(generations(record).get(0).getResponse())
        .isEqualTo(
            "Let me look that up.\n[{\"id\":\"call_a1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]");
  }

  @Test
  void finishReasonLengthIsKeptAndLogprobsWithoutTokenIdsAreDroppedSinceTheyAlignWithNothing() {
    Generation g = generations(fixture("openai-length.json")).get(0);

    assertThat(g.getFinishReason()).isEqualTo(FinishReason.LENGTH);
    assertThat(g.getResponse()).isEqualTo("The capital of France is");
    assertThat(g.getPolicy().getMaxTokens()).isEqualTo(5);
    assertThat(g.getResponseTokenIds()).isNull();
    assertThat(g.getResponseLogprobs()).isNull();
    // Defaults when the metadata says nothing.
    assertThat(g.getPolicy().getPolicyVersion()).isZero();
    assertThat(g.getTask().getKind()).isEqualTo(TaskKind.OTHER);
    assertThat(g.getTask().getDataSource()).isEqualTo("unknown");
    assertThat(g.getConsentToTrain()).isFalse();
    assertThat(g.getUserIdHash()).isNull();
    // SHA-256 over "user\0<content>\0", computed with Python's hashlib.
    assertThat(g.getPromptId()).isEqualTo("prompt-af5346e627bc990380022420f41bdbdc");
  }

  @Test
  void logprobTokensThatCarryTheirIdsGiveTheTokenIds() {
    ObjectNode record =
        edited(
            "openai-length.json",
            r -> {
              ArrayNode content = (ArrayNode) choice(r, 0).get("logprobs").get("content");
              int[] ids = {785, 6722, 315, 9625, 374};
              for (int i = 0; i < ids.length; i++) {
                ((ObjectNode) content.get(i)).put("token", "token_id:" + ids[i]);
              }
            });

    Generation g = generations(record).get(0);

    assertThat(g.getResponseTokenIds()).containsExactly(785, 6722, 315, 9625, 374);
    assertThat(g.getResponseLogprobs()).containsExactly(-0.05f, -0.1f, -0.15f, -0.2f, -0.25f);
  }

  @Test
  void aStreamGivenAsItsChunksMapsExactlyAsTheSameResponseSentWhole() throws Exception {
    ObjectNode streamed = fixture("vllm-stream-chunks.json");
    List<Generation> mapped = generations(streamed);

    assertThat(mapped)
        .extracting(Generation::getGenerationId)
        .containsExactly("chatcmpl-stream-5e61:0", "chatcmpl-stream-5e61:1");
    assertThat(mapped).extracting(Generation::getResponse).containsExactly("42", "41\n#### 41");
    assertThat(mapped)
        .extracting(Generation::getResponseTokenIds)
        .containsExactly(List.of(19, 17, 151645), List.of(19, 16, 198, 820));
    assertThat(mapped).extracting(g -> g.getResponseLogprobs().size()).containsExactly(3, 4);
    assertThat(mapped).extracting(Generation::getPromptTokenIds).containsOnly(QWEN_PROMPT_IDS);
    assertThat(mapped).extracting(Generation::getFinishReason).containsOnly(FinishReason.STOP);
    assertThat(mapped).extracting(Generation::getExpectedGroupSize).containsOnly(2);
    assertThat(mapped).extracting(Generation::getCreatedAtMs).containsOnly(1_767_225_900_000L);

    ObjectNode whole = streamed.deepCopy();
    whole.set(
        "response",
        JSON.readTree(
            "{\"id\":\"chatcmpl-stream-5e61\",\"object\":\"chat.completion\",\"created\":1767225900,"
                + "\"model\":\"Qwen/Qwen2.5-Math-7B-Instruct\",\"prompt_token_ids\":"
                + QWEN_PROMPT_IDS
                + ","
                + "\"choices\":["
                + "{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"42\"},\"finish_reason\":\"stop\","
                + "\"token_ids\":[19,17,151645],\"logprobs\":{\"content\":["
                + "{\"token\":\"4\",\"logprob\":-0.02},{\"token\":\"2\",\"logprob\":-0.02},{\"token\":\"<|im_end|>\",\"logprob\":-0.02}]}},"
                + "{\"index\":1,\"message\":{\"role\":\"assistant\",\"content\":\"41\\n#### 41\"},\"finish_reason\":\"stop\","
                + "\"token_ids\":[19,16,198,820],\"logprobs\":{\"content\":["
                + "{\"token\":\"4\",\"logprob\":-0.02},{\"token\":\"1\",\"logprob\":-0.02},{\"token\":\"\\n\",\"logprob\":-0.02},"
                + "{\"token\":\"#### 41\",\"logprob\":-0.02}]}}],"
                + "\"usage\":{\"prompt_tokens\":25,\"completion_tokens\":7,\"total_tokens\":32}}"));
    assertThat(generations(whole)).isEqualTo(mapped);
  }

  @Test
  void aStreamWithoutTheChunkThatFinishesAChoiceIsRefusedAsIncomplete() {
    ObjectNode record =
        edited(
            "vllm-stream-chunks.json",
            r -> {
              ArrayNode chunks = (ArrayNode) r.get("response");
              for (int i = chunks.size() - 1; i >= 0; i--) {
                JsonNode choices = chunks.get(i).get("choices");
                if (choices.size() == 1
                    && choices.get(0).get("index").asInt() == 1
                    && "stop".equals(choices.get(0).path("finish_reason").asText(null))) {
                  chunks.remove(i);
                }
              }
            });

    DecodedMessage<Generation> refused = refused(record);

    assertThat(refused.errorKind()).isEqualTo("INVALID");
    assertThat(refused.reason())
        .isEqualTo(
            "response.choices[1].finish_reason is missing: the choice is not complete (a stream cut short?)");
    assertThat(refused.recordId()).isEqualTo("chatcmpl-stream-5e61");
  }

  @Test
  void aStreamThatLostAChunkIsRefusedBecauseItsUsageCountsMoreTokens() {
    // The chunk with choice 0's second token.
    ObjectNode record =
        edited("vllm-stream-chunks.json", r -> ((ArrayNode) r.get("response")).remove(4));

    DecodedMessage<Generation> refused = refused(record);

    assertThat(refused.errorKind()).isEqualTo("INVALID");
    assertThat(refused.reason())
        .isEqualTo("response.usage.completion_tokens is 7 but the choices have 6 token ids");
  }

  @Test
  void chunksOfTwoResponsesInOneStreamAreRefused() {
    ObjectNode record =
        edited(
            "vllm-stream-chunks.json",
            r -> ((ObjectNode) r.get("response").get(3)).put("id", "chatcmpl-other"));

    DecodedMessage<Generation> refused = refused(record);

    assertThat(refused.reason())
        .isEqualTo(
            "response[3].id differs from the id of the stream's first chunk: chunks of two responses");
  }

  @Test
  void aStreamedToolCallIsMergedFromItsDeltas() throws Exception {
    ObjectNode record = fixture("openai-tool-calls.json");
    record.set(
        "response",
        JSON.readTree(
            "[{\"id\":\"chatcmpl-tool-s\",\"object\":\"chat.completion.chunk\",\"created\":1767225700,\"model\":\"gpt-4o-mini\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,"
                + "\"id\":\"call_a1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]},"
                + "\"finish_reason\":null}]},"
                + "{\"id\":\"chatcmpl-tool-s\",\"object\":\"chat.completion.chunk\",\"created\":1767225700,\"model\":\"gpt-4o-mini\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\"\"}}]},"
                + "\"finish_reason\":null}]},"
                + "{\"id\":\"chatcmpl-tool-s\",\"object\":\"chat.completion.chunk\",\"created\":1767225700,\"model\":\"gpt-4o-mini\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\":\\\"Paris\\\"}\"}}]},"
                + "\"finish_reason\":null}]},"
                + "{\"id\":\"chatcmpl-tool-s\",\"object\":\"chat.completion.chunk\",\"created\":1767225700,\"model\":\"gpt-4o-mini\","
                + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}]"));

    Generation g = generations(record).get(0);

    assertThat(g.getGenerationId()).isEqualTo("chatcmpl-tool-s:0");
    assertThat(g.getResponse())
        .isEqualTo(
            "[{\"id\":\"call_a1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]");
    assertThat(g.getFinishReason()).isEqualTo(FinishReason.TOOL_CALLS);
  }

  @Test
  void aGatewayLogWithTheRequestFieldsBesideTheResponseIsRead() {
    Generation g = generations(fixture("gateway-assembled-stream.json")).get(0);

    assertThat(g.getGenerationId()).isEqualTo("chatcmpl-gw-1b7d:0");
    assertThat(g.getPrompt()).containsExactly(new ChatMessage("user", "Write a haiku about rain."));
    assertThat(g.getResponse())
        .isEqualTo(
            "Soft rain on the roof\nthe gutters hum an old song\nthe street shines like glass");
    assertThat(g.getPolicy().getTemperature()).isEqualTo(0.7);
    assertThat(g.getPolicy().getMaxTokens()).isEqualTo(64);
    assertThat(g.getTask().getKind()).isEqualTo(TaskKind.CHAT);
    assertThat(g.getTask().getDataSource()).isEqualTo("chat-app");
    assertThat(g.getUserIdHash()).isEqualTo("u-77aa");
    assertThat(g.getConsentToTrain()).isFalse();
    assertThat(g.getResponseTokenIds()).isNull();
  }

  @Test
  void sglangChoicesCarryPromptTokenIdsAndReasoningBecomesAThinkSection() {
    List<Generation> mapped = generations(fixture("sglang-n2.json"));

    assertThat(mapped)
        .extracting(Generation::getResponse)
        .containsExactly(
            "<think>6 times 7 is 42.</think>\n\nThe answer is 42.",
            "<think>Maybe 48.</think>\n\n48");
    assertThat(mapped)
        .extracting(Generation::getPromptTokenIds)
        .containsOnly(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9));
    assertThat(mapped).extracting(g -> g.getResponseTokenIds().size()).containsExactly(8, 5);
    assertThat(mapped).extracting(Generation::getResponseLogprobs).containsOnly((List<Float>) null);
    assertThat(mapped)
        .extracting(Generation::getGenerationId)
        .containsExactly("7f0b5e2c9a1d4e3f:0", "7f0b5e2c9a1d4e3f:1");
  }

  @Test
  void separatelyRequestedSamplesFormOneGroupThroughTheirMetadata() {
    Generation a = generations(fixture("separate-request-0.json")).get(0);
    Generation b = generations(fixture("separate-request-1.json")).get(0);

    assertThat(List.of(a, b))
        .extracting(Generation::getGenerationId)
        .containsExactly("chatcmpl-sep-a:0", "chatcmpl-sep-b:0");
    assertThat(List.of(a, b)).extracting(Generation::getGroupId).containsOnly("sweep-17:q-3");
    assertThat(List.of(a, b)).extracting(Generation::getExpectedGroupSize).containsOnly(2);
    assertThat(List.of(a, b)).extracting(Generation::getSampleIndex).containsExactly(0, 1);
    // One prompt, one id: SHA-256 over "user\0What is 6 times 7?\0", computed with Python's
    // hashlib.
    assertThat(List.of(a, b))
        .extracting(Generation::getPromptId)
        .containsOnly("prompt-9cf17c979469d8f0cbb939bbbf8e3cc4");
    assertThat(List.of(a, b)).extracting(g -> g.getPolicy().getPolicyVersion()).containsOnly(7L);
    assertThat(List.of(a, b))
        .extracting(Generation::getCreatedAtMs)
        .containsExactly(1_767_226_200_000L, 1_767_226_201_000L);
    assertThat(List.of(a, b)).extracting(Generation::getConsentToTrain).containsOnly(true);
  }

  @Test
  void aRecordWithSeveralChoicesJoinsASeparatelyRequestedGroupFromItsSampleIndexOn() {
    ObjectNode record =
        edited(
            "vllm-n4.json",
            r -> {
              ObjectNode metadata = (ObjectNode) r.get("metadata");
              metadata
                  .put("sample_group_id", "sweep-2")
                  .put("sample_index", 4)
                  .put("sample_group_size", 8);
            });

    assertThat(generations(record))
        .extracting(Generation::getSampleIndex)
        .containsExactly(4, 5, 6, 7);
    assertThat(generations(record)).extracting(Generation::getExpectedGroupSize).containsOnly(8);
  }

  @Test
  void theRecordsMetadataOverridesTheRequestsAndEveryKeyIsRead() throws Exception {
    ObjectNode record =
        edited(
            "vllm-n1.json",
            r -> {
              ObjectNode metadata = (ObjectNode) r.get("metadata");
              metadata
                  .put("task_kind", "code")
                  .put("data_source", "humaneval")
                  .put("policy_version", 40)
                  .put(
                      "unit_tests",
                      "[\"def check(f):\\n    assert f(1) == 2\", \"check(add_one)\"]")
                  .put("extra.entry_point", "add_one")
                  .put("prompt_id", "HumanEval/0")
                  .put("request_id", "gw-req-9")
                  .put("created_at_ms", 1_767_225_600_123L)
                  .put("consent_to_train", "false");
            });

    Generation g = generations(record).get(0);

    assertThat(g.getTask().getKind()).isEqualTo(TaskKind.CODE);
    assertThat(g.getTask().getDataSource()).isEqualTo("humaneval");
    assertThat(g.getTask().getGroundTruth()).isEqualTo("42");
    assertThat(g.getTask().getUnitTests())
        .containsExactly("def check(f):\n    assert f(1) == 2", "check(add_one)");
    assertThat(g.getTask().getExtra()).isEqualTo(Map.of("entry_point", "add_one"));
    assertThat(g.getPolicy().getPolicyVersion()).isEqualTo(40L);
    assertThat(g.getPromptId()).isEqualTo("HumanEval/0");
    assertThat(g.getRequestId()).isEqualTo("gw-req-9");
    assertThat(g.getCreatedAtMs()).isEqualTo(1_767_225_600_123L);
    assertThat(g.getConsentToTrain()).isFalse();
  }

  @Test
  void unitTestsMayBeAnArrayOrOnePlainTest() {
    ObjectNode asArray =
        edited(
            "vllm-n1.json",
            r -> ((ObjectNode) r.get("metadata")).putArray("unit_tests").add("assert f() == 1"));
    ObjectNode asText =
        edited(
            "vllm-n1.json",
            r -> ((ObjectNode) r.get("metadata")).put("unit_tests", "assert f() == 1"));

    assertThat(generations(asArray).get(0).getTask().getUnitTests())
        .containsExactly("assert f() == 1");
    assertThat(generations(asText).get(0).getTask().getUnitTests())
        .containsExactly("assert f() == 1");
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        refusal(
            "a response without id",
            "vllm-n4.json",
            r -> response(r).remove("id"),
            "INVALID",
            "response has no id: its 4 choices cannot be given generation ids",
            null),
        refusal(
            "a blank response id",
            "vllm-n1.json",
            r -> response(r).put("id", " "),
            "INVALID",
            "response has no id: its 1 choices cannot be given generation ids",
            null),
        refusal(
            "n different from the number of choices",
            "vllm-n4.json",
            r -> ((ArrayNode) response(r).get("choices")).remove(3),
            "INVALID",
            "request asked for n=4 but the response has 3 choices",
            "chatcmpl-n4-81be"),
        refusal(
            "one choice where n is left out but four came back",
            "vllm-n4.json",
            r -> ((ObjectNode) r.get("request")).remove("n"),
            "INVALID",
            "request asked for n=1 but the response has 4 choices",
            "chatcmpl-n4-81be"),
        refusal(
            "log-probs one short of the token ids",
            "vllm-n4.json",
            r -> ((ArrayNode) choice(r, 2).get("logprobs").get("content")).remove(4),
            "INVALID",
            "response.choices[2] has 4 log-probs but 5 token ids: they do not line up",
            "chatcmpl-n4-81be"),
        refusal(
            "log-prob tokens naming other ids than token_ids",
            "vllm-n1.json",
            r -> {
              ArrayNode content = (ArrayNode) choice(r, 0).get("logprobs").get("content");
              for (int i = 0; i < content.size(); i++) {
                ((ObjectNode) content.get(i))
                    .put(
                        "token",
                        "token_id:" + (i == 3 ? 99 : choice(r, 0).get("token_ids").get(i).asInt()));
              }
            },
            "INVALID",
            "response.choices[0].logprobs.content tokens name other token ids than response.choices[0].token_ids",
            "chatcmpl-7f3a0c"),
        refusal(
            "a log-prob that is not a number",
            "vllm-n1.json",
            r ->
                ((ObjectNode) choice(r, 0).get("logprobs").get("content").get(5))
                    .putNull("logprob"),
            "INVALID",
            "response.choices[0].logprobs.content[5].logprob is not a number",
            "chatcmpl-7f3a0c"),
        refusal(
            "a choice index given twice",
            "vllm-n4.json",
            r -> choice(r, 3).put("index", 1),
            "INVALID",
            "response.choices[3].index 1 is given twice",
            "chatcmpl-n4-81be"),
        refusal(
            "a choice index past the choices",
            "vllm-n4.json",
            r -> choice(r, 3).put("index", 7),
            "INVALID",
            "choice index 7 is outside 0..3 for 4 choices",
            "chatcmpl-n4-81be"),
        refusal(
            "a choice without finish reason",
            "vllm-n4.json",
            r -> choice(r, 1).putNull("finish_reason"),
            "INVALID",
            "response.choices[1].finish_reason is missing: the choice is not complete (a stream cut short?)",
            "chatcmpl-n4-81be"),
        refusal(
            "prompt tokens the usage does not count",
            "vllm-n1.json",
            r -> ((ObjectNode) response(r).get("usage")).put("prompt_tokens", 30),
            "INVALID",
            "response.usage.prompt_tokens is 30 but the prompt has 25 token ids",
            "chatcmpl-7f3a0c"),
        refusal(
            "choices whose prompt token ids differ",
            "sglang-n2.json",
            r -> ((ArrayNode) choice(r, 1).get("prompt_token_ids")).add(10),
            "INVALID",
            "response.choices[1].prompt_token_ids differ from the response's other prompt token ids",
            "7f0b5e2c9a1d4e3f"),
        refusal(
            "an unknown task kind",
            "vllm-n1.json",
            r -> ((ObjectNode) r.get("metadata")).put("task_kind", "poetry"),
            "INVALID",
            "metadata.task_kind is not one of MATH, CODE, CHAT, FORMAT, OTHER",
            "chatcmpl-7f3a0c"),
        refusal(
            "a policy version that is not a number",
            "vllm-n1.json",
            r -> ((ObjectNode) r.get("metadata")).put("policy_version", "v12"),
            "INVALID",
            "metadata.policy_version is not a whole number",
            "chatcmpl-7f3a0c"),
        refusal(
            "a negative policy version",
            "vllm-n1.json",
            r -> ((ObjectNode) r.get("metadata")).put("policy_version", -1),
            "INVALID",
            "metadata.policy_version is -1, less than 0",
            "chatcmpl-7f3a0c"),
        refusal(
            "consent that is neither true nor false",
            "vllm-n1.json",
            r -> ((ObjectNode) r.get("metadata")).put("consent_to_train", "yes"),
            "INVALID",
            "metadata.consent_to_train is not true or false",
            "chatcmpl-7f3a0c"),
        refusal(
            "a sample group without sample index",
            "separate-request-0.json",
            r -> ((ObjectNode) r.get("request").get("body").get("metadata")).remove("sample_index"),
            "INVALID",
            "metadata.sample_group_id needs metadata.sample_index",
            "chatcmpl-sep-a"),
        refusal(
            "a sample index without sample group",
            "vllm-n1.json",
            r -> ((ObjectNode) r.get("metadata")).put("sample_index", 0),
            "INVALID",
            "metadata.sample_index and .sample_group_size need metadata.sample_group_id",
            "chatcmpl-7f3a0c"),
        refusal(
            "samples that do not fit the group size",
            "vllm-n4.json",
            r ->
                ((ObjectNode) r.get("metadata"))
                    .put("sample_group_id", "g")
                    .put("sample_index", 2)
                    .put("sample_group_size", 4),
            "INVALID",
            "metadata.sample_index 2 with 4 choice(s) does not fit metadata.sample_group_size 4",
            "chatcmpl-n4-81be"),
        refusal(
            "an image in the prompt",
            "openai-tool-calls.json",
            r ->
                ((ArrayNode) r.get("request").get("messages").get(1).get("content"))
                    .addObject()
                    .put("type", "image_url")
                    .putObject("image_url")
                    .put("url", "https://example.com/a.png"),
            "INVALID",
            "request.messages[1].content[2] has type image_url: only text parts can be kept",
            "chatcmpl-tool-9c2e"),
        refusal(
            "a bare response without its request",
            "vllm-n1.json",
            r -> {
              JsonNode inner = r.get("response").deepCopy();
              r.removeAll();
              r.setAll((ObjectNode) inner);
            },
            "INVALID",
            "record is a bare response: without its request the prompt is unknown",
            null),
        refusal(
            "a request without messages",
            "vllm-n1.json",
            r -> ((ObjectNode) r.get("request")).remove("messages"),
            "INVALID",
            "request has no messages: the prompt is unknown",
            "chatcmpl-7f3a0c"),
        refusal(
            "no model anywhere",
            "gateway-assembled-stream.json",
            r -> {
              r.remove("model");
              response(r).remove("model");
            },
            "INVALID",
            "neither the response nor the request names a model",
            "chatcmpl-gw-1b7d"),
        refusal(
            "no creation time",
            "vllm-n1.json",
            r -> response(r).remove("created"),
            "INVALID",
            "response.created is missing and metadata has no created_at_ms",
            "chatcmpl-7f3a0c"),
        refusal(
            "choices that are not a list",
            "vllm-n1.json",
            r -> response(r).put("choices", "none"),
            "MALFORMED",
            "response.choices is not an array",
            "chatcmpl-7f3a0c"),
        refusal(
            "a choice without message",
            "vllm-n1.json",
            r -> choice(r, 0).remove("message"),
            "MALFORMED",
            "response.choices[0].message is missing",
            "chatcmpl-7f3a0c"),
        refusal(
            "a token id that is not a whole number",
            "vllm-n1.json",
            r ->
                ((ArrayNode) choice(r, 0).get("token_ids"))
                    .set(2, JSON.getNodeFactory().textNode("x")),
            "MALFORMED",
            "response.choices[0].token_ids[2] is not a token id",
            "chatcmpl-7f3a0c"),
        refusal(
            "a tool call without name",
            "openai-tool-calls.json",
            r ->
                ((ObjectNode) choice(r, 0).get("message").get("tool_calls").get(1).get("function"))
                    .remove("name"),
            "INVALID",
            "response.choices[0].message.tool_calls[1].function.name is missing: a tool call cut short?",
            "chatcmpl-tool-9c2e"),
        refusal(
            "neither envelope",
            "vllm-n1.json",
            ObjectNode::removeAll,
            "MALFORMED",
            "record has neither request and response nor messages and response",
            null));
  }

  private static Arguments refusal(
      String name,
      String fixture,
      Consumer<ObjectNode> edit,
      String kind,
      String reason,
      String recordId) {
    return Arguments.of(Named.of(name, edited(fixture, edit)), kind, reason, recordId);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void aPartialOrInconsistentRecordIsRefusedWholeWithItsReason(
      ObjectNode record, String kind, String reason, String recordId) {
    DecodedMessage<Generation> refused = refused(record);

    assertThat(refused.errorKind()).isEqualTo(kind);
    assertThat(refused.reason()).isEqualTo(reason);
    assertThat(refused.recordId()).isEqualTo(recordId);
  }

  @Test
  void bytesThatAreNotAJsonRecordAreRefusedWithTheCodecsKinds() {
    OpenAiChatRecords format = new OpenAiChatRecords();
    Generation any = generations(fixture("vllm-n1.json")).get(0);
    byte[] avro = RecordCodec.of(Generation.class).encode(any, WireFormat.AVRO);

    assertThat(format.decode(new byte[0]).errorKind()).isEqualTo("EMPTY");
    assertThat(format.decode(avro).errorKind()).isEqualTo("UNRECOGNIZED_ENCODING");
    assertThat(format.decode(avro).reason())
        .isEqualTo("not a JSON object; first byte is 0xC3 (this input is read as JSON records)");
    assertThat(format.decode("{\"request\": ".getBytes(StandardCharsets.UTF_8)).errorKind())
        .isEqualTo("MALFORMED");
    assertThat(format.decode("{\"a\": 1, \"a\": 2}".getBytes(StandardCharsets.UTF_8)).reason())
        .startsWith("not valid JSON");
  }

  @Test
  void noPrefixOfARecordMakesTheMapperThrow() {
    byte[] bytes = fixture("vllm-stream-chunks.json").toString().getBytes(StandardCharsets.UTF_8);
    OpenAiChatRecords format = new OpenAiChatRecords();

    long refused =
        IntStream.range(0, bytes.length)
            .filter(cut -> !format.decode(Arrays.copyOf(bytes, cut)).isOk())
            .count();

    assertThat(refused).isEqualTo(bytes.length);
  }

  @Test
  void theSourceReadsTheEventTimeOfARecordItWillAcceptAndNoneOfOneItWillNot() {
    RawEventTime eventTime =
        new FormatEventTime<>(new OpenAiChatRecords(), Generation::getCreatedAtMs);
    byte[] good = fixture("vllm-n4.json").toString().getBytes(StandardCharsets.UTF_8);
    byte[] overridden =
        edited(
                "vllm-n4.json",
                r -> ((ObjectNode) r.get("metadata")).put("created_at_ms", 1_767_225_601_234L))
            .toString()
            .getBytes(StandardCharsets.UTF_8);
    byte[] inconsistent =
        edited("vllm-n4.json", r -> ((ArrayNode) response(r).get("choices")).remove(0))
            .toString()
            .getBytes(StandardCharsets.UTF_8);

    assertThat(eventTime.read(good)).isEqualTo(1_767_225_601_000L);
    assertThat(eventTime.read(overridden)).isEqualTo(1_767_225_601_234L);
    assertThat(eventTime.read(inconsistent)).isEqualTo(RawEventTime.UNKNOWN);
    assertThat(eventTime.read(null)).isEqualTo(RawEventTime.UNKNOWN);
  }
}

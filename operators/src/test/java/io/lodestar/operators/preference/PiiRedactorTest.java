package io.lodestar.operators.preference;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.PairSource;
import io.lodestar.schema.Provenance;
import io.lodestar.schema.UnpairedExample;
import java.util.List;
import org.junit.jupiter.api.Test;

class PiiRedactorTest {

  private final Redactor pii = new PiiRedactor();

  @Test
  void aSeparatedNumberIsAPhoneFromSevenDigitsOn() {
    assertThat(pii.redact("ring 555 12 34 now")).isEqualTo("ring [PHONE] now");
    assertThat(pii.redact("rows 55 12 34 here")).isEqualTo("rows 55 12 34 here");
  }

  @Test
  void missingAndEmptyTextStayAsTheyAre() {
    assertThat(pii.redact((String) null)).isNull();
    assertThat(pii.redact("")).isEmpty();
  }

  @Test
  void redactingAnUnpairedExampleMasksItsPromptAndCompletionButNotItsIds() {
    UnpairedExample example =
        UnpairedExample.newBuilder()
            .setExampleId("ex-1")
            .setPromptId("prompt-1")
            .setPrompt(
                List.of(
                    ChatMessage.newBuilder()
                        .setRole("user")
                        .setContent("I am bob@example.com")
                        .build()))
            .setCompletion("Hi, call 555 12 34")
            .setLabel(true)
            .setGenerationId("g-1")
            .setSource(PairSource.THUMBS)
            .setProvenance(Provenance.newBuilder().setGenerationIds(List.of("g-1")).build())
            .setCreatedAtMs(1L)
            .build();

    UnpairedExample redacted = pii.redact(example);

    assertThat(redacted.getPrompt().get(0).getContent()).isEqualTo("I am [EMAIL]");
    assertThat(redacted.getCompletion()).isEqualTo("Hi, call [PHONE]");
    assertThat(redacted.getExampleId()).isEqualTo("ex-1");
    assertThat(redacted.getGenerationId()).isEqualTo("g-1");
    assertThat(example.getCompletion())
        .as("the input is left as it was")
        .isEqualTo("Hi, call 555 12 34");
  }
}

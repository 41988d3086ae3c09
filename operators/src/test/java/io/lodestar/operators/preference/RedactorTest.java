package io.lodestar.operators.preference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.PairSource;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.Provenance;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class RedactorTest {

  private final Redactor pii = Redactor.parse("pii");

  @Test
  void piiMasksEmailsPhonesAddressesAndCardNumbers() {
    assertThat(pii.redact("write to jane.doe+x@example.co.uk today"))
        .isEqualTo("write to [EMAIL] today");
    assertThat(pii.redact("call +1 415-555-0132 or (020) 7946 0958"))
        .isEqualTo("call [PHONE] or [PHONE]");
    assertThat(pii.redact("server 192.168.10.1 down")).isEqualTo("server [IP] down");
    assertThat(pii.redact("card 4111 1111 1111 1111 expired")).isEqualTo("card [CARD] expired");
  }

  @Test
  void piiLeavesNumbersThatAreAnswersAlone() {
    for (String text :
        List.of(
            "6 * 7 = 42",
            "The answer is 1234567.",
            "pi is 3.14159265",
            "x = -12 or 2024",
            "\\boxed{1000000}")) {
      assertThat(pii.redact(text)).isEqualTo(text);
    }
  }

  @Test
  void redactionReachesEveryTextOfAPairButNoIdOrProvenance() {
    PreferencePair pair =
        PreferencePair.newBuilder()
            .setPairId("pair-1")
            .setPromptId("prompt-1")
            .setPrompt(
                List.of(
                    ChatMessage.newBuilder()
                        .setRole("user")
                        .setContent("I am bob@example.com")
                        .build()))
            .setChosen("mail bob@example.com")
            .setRejected("no, alice@example.org")
            .setChosenGenerationId("g-1")
            .setRejectedGenerationId("g-2")
            .setSource(PairSource.VOTE)
            .setProvenance(Provenance.newBuilder().setGenerationIds(List.of("g-1", "g-2")).build())
            .setCreatedAtMs(1L)
            .build();

    PreferencePair redacted = pii.redact(pair);

    assertThat(redacted.getPrompt().get(0).getContent()).isEqualTo("I am [EMAIL]");
    assertThat(redacted.getChosen()).isEqualTo("mail [EMAIL]");
    assertThat(redacted.getRejected()).isEqualTo("no, [EMAIL]");
    assertThat(redacted.getPairId()).isEqualTo("pair-1");
    assertThat(redacted.getProvenance()).isEqualTo(pair.getProvenance());
  }

  @Test
  void aCustomRedactorIsLoadedByClassName() {
    Redactor custom = Redactor.parse("class:" + Upper.class.getName());
    assertThat(custom.redact("abc")).isEqualTo("ABC");
    assertThat(Redactor.parse("none").redact("a@b.cd")).isEqualTo("a@b.cd");
  }

  @Test
  void anUnknownRedactorIsRefusedWithTheReason() {
    assertThatThrownBy(() -> Redactor.parse("scrub")).hasMessageContaining("none, pii or class:");
    assertThatThrownBy(() -> Redactor.parse("class:java.lang.String"))
        .hasMessageContaining("does not implement");
    assertThatThrownBy(() -> Redactor.parse("class:no.such.Type"))
        .hasMessageContaining("no.such.Type");
  }

  /** A redactor a team might plug in. */
  public static final class Upper implements Redactor {
    private static final long serialVersionUID = 1L;

    @Override
    public String redact(String text) {
      return text.toUpperCase(Locale.ROOT);
    }
  }
}

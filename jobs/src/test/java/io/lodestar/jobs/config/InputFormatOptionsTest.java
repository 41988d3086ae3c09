package io.lodestar.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InputFormatOptionsTest {

  @Test
  void inputFormatsDefaultToLodestarsOwnAndAreChosenPerTopic() {
    LodestarOptions defaults = LodestarOptions.fromArgs(new String[0]);
    LodestarOptions chat =
        LodestarOptions.fromArgs(
            new String[] {
              "--topics.generations.format", "openai-chat", "--topics.feedback.format", "simple"
            });

    assertThat(defaults.generationsFormat()).isEqualTo(GenerationsFormat.LODESTAR);
    assertThat(defaults.feedbackFormat()).isEqualTo(FeedbackFormat.LODESTAR);
    assertThat(chat.generationsFormat()).isEqualTo(GenerationsFormat.OPENAI_CHAT);
    assertThat(chat.feedbackFormat()).isEqualTo(FeedbackFormat.SIMPLE);
  }

  @Test
  void anUnknownInputFormatIsRefusedAtStartUpNamingTheKeyAndTheChoices() {
    assertThatThrownBy(
            () -> LodestarOptions.fromArgs(new String[] {"--topics.generations.format", "openai"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "topics.generations.format: unknown format 'openai'; use lodestar or openai-chat");
    assertThatThrownBy(
            () ->
                LodestarOptions.fromArgs(new String[] {"--topics.feedback.format", "openai-chat"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("topics.feedback.format: unknown format 'openai-chat'; use lodestar or simple");
  }
}

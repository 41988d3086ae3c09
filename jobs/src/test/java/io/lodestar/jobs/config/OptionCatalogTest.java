package io.lodestar.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.connectors.serde.WireFormat;
import io.lodestar.operators.health.GateSettings;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.DescribedEnum;
import org.junit.jupiter.api.Test;

class OptionCatalogTest {

  /** Two options classes that both declare one key. */
  static final class FirstHolder {
    public static final ConfigOption<Integer> SIZE =
        ConfigOptions.key("test.size").intType().defaultValue(1).withDescription("Size.");
    public static final String NOT_AN_OPTION = "test.other";
  }

  static final class SecondHolder {
    public static final ConfigOption<Integer> SIZE_AGAIN =
        ConfigOptions.key("test.size").intType().defaultValue(2).withDescription("Size again.");
  }

  @Test
  void theCatalogFindsEveryPublicOptionFieldOfItsClassesWithItsValueType() {
    List<OptionCatalog.Entry> entries =
        OptionCatalog.scan(List.of(new OptionCatalog.Section("first", FirstHolder.class)));

    assertThat(entries)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.option()).isSameAs(FirstHolder.SIZE);
              assertThat(e.valueType()).isEqualTo(Integer.class);
            });
  }

  @Test
  void aKeyDeclaredInTwoClassesIsRefusedNamingBothFields() {
    assertThatThrownBy(
            () ->
                OptionCatalog.scan(
                    List.of(
                        new OptionCatalog.Section("first", FirstHolder.class),
                        new OptionCatalog.Section("second", SecondHolder.class))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("test.size")
        .hasMessageContaining("FirstHolder.SIZE")
        .hasMessageContaining("SecondHolder.SIZE_AGAIN");
  }

  @Test
  void everyOptionUnderItsEarlierNameIsInTheCatalog() throws Exception {
    int aliases = 0;
    for (Field field : LodestarOptions.class.getDeclaredFields()) {
      if (ConfigOption.class.isAssignableFrom(field.getType())
          && Modifier.isStatic(field.getModifiers())) {
        assertThat(LodestarOptions.ALL)
            .as(field.getName())
            .contains((ConfigOption<?>) field.get(null));
        aliases++;
      }
    }
    assertThat(aliases).isGreaterThan(100);
  }

  @Test
  void everyClosedChoiceDescribesItsValues() {
    List<OptionCatalog.Entry> choices =
        OptionCatalog.entries().stream().filter(e -> e.valueType().isEnum()).toList();

    assertThat(choices).hasSizeGreaterThanOrEqualTo(14);
    for (OptionCatalog.Entry choice : choices) {
      assertThat(DescribedEnum.class).isAssignableFrom(choice.valueType());
    }
  }

  @Test
  void anUnknownChoiceIsRefusedNamingTheKeyTheValueAndTheChoices() {
    assertThatThrownBy(() -> LodestarOptions.fromArgs(new String[] {"--gate.on-clear", "keep"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("gate.on-clear: unknown value 'keep'; use release or discard");
    assertThatThrownBy(
            () -> LodestarOptions.fromArgs(new String[] {"--advantage.compat", "trl_async"}))
        .hasMessage(
            "advantage.compat: unknown value 'trl_async'; use lodestar, verl, trl, trl-async or"
                + " openrlhf");
    assertThatThrownBy(() -> LodestarOptions.fromArgs(new String[] {"--sink.format", "xml"}))
        .hasMessage("sink.format: unknown format 'xml'; use avro or json");
  }

  @Test
  void choicesAreReadInAnyCaseAndPrintedAsWritten() {
    LodestarOptions options =
        LodestarOptions.fromArgs(
            new String[] {"--sink.format", "JSON", "--gate.on-clear", "Discard"});

    assertThat(options.sinkFormat()).isEqualTo(WireFormat.JSON);
    assertThat(options.gateSettings().onClear()).isEqualTo(GateSettings.OnClear.DISCARD);
    assertThat(options.toString()).contains("sink.format=json").contains("gate.on-clear=discard");
  }

  @Test
  void aMalformedNumberNamesTheKeyAndTheType() {
    assertThatThrownBy(() -> LodestarOptions.fromArgs(new String[] {"--staleness.weight", "half"}))
        .hasMessage("option staleness.weight has a value that is not a valid number: half");
    assertThatThrownBy(
            () -> LodestarOptions.fromArgs(new String[] {"--reward.overlong.max-length", "long"}))
        .hasMessage(
            "option reward.overlong.max-length has a value that is not a valid integer: long");
  }
}

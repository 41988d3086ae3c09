package io.lodestar.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaSettingsTest {

  @Test
  void secretValuesReachClientsButNeverPrint() {
    String canary = "canary-9b1c-secret";
    KafkaSettings settings =
        new KafkaSettings(
            Map.of(
                "bootstrap.servers",
                "b:9092",
                "sasl.jaas.config",
                "PlainLoginModule required password=\"" + canary + "\";",
                "ssl.keystore.password",
                canary),
            "lodestar",
            Duration.ofMinutes(5));
    assertThat(settings.clientProperties().getProperty("ssl.keystore.password")).isEqualTo(canary);
    assertThat(settings.toString())
        .doesNotContain(canary)
        .contains("sasl.jaas.config=****")
        .contains("b:9092");
  }

  @Test
  void bootstrapServersAreRequired() {
    assertThatThrownBy(() -> new KafkaSettings(Map.of(), "p", Duration.ofMinutes(1)))
        .hasMessageContaining("kafka.bootstrap.servers");
  }

  @Test
  void timeoutBelowTheMinimumOrAboveTheBrokerMaximumIsExplained() {
    assertThat(
            TransactionTimeouts.check(
                "t",
                Duration.ofSeconds(5),
                "2 x interval",
                Duration.ofSeconds(10),
                Duration.ofMinutes(15)))
        .hasValueSatisfying(
            m -> assertThat(m).contains("t=5000 ms").contains("2 x interval = 10000 ms"));
    assertThat(
            TransactionTimeouts.check(
                "t", Duration.ofMinutes(20), "m", Duration.ofSeconds(10), Duration.ofMinutes(15)))
        .hasValueSatisfying(
            m ->
                assertThat(m)
                    .contains("t=1200000 ms")
                    .contains("transaction.max.timeout.ms=900000 ms"));
    assertThat(
            TransactionTimeouts.check(
                "t", Duration.ofMinutes(5), "m", Duration.ofSeconds(10), Duration.ofMinutes(15)))
        .isEmpty();
  }
}

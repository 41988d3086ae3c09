package io.lodestar.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BrokerCheckTest {

  private static final String CANARY = "canary-7f3e-secret";

  private static KafkaSettings settings(String bootstrap) {
    return new KafkaSettings(
        Map.of(
            "bootstrap.servers",
            bootstrap,
            "security.protocol",
            "SASL_PLAINTEXT",
            "sasl.mechanism",
            "PLAIN",
            "sasl.jaas.config",
            "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"alice\" password=\""
                + CANARY
                + "\";"),
        "lodestar",
        Duration.ofMinutes(5));
  }

  @Test
  void shouldReportAClosedPortAsUnreachableWithinTheTimeoutWithoutSecrets() throws Exception {
    int closed = closedLoopbackPort();

    try (BrokerCheck check =
        BrokerCheck.open(settings("127.0.0.1:" + closed), Duration.ofSeconds(1))) {
      assertThatThrownBy(check::nodes)
          .isInstanceOf(BrokerCheck.Unreachable.class)
          .hasMessageStartingWith("no broker answered within 1000 ms")
          .hasMessageNotContaining(CANARY);
    }
  }

  @Test
  void shouldMaskSecretValuesAndTheQuotedPasswordInsideAJaasLine() {
    KafkaSettings kafka = settings("b:9092");
    String echoed =
        "login failed for password "
            + CANARY
            + " in ["
            + kafka.clientProperties().get("sasl.jaas.config")
            + "]";

    String described =
        BrokerCheck.describe(new IllegalStateException(echoed), BrokerCheck.secretValues(kafka));

    assertThat(described).doesNotContain(CANARY).contains("IllegalStateException").contains("****");
  }

  private static int closedLoopbackPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}

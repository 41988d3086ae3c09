package io.lodestar.connectors.kafka;

import java.io.Serializable;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What Kafka sources and sinks need: the client properties (every {@code kafka.*} option, with the
 * prefix removed, so SASL/SSL settings reach both sides) and the sink's transaction settings.
 */
public final class KafkaSettings implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Client keys whose values are credentials; they are never printed. */
  private static final Pattern SECRET_KEY =
      Pattern.compile(
          ".*(password|secret|jaas|token|credential|key\\.pem|keystore\\.key).*",
          Pattern.CASE_INSENSITIVE);

  private final Map<String, String> clientProperties;
  private final String transactionalIdPrefix;
  private final Duration transactionTimeout;

  public KafkaSettings(
      Map<String, String> clientProperties,
      String transactionalIdPrefix,
      Duration transactionTimeout) {
    this.clientProperties = Collections.unmodifiableMap(new TreeMap<>(clientProperties));
    this.transactionalIdPrefix = transactionalIdPrefix;
    this.transactionTimeout = transactionTimeout;
    if (!this.clientProperties.containsKey("bootstrap.servers")) {
      throw new IllegalArgumentException("kafka.bootstrap.servers is required");
    }
  }

  public String bootstrapServers() {
    return clientProperties.get("bootstrap.servers");
  }

  public String transactionalIdPrefix() {
    return transactionalIdPrefix;
  }

  public Duration transactionTimeout() {
    return transactionTimeout;
  }

  /** A fresh copy of the client properties, secrets included, for handing to Kafka clients only. */
  public Properties clientProperties() {
    Properties props = new Properties();
    props.putAll(clientProperties);
    return props;
  }

  public static boolean isSecretKey(String key) {
    return SECRET_KEY.matcher(key).matches();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("KafkaSettings{");
    clientProperties.forEach(
        (k, v) -> sb.append(k).append('=').append(isSecretKey(k) ? "****" : v).append(", "));
    return sb.append("transactionalIdPrefix=")
        .append(transactionalIdPrefix)
        .append(", transactionTimeout=")
        .append(transactionTimeout)
        .append('}')
        .toString();
  }
}

package io.lodestar.connectors.kafka;

import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink's transaction timeout must outlive a checkpoint plus a restart (or the broker aborts
 * transactions Flink still means to commit, losing data), and must not exceed the broker's {@code
 * transaction.max.timeout.ms} (or every transaction is refused).
 */
public final class TransactionTimeouts {

  private static final Logger LOG = LoggerFactory.getLogger(TransactionTimeouts.class);
  public static final String BROKER_MAX_KEY = "transaction.max.timeout.ms";

  private TransactionTimeouts() {}

  /**
   * Empty when the timeout fits, else a message naming every value involved.
   *
   * @param minimum the shortest safe timeout: checkpoint interval plus the time a restart may take
   */
  public static Optional<String> check(
      String timeoutKey,
      Duration timeout,
      String minimumExplanation,
      Duration minimum,
      Duration brokerMaximum) {
    if (timeout.compareTo(minimum) <= 0) {
      return Optional.of(
          String.format(
              "%s=%d ms is too short: it must exceed %s = %d ms, or the broker aborts transactions before Flink commits them",
              timeoutKey, timeout.toMillis(), minimumExplanation, minimum.toMillis()));
    }
    if (timeout.compareTo(brokerMaximum) > 0) {
      return Optional.of(
          String.format(
              "%s=%d ms exceeds the broker's %s=%d ms; lower it or raise the broker limit",
              timeoutKey, timeout.toMillis(), BROKER_MAX_KEY, brokerMaximum.toMillis()));
    }
    return Optional.empty();
  }

  /** Reads the broker's maximum transaction timeout; empty when the broker cannot be asked. */
  public static Optional<Duration> brokerMaximum(KafkaSettings settings, Duration waitAtMost) {
    try (BrokerCheck brokers = BrokerCheck.open(settings, waitAtMost)) {
      Optional<Duration> maximum = brokers.transactionMaxTimeout(brokers.nodes().get(0));
      if (maximum.isEmpty()) {
        LOG.warn("Could not read {} from the brokers; using the configured value", BROKER_MAX_KEY);
      }
      return maximum;
    } catch (BrokerCheck.Unreachable e) {
      LOG.warn(
          "Could not read {} from the brokers ({}); using the configured value",
          BROKER_MAX_KEY,
          e.getMessage());
      return Optional.empty();
    }
  }
}

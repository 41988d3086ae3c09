package io.lodestar.connectors.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Asks the brokers, before a job starts, whether they answer and which topics exist, each question
 * bounded by one timeout. One admin client serves every question; {@link #close()} releases it.
 *
 * <p>Reasons it reports never carry a secret client setting (SASL/SSL passwords, JAAS text), even
 * when a Kafka exception message would.
 */
public final class BrokerCheck implements AutoCloseable {

  /** Why a topic cannot be used, as the job needs it. */
  public static final String DOES_NOT_EXIST = "does not exist";

  public static final String NOT_AUTHORIZED = "not authorized";

  /** The brokers did not answer; {@link #getMessage()} says why, with no secret in it. */
  public static final class Unreachable extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean timedOut;

    Unreachable(String reason) {
      this(reason, false);
    }

    Unreachable(String reason, boolean timedOut) {
      super(reason);
      this.timedOut = timedOut;
    }

    /** Whether no answer came within the timeout (rather than an error). */
    public boolean timedOut() {
      return timedOut;
    }
  }

  private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");

  private final Admin admin;
  private final Duration timeout;
  private final List<String> secrets;

  private BrokerCheck(Admin admin, Duration timeout, List<String> secrets) {
    this.admin = admin;
    this.timeout = timeout;
    this.secrets = secrets;
  }

  /**
   * An admin client on {@code settings} whose calls give up after {@code timeout}. Fails when the
   * client cannot even be created (no bootstrap address resolves, a malformed security setting).
   */
  public static BrokerCheck open(KafkaSettings settings, Duration timeout) throws Unreachable {
    List<String> secrets = secretValues(settings);
    Properties props = settings.clientProperties();
    String millis = Long.toString(Math.max(1, timeout.toMillis()));
    props.put("default.api.timeout.ms", millis);
    props.put("request.timeout.ms", millis);
    // The admin client's own retries stay inside the timeout above; no need to wait between them
    // long.
    props.put("reconnect.backoff.max.ms", "1000");
    try {
      return new BrokerCheck(Admin.create(props), timeout, secrets);
    } catch (RuntimeException e) {
      throw new Unreachable("cannot create a Kafka client: " + describe(e, secrets));
    }
  }

  /** The brokers of the cluster; fails when none answers within the timeout. */
  public List<Node> nodes() throws Unreachable {
    Collection<Node> nodes = await(admin.describeCluster().nodes(), "no broker answered");
    if (nodes.isEmpty()) {
      throw new Unreachable("the cluster reports no brokers");
    }
    return List.copyOf(nodes);
  }

  /**
   * The broker's {@code transaction.max.timeout.ms}; empty when it cannot be read (no permission to
   * describe broker configurations, or no answer in time).
   */
  public Optional<Duration> transactionMaxTimeout(Node broker) {
    ConfigResource resource =
        new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(broker.id()));
    try {
      Config config =
          await(admin.describeConfigs(List.of(resource)).all(), "no answer about broker settings")
              .get(resource);
      ConfigEntry entry = config == null ? null : config.get(TransactionTimeouts.BROKER_MAX_KEY);
      if (entry == null || entry.value() == null) {
        return Optional.empty();
      }
      return Optional.of(Duration.ofMillis(Long.parseLong(entry.value())));
    } catch (Unreachable | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Of {@code topics}, those the job cannot use, each with why ({@link #DOES_NOT_EXIST}, {@link
   * #NOT_AUTHORIZED} or the error), in the order given; empty when every one exists.
   */
  public Map<String, String> unusableTopics(Collection<String> topics) throws Unreachable {
    List<String> distinct = new ArrayList<>(new LinkedHashSet<>(topics));
    Map<String, KafkaFuture<TopicDescription>> futures =
        admin.describeTopics(distinct).topicNameValues();
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, String> unusable = new LinkedHashMap<>();
    for (String topic : distinct) {
      long left = Math.max(0, deadline - System.nanoTime());
      try {
        futures.get(topic).get(left, TimeUnit.NANOSECONDS);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof UnknownTopicOrPartitionException) {
          unusable.put(topic, DOES_NOT_EXIST);
        } else if (cause instanceof AuthorizationException) {
          unusable.put(topic, NOT_AUTHORIZED);
        } else if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
          throw new Unreachable(
              "no answer about topic " + topic + " within " + timeout.toMillis() + " ms", true);
        } else {
          unusable.put(topic, describe(cause, secrets));
        }
      } catch (TimeoutException e) {
        throw new Unreachable(
            "no answer about topic " + topic + " within " + timeout.toMillis() + " ms", true);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Unreachable("interrupted while asking about topics");
      }
    }
    return unusable;
  }

  private <T> T await(KafkaFuture<T> future, String what) throws Unreachable {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new Unreachable(what + " within " + timeout.toMillis() + " ms", true);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw new Unreachable(what + " within " + timeout.toMillis() + " ms", true);
      }
      throw new Unreachable(what + ": " + describe(cause, secrets));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unreachable("interrupted while waiting for the brokers");
    }
  }

  /**
   * Does not wait for calls still in flight: the job either fails now or builds its own clients.
   */
  @Override
  public void close() {
    admin.close(Duration.ZERO);
  }

  /** An error's class and message (and its root cause's), with every secret client value masked. */
  static String describe(Throwable error, List<String> secrets) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String text = error.getClass().getSimpleName() + ": " + error.getMessage();
    if (root != error) {
      text += " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }
    return mask(text, secrets);
  }

  static String mask(String text, List<String> secrets) {
    String masked = text;
    for (String secret : secrets) {
      masked = masked.replace(secret, "****");
    }
    return masked;
  }

  /**
   * The values of secret client settings, and each quoted value inside them (a JAAS line's
   * password), longest first so that a whole value is masked before its parts.
   */
  static List<String> secretValues(KafkaSettings settings) {
    List<String> values = new ArrayList<>();
    settings
        .clientProperties()
        .forEach(
            (k, v) -> {
              String value = String.valueOf(v);
              if (KafkaSettings.isSecretKey(String.valueOf(k)) && !value.isEmpty()) {
                values.add(value);
                Matcher quoted = QUOTED.matcher(value);
                while (quoted.find()) {
                  // Short quoted words (a flag, an empty user) would mask letters all over the
                  // message.
                  if (quoted.group(1).length() >= 3) {
                    values.add(quoted.group(1));
                  }
                }
              }
            });
    values.sort((a, b) -> Integer.compare(b.length(), a.length()));
    return values;
  }
}

package io.lodestar.operators.reward.remote;

import io.lodestar.schema.TaskKind;
import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * What every remote scorer needs to reach its endpoint: where, with which credential, how patiently
 * (per-attempt timeout, retries, overall deadline), how much at once (async capacity, rate budget),
 * and what a failure becomes. Built and validated once; messages name the option key under the
 * given prefix (e.g. {@code judge.timeout}). The API key never appears in {@link #toString()}.
 */
public final class CallSettings implements Serializable {

  private static final long serialVersionUID = 1L;

  private final String prefix;
  private final URI url;
  private final String model;
  private final Secret apiKey;
  private final Duration timeout;
  private final RetryPolicy retry;
  private final Duration deadline;
  private final int capacity;
  private final RateBudget budget;
  private final FailurePolicy failurePolicy;
  private final Set<TaskKind> taskKinds;

  private CallSettings(Builder b) {
    this.prefix = b.prefix;
    this.url = b.url;
    this.model = b.model;
    this.apiKey = b.apiKey;
    this.timeout = b.timeout;
    this.retry = b.retry;
    this.deadline = b.deadline;
    this.capacity = b.capacity;
    this.budget = b.budget;
    this.failurePolicy = b.failurePolicy;
    this.taskKinds =
        b.taskKinds.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(b.taskKinds));
  }

  /**
   * {@code prefix} is the option namespace the values came from, e.g. {@code judge} or {@code
   * remote-reward}.
   */
  public static Builder builder(String prefix) {
    return new Builder(prefix);
  }

  public String prefix() {
    return prefix;
  }

  public URI url() {
    return url;
  }

  public String model() {
    return model;
  }

  public Secret apiKey() {
    return apiKey;
  }

  /** One HTTP attempt's limit. */
  public Duration timeout() {
    return timeout;
  }

  public RetryPolicy retry() {
    return retry;
  }

  /** All attempts and backoffs of one record together (rate-budget waiting comes before it). */
  public Duration deadline() {
    return deadline;
  }

  /** In-flight records of one subtask (the async operator's capacity). */
  public int capacity() {
    return capacity;
  }

  public RateBudget budget() {
    return budget;
  }

  public FailurePolicy failurePolicy() {
    return failurePolicy;
  }

  /** Task kinds this scorer applies to; empty means all. */
  public Set<TaskKind> taskKinds() {
    return taskKinds;
  }

  public boolean appliesTo(TaskKind kind) {
    return taskKinds.isEmpty() || taskKinds.contains(kind);
  }

  /**
   * The async operator's own timeout: the longest a record can legitimately take (budget wait plus
   * deadline) and a margin, so Flink's timeout only catches a call that is stuck.
   */
  public Duration asyncTimeout() {
    return budget.maxWait().plus(deadline).plusSeconds(5);
  }

  @Override
  public String toString() {
    return prefix
        + "{url="
        + withoutQuery(url)
        + ", model="
        + model
        + ", apiKey="
        + apiKey
        + ", timeout="
        + timeout
        + ", retry="
        + retry
        + ", deadline="
        + deadline
        + ", capacity="
        + capacity
        + ", budget="
        + budget
        + ", failurePolicy="
        + failurePolicy
        + ", taskKinds="
        + taskKinds
        + "}";
  }

  /** Printing a URL leaves out user info and query, where credentials sometimes hide. */
  static String withoutQuery(URI uri) {
    return uri.getScheme()
        + "://"
        + uri.getHost()
        + (uri.getPort() >= 0 ? ":" + uri.getPort() : "")
        + (uri.getRawPath() == null ? "" : uri.getRawPath());
  }

  /** Collects the values; {@link #build()} validates them. Defaults suit a hosted chat endpoint. */
  public static final class Builder {
    private final String prefix;
    private URI url;
    private String model = "";
    private Secret apiKey = Secret.none();
    private Duration timeout = Duration.ofSeconds(30);
    private RetryPolicy retry = RetryPolicy.defaults();
    private Duration deadline = Duration.ofSeconds(120);
    private int capacity = 32;
    private RateBudget budget = RateBudget.unlimited();
    private FailurePolicy failurePolicy = FailurePolicy.UNSCORED;
    private Set<TaskKind> taskKinds = EnumSet.noneOf(TaskKind.class);

    private Builder(String prefix) {
      this.prefix = prefix;
    }

    public Builder url(String value) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException(prefix + ".url is required");
      }
      try {
        this.url = URI.create(value.trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(prefix + ".url is not a valid URL", e);
      }
      return this;
    }

    public Builder model(String value) {
      this.model = value == null ? "" : value.trim();
      return this;
    }

    public Builder apiKey(Secret value) {
      this.apiKey = value == null ? Secret.none() : value;
      return this;
    }

    public Builder timeout(Duration value) {
      this.timeout = value;
      return this;
    }

    public Builder retry(RetryPolicy value) {
      this.retry = value;
      return this;
    }

    public Builder deadline(Duration value) {
      this.deadline = value;
      return this;
    }

    public Builder capacity(int value) {
      this.capacity = value;
      return this;
    }

    public Builder budget(RateBudget value) {
      this.budget = value;
      return this;
    }

    public Builder failurePolicy(FailurePolicy value) {
      this.failurePolicy = value;
      return this;
    }

    public Builder taskKinds(Set<TaskKind> value) {
      this.taskKinds =
          value == null || value.isEmpty() ? EnumSet.noneOf(TaskKind.class) : EnumSet.copyOf(value);
      return this;
    }

    public CallSettings build() {
      if (url == null) {
        throw new IllegalArgumentException(prefix + ".url is required");
      }
      String scheme = url.getScheme();
      if (!url.isAbsolute()
          || url.getHost() == null
          || !("http".equals(scheme) || "https".equals(scheme))) {
        throw new IllegalArgumentException(
            prefix + ".url must be an absolute http or https URL, got " + withoutQueryLenient(url));
      }
      if (url.getRawUserInfo() != null) {
        throw new IllegalArgumentException(
            prefix + ".url must not carry credentials; set " + prefix + ".api-key instead");
      }
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException(prefix + ".timeout must be positive, got " + timeout);
      }
      if (retry == null) {
        throw new IllegalArgumentException(prefix + ".max-retries is required");
      }
      retry.validate(prefix);
      if (deadline == null || deadline.compareTo(timeout) < 0) {
        throw new IllegalArgumentException(
            prefix
                + ".deadline must be >= "
                + prefix
                + ".timeout ("
                + timeout
                + "), got "
                + deadline);
      }
      if (capacity < 1) {
        throw new IllegalArgumentException(prefix + ".capacity must be >= 1, got " + capacity);
      }
      if (budget == null) {
        throw new IllegalArgumentException(prefix + ".rate-budget is required");
      }
      budget.validate(prefix);
      if (failurePolicy == null) {
        throw new IllegalArgumentException(
            prefix + ".failure-policy must be unscored or dead-letter");
      }
      return new CallSettings(this);
    }

    private static String withoutQueryLenient(URI uri) {
      return uri.getHost() == null ? "(a URL without host)" : withoutQuery(uri);
    }
  }
}

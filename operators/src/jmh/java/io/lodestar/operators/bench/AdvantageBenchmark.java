package io.lodestar.operators.bench;

import io.lodestar.operators.advantage.AdvantageSpec;
import io.lodestar.operators.advantage.Advantages;
import io.lodestar.operators.advantage.CompatMode;
import io.lodestar.operators.advantage.Estimator;
import io.lodestar.operators.advantage.GroupAdvantages;
import io.lodestar.operators.advantage.ScaleRewards;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Groups per second through the advantage library: a batch of {@value #GROUPS} groups of
 * {@value #GROUP_SIZE} rewards (0/1 and continuous, some unscored) per invocation. {@code baseline}
 * is the pipeline's original single-estimator path, {@code GroupAdvantages.grpo}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AdvantageBenchmark {

  static final int GROUPS = 64;
  static final int GROUP_SIZE = 8;

  @Param({
    "baseline",
    "lodestar:grpo",
    "verl:grpo",
    "trl:grpo",
    "trl-async:grpo",
    "openrlhf:grpo",
    "verl:rloo",
    "verl:grpo_pass_at_k",
    "trl:grpo:batch",
    "openrlhf:reinforce_pp_baseline",
    "verl:reinforce_pp_baseline:tokens"
  })
  public String spec;

  private List<Double[]> groups;
  private List<int[]> tokens;
  private AdvantageSpec advantageSpec;
  private boolean byTokens;

  @Setup
  public void setUp() {
    Random random = new Random(17);
    groups = new ArrayList<>(GROUPS);
    tokens = new ArrayList<>(GROUPS);
    for (int g = 0; g < GROUPS; g++) {
      Double[] rewards = new Double[GROUP_SIZE];
      int[] t = new int[GROUP_SIZE];
      for (int i = 0; i < GROUP_SIZE; i++) {
        int kind = random.nextInt(10);
        rewards[i] = kind == 0 ? null : kind < 6 ? (double) random.nextInt(2) : random.nextGaussian();
        t[i] = 50 + random.nextInt(500);
      }
      groups.add(rewards);
      tokens.add(t);
    }
    if (!spec.equals("baseline")) {
      String[] parts = spec.split(":");
      AdvantageSpec s = AdvantageSpec.of(Estimator.fromId(parts[1]), CompatMode.fromId(parts[0]));
      if (parts.length > 2 && parts[2].equals("batch")) {
        s = s.withScaleRewards(ScaleRewards.BATCH);
      }
      byTokens = parts.length > 2 && parts[2].equals("tokens");
      advantageSpec = s;
    }
  }

  @Benchmark
  @OperationsPerInvocation(GROUPS)
  public void groupsPerSecond(Blackhole out) {
    if (advantageSpec == null) {
      for (Double[] rewards : groups) {
        out.consume(GroupAdvantages.grpo(rewards, GroupAdvantages.VERL_EPS));
      }
    } else {
      out.consume(Advantages.batch(groups, byTokens ? tokens : null, advantageSpec));
    }
  }
}

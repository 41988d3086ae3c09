package io.lodestar.operators.health;

import io.lodestar.operators.TestRecords;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.FeedbackKind;
import io.lodestar.schema.Generation;
import io.lodestar.schema.PairSource;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.Provenance;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardSource;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.ScoredGeneration;
import java.util.ArrayList;
import java.util.List;

/** Small builders for health tests. */
final class HealthFixtures {

  static final String MODEL = TestRecords.MODEL_ID;
  static final long VERSION = TestRecords.POLICY_VERSION;
  static final String SOURCE = "gsm8k";

  private HealthFixtures() {}

  static RewardComponent ok(String name, RewardSource source, double value) {
    return RewardComponent.newBuilder()
        .setName(name)
        .setValue(value)
        .setStatus(RewardStatus.OK)
        .setSource(source)
        .setVersion("1")
        .build();
  }

  static RewardComponent failed(String name, RewardSource source, RewardStatus status) {
    return RewardComponent.newBuilder()
        .setName(name)
        .setValue(null)
        .setStatus(status)
        .setSource(source)
        .setVersion("1")
        .build();
  }

  static RewardComponent accuracy(double value) {
    return ok("math_equivalence", RewardSource.VERIFIER, value);
  }

  static RewardComponent format(double value) {
    return ok("format", RewardSource.VERIFIER, value);
  }

  static RewardComponent model(double value) {
    return ok("rm", RewardSource.MODEL, value);
  }

  static RewardComponent judge(double value) {
    return ok("judge", RewardSource.JUDGE, value);
  }

  /**
   * A scored generation of {@link #MODEL}@{@code version}, data source {@link #SOURCE}, at {@code
   * t}.
   */
  static ScoredGeneration scored(
      String id, long version, long t, Double reward, int length, RewardComponent... components) {
    Generation generation =
        TestRecords.generation(id)
            .setPolicy(TestRecords.policy(MODEL, version))
            .setResponse("x".repeat(length))
            .setCreatedAtMs(t)
            .build();
    return ScoredGeneration.newBuilder()
        .setGeneration(generation)
        .setComponents(new ArrayList<>(List.of(components)))
        .setReward(reward)
        .setRewardVersion("test")
        .setScoredAtMs(t)
        .build();
  }

  static ScoredGeneration scored(
      String id, long t, Double reward, int length, RewardComponent... components) {
    return scored(id, VERSION, t, reward, length, components);
  }

  /** A closed group whose samples have these rewards (null: unscored). */
  static RLGroup group(String id, long closedAt, Double... rewards) {
    RLGroup.Builder builder = TestRecords.group(id, closedAt);
    List<RLSample> samples = new ArrayList<>();
    for (int i = 0; i < rewards.length; i++) {
      RLSample sample =
          TestRecords.sample(id + "-" + i, rewards[i] == null ? 0.0 : rewards[i], 0.0, closedAt);
      sample.setReward(rewards[i]);
      sample.setScored(rewards[i] != null);
      samples.add(sample);
    }
    return builder.setSamples(samples).build();
  }

  static RLGroup groupOfVersions(String id, long closedAt, long minVersion, long maxVersion) {
    return TestRecords.group(id, closedAt)
        .setMinPolicyVersion(minVersion)
        .setMaxPolicyVersion(maxVersion)
        .build();
  }

  static RLBatch batch(String id, long sequence, long closedAt, long version, RLGroup... groups) {
    int samples = 0;
    long min = Long.MAX_VALUE;
    for (RLGroup g : groups) {
      samples += g.getSamples().size();
      min = Math.min(min, g.getMinPolicyVersion());
    }
    return RLBatch.newBuilder()
        .setBatchId(id)
        .setModelId(MODEL)
        .setSequence(sequence)
        .setGroups(new ArrayList<>(List.of(groups)))
        .setSampleCount(samples)
        .setMinPolicyVersion(groups.length == 0 ? version : Math.min(min, version))
        .setMaxPolicyVersion(version)
        .setClosedAtMs(closedAt)
        .build();
  }

  static RLBatch batch(String id, long sequence, long closedAt, long version) {
    return batch(
        id, sequence, closedAt, version, groupOfVersions(id + "-g", closedAt, version, version));
  }

  static PreferencePair pair(String id, PairSource source, long version, long t) {
    return PreferencePair.newBuilder()
        .setPairId(id)
        .setPromptId("p")
        .setPrompt(TestRecords.prompt())
        .setChosen("a")
        .setRejected("b")
        .setChosenGenerationId("g-a")
        .setRejectedGenerationId("g-b")
        .setSource(source)
        .setProvenance(
            Provenance.newBuilder()
                .setModelIds(new ArrayList<>(List.of(MODEL)))
                .setPolicyVersions(new ArrayList<>(List.of(version)))
                .build())
        .setCreatedAtMs(t)
        .build();
  }

  static Feedback thumb(String id, String generationId, boolean up, long t) {
    return TestRecords.feedback(id, generationId).setThumbUp(up).setCreatedAtMs(t).build();
  }

  static Feedback rating(String id, String generationId, double rating, long t) {
    return TestRecords.feedback(id, generationId)
        .setKind(FeedbackKind.RATING)
        .setThumbUp(null)
        .setRating(rating)
        .setRatingMin(1.0)
        .setRatingMax(5.0)
        .setCreatedAtMs(t)
        .build();
  }
}

package io.lodestar.operators.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.schema.PairSource;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.Provenance;
import io.lodestar.schema.RLBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the gate reads of the records it may hold, and how late a batch of health events is. */
class GateSubjectTest {

  @Test
  void aPairSpansEveryVersionOfItsProvenanceAndBelongsToItsFirstModel() {
    PreferencePair pair = pair(List.of("m1", "m2"), List.of(5L, 3L, 9L));

    assertThat(GateSubject.PREFERENCE_PAIRS.modelId(pair)).isEqualTo("m1");
    assertThat(GateSubject.PREFERENCE_PAIRS.minPolicyVersion(pair)).isEqualTo(3);
    assertThat(GateSubject.PREFERENCE_PAIRS.maxPolicyVersion(pair)).isEqualTo(9);
    assertThat(GateSubject.PREFERENCE_PAIRS.eventTimeMs(pair)).isEqualTo(10);
  }

  @Test
  void aPairWithoutProvenanceIsOfAnUnknownModelAtVersionZero() {
    PreferencePair pair = pair(List.of(), List.of());

    assertThat(GateSubject.PREFERENCE_PAIRS.modelId(pair)).isEqualTo(HealthEvents.UNKNOWN);
    assertThat(GateSubject.PREFERENCE_PAIRS.minPolicyVersion(pair)).isZero();
    assertThat(GateSubject.PREFERENCE_PAIRS.maxPolicyVersion(pair)).isZero();
  }

  @Test
  void aBatchSpansTheVersionsOfItsGroupsAndIsTimedByItsClose() {
    RLBatch batch =
        HealthFixtures.batch(
            "b",
            0,
            500,
            8,
            HealthFixtures.groupOfVersions("g1", 400, 4, 6),
            HealthFixtures.groupOfVersions("g2", 450, 7, 8));

    assertThat(GateSubject.RL_BATCHES.modelId(batch)).isEqualTo(HealthFixtures.MODEL);
    assertThat(GateSubject.RL_BATCHES.minPolicyVersion(batch)).isEqualTo(4);
    assertThat(GateSubject.RL_BATCHES.maxPolicyVersion(batch)).isEqualTo(8);
    assertThat(GateSubject.RL_BATCHES.eventTimeMs(batch)).isEqualTo(500);
  }

  @Test
  void aBatchOfEventsIsAsLateAsItsLatestEvent() {
    HealthEventBatch batch = new HealthEventBatch("k", 0);
    assertThat(batch.latestEventTimeMs()).isEqualTo(Long.MIN_VALUE);
    for (long t : new long[] {30, 70, 50}) {
      HealthEvent event = new HealthEvent();
      event.eventTimeMs = t;
      batch.events.add(event);
    }

    assertThat(batch.latestEventTimeMs()).isEqualTo(70);
  }

  private static PreferencePair pair(List<String> models, List<Long> versions) {
    return PreferencePair.newBuilder(HealthFixtures.pair("p", PairSource.VOTE, 1, 10))
        .setProvenance(
            Provenance.newBuilder()
                .setModelIds(new ArrayList<>(models))
                .setPolicyVersions(new ArrayList<>(versions))
                .build())
        .build();
  }

  @Test
  void theGateByDefaultReleasesWhatItHeldWaitsOneWindowAndRemembersTenMinutes() {
    assertThat(GateSettings.defaults())
        .isEqualTo(
            new GateSettings(
                GateSettings.OnClear.RELEASE, Duration.ofMinutes(1), Duration.ofMinutes(10)));
  }
}

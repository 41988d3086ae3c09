package io.lodestar.operators.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.operators.TestRecords;
import io.lodestar.schema.RLGroup;
import org.junit.jupiter.api.Test;

class StalenessTest {

  @Test
  void theActionIsReadCaseInsensitivelyAndAnUnknownOneIsNamedInTheError() {
    assertThat(Staleness.Action.fromId(" Drop ")).isEqualTo(Staleness.Action.DROP);
    assertThat(Staleness.Action.fromId("downweight")).isEqualTo(Staleness.Action.DOWNWEIGHT);
    assertThatThrownBy(() -> Staleness.Action.fromId("discard"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'discard'");
  }

  @Test
  void aGroupExactlyMaxLagBehindIsStillFresh() {
    RLGroup group = TestRecords.group("g", 1_000).setMinPolicyVersion(5L).build();
    Staleness lagTwo = new Staleness(2, Staleness.Action.DROP, 1.0);

    assertThat(lagTwo.isStale(group, 7)).isFalse();
    assertThat(lagTwo.isStale(group, 8)).isTrue();
    assertThat(Staleness.off().isStale(group, 1_000)).isFalse();
  }
}

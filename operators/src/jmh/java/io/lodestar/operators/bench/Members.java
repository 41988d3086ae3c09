package io.lodestar.operators.bench;

import io.lodestar.operators.TestRecords;
import io.lodestar.schema.Generation;
import io.lodestar.schema.ScoredGeneration;
import java.util.ArrayList;
import java.util.List;

/** Realistic group members for the benchmarks: a ~1 KB response with 256 token ids and log-probs. */
final class Members {

  static final int GROUP_SIZE = 8;
  private static final String RESPONSE = "Let me work through this step by step. ".repeat(26) + "#### 42";
  private static final List<Integer> TOKENS = new ArrayList<>();
  private static final List<Float> LOGPROBS = new ArrayList<>();

  static {
    for (int i = 0; i < 256; i++) {
      TOKENS.add(1000 + i);
      LOGPROBS.add(-0.01f * i);
    }
  }

  private Members() {}

  static ScoredGeneration member(String groupId, int index, int groupSize) {
    Generation g =
        Generation.newBuilder(TestRecords.member(groupId + "-" + index, groupId, groupSize, index, 1_000_000L + index))
            .setResponse(RESPONSE)
            .setResponseTokenIds(TOKENS)
            .setResponseLogprobs(LOGPROBS)
            .build();
    return TestRecords.scored(g, (double) (index % 2)).build();
  }
}

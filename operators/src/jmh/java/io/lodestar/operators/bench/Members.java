package io.lodestar.operators.bench;

import io.lodestar.operators.TestRecords;
import io.lodestar.schema.Generation;
import io.lodestar.schema.ScoredGeneration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Realistic group members for the benchmarks: a ~1 KB response of random words with 256 random
 * token ids and log-probs, so that RocksDB's block compression sees data about as compressible as
 * real generations, not a repeated sentence.
 */
final class Members {

  static final int GROUP_SIZE = 8;
  private static final int VARIANTS = 64;
  private static final String[] WORDS = {
    "the", "answer", "is", "therefore", "we", "compute", "each", "step", "so", "total", "equals", "minus",
    "plus", "times", "divided", "by", "which", "gives", "eggs", "dollars", "per", "day", "she", "sells"
  };
  private static final List<String> RESPONSES = new ArrayList<>();
  private static final List<List<Integer>> TOKENS = new ArrayList<>();
  private static final List<List<Float>> LOGPROBS = new ArrayList<>();

  static {
    Random random = new Random(7);
    for (int v = 0; v < VARIANTS; v++) {
      StringBuilder text = new StringBuilder();
      while (text.length() < 1_000) {
        text.append(WORDS[random.nextInt(WORDS.length)]).append(random.nextInt(10) == 0 ? " " + random.nextInt(1000) + " " : " ");
      }
      RESPONSES.add(text.append("#### 42").toString());
      List<Integer> tokens = new ArrayList<>();
      List<Float> logprobs = new ArrayList<>();
      for (int i = 0; i < 256; i++) {
        tokens.add(random.nextInt(150_000));
        logprobs.add((float) -Math.abs(random.nextGaussian()));
      }
      TOKENS.add(tokens);
      LOGPROBS.add(logprobs);
    }
  }

  private Members() {}

  static ScoredGeneration member(String groupId, int index, int groupSize) {
    int v = Math.floorMod(groupId.hashCode() * 31 + index, VARIANTS);
    Generation g =
        Generation.newBuilder(TestRecords.member(groupId + "-" + index, groupId, groupSize, index, 1_000_000L + index))
            .setResponse(RESPONSES.get(v))
            .setResponseTokenIds(TOKENS.get(v))
            .setResponseLogprobs(LOGPROBS.get(v))
            .build();
    return TestRecords.scored(g, (double) (index % 2)).build();
  }
}

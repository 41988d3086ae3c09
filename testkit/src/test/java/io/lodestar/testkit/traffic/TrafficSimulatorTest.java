package io.lodestar.testkit.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.lodestar.schema.Feedback;
import io.lodestar.schema.FeedbackKind;
import io.lodestar.schema.FinishReason;
import io.lodestar.schema.Generation;
import io.lodestar.testkit.traffic.TrafficSimulator.Settings;
import io.lodestar.testkit.traffic.TrafficSimulator.Stats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;

class TrafficSimulatorTest {

  private static final Pattern NUMBER = Pattern.compile("\\d[\\d,]*(?:\\.\\d+)?");
  private static final List<String> ANSWER_MARKERS =
      List.of("####", "The answer is", "\\boxed{", "A: ", "Final answer", "Answer: ");

  private record Duplicate(Generation generation) {}

  /** Hex strings, so that equal payloads print equally. */
  private record Corrupt(String role, String keyHex, String bytesHex) {}

  /** Everything a run emitted, in emission order. */
  private static final class Recorder implements TrafficSimulator.Output {
    final List<Object> events = new ArrayList<>();
    final List<Generation> generations = new ArrayList<>();
    final List<Generation> duplicates = new ArrayList<>();
    final List<Feedback> feedback = new ArrayList<>();
    final List<String> corruptRoles = new ArrayList<>();
    final List<byte[]> corruptPayloads = new ArrayList<>();

    @Override
    public void generation(Generation g) {
      generations.add(g);
      events.add(g);
    }

    @Override
    public void feedback(Feedback f) {
      feedback.add(f);
      events.add(f);
    }

    @Override
    public void corrupt(String topicRole, byte[] key, byte[] bytes) {
      corruptRoles.add(topicRole);
      corruptPayloads.add(bytes);
      events.add(
          new Corrupt(topicRole, HexFormat.of().formatHex(key), HexFormat.of().formatHex(bytes)));
    }

    @Override
    public void duplicate(Generation g) {
      duplicates.add(g);
      events.add(new Duplicate(g));
    }

    Map<String, Generation> byId() {
      Map<String, Generation> byId = new HashMap<>();
      generations.forEach(g -> byId.put(g.getGenerationId(), g));
      return byId;
    }
  }

  private static Settings settings(long seed, int prompts) {
    Settings d = Settings.defaults();
    return new Settings(
        seed,
        prompts,
        d.groupSize(),
        d.duplicateRate(),
        d.corruptRate(),
        d.noAnswerRate(),
        d.voteRate(),
        d.thumbRate(),
        d.startTimeMs(),
        d.meanGapMs(),
        d.modelId());
  }

  /** Rates high enough that every kind of event shows up many times in a short run. */
  private static Settings busySettings(int prompts) {
    return new Settings(
        11L, prompts, 4, 0.05, 0.05, 0.1, 0.5, 0.3, 1_700_000_000_000L, 200L, "sim-model");
  }

  private static Recorder record(Settings settings) {
    Recorder recorder = new Recorder();
    Stats stats = new TrafficSimulator(settings).run(recorder);
    assertThat(stats.prompts()).isEqualTo(settings.prompts());
    return recorder;
  }

  private static BigDecimal lastNumber(String text) {
    Matcher matcher = NUMBER.matcher(text);
    String last = null;
    while (matcher.find()) {
      last = matcher.group();
    }
    return last == null ? null : new BigDecimal(last.replace(",", ""));
  }

  private static boolean endsWithGroundTruth(Generation g) {
    BigDecimal last = lastNumber(g.getResponse());
    return last != null && last.compareTo(new BigDecimal(g.getTask().getGroundTruth())) == 0;
  }

  private static boolean hasAnswerMarker(Generation g) {
    return ANSWER_MARKERS.stream().anyMatch(g.getResponse()::contains);
  }

  @Test
  void sameSeedProducesIdenticalTraffic() {
    Settings settings = busySettings(120);
    Recorder first = record(settings);
    Recorder second = record(settings);

    assertThat(second.events).hasSameSizeAs(first.events);
    for (int i = 0; i < first.events.size(); i++) {
      assertThat(second.events.get(i).toString()).isEqualTo(first.events.get(i).toString());
    }
    assertThat(new TrafficSimulator(settings).run(new Recorder()))
        .isEqualTo(new TrafficSimulator(settings).run(new Recorder()));
  }

  @Test
  void differentSeedsProduceDifferentTraffic() {
    Recorder a = record(settings(1L, 5));
    Recorder b = record(settings(2L, 5));

    assertThat(a.generations.get(0).getResponse()).isNotEqualTo(b.generations.get(0).getResponse());
    assertThat(a.generations.get(0).getGenerationId())
        .isNotEqualTo(b.generations.get(0).getGenerationId());
  }

  @Test
  void statsMatchWhatWasEmitted() {
    Recorder recorder = new Recorder();
    Stats stats = new TrafficSimulator(busySettings(300)).run(recorder);

    assertThat(stats.generations()).isEqualTo(recorder.generations.size()).isEqualTo(300 * 4);
    assertThat(stats.duplicates()).isEqualTo(recorder.duplicates.size()).isPositive();
    assertThat(stats.corrupt()).isEqualTo(recorder.corruptPayloads.size()).isPositive();
    assertThat(stats.votes())
        .isEqualTo(
            (int)
                recorder.feedback.stream()
                    .filter(f -> f.getKind() == FeedbackKind.PAIRWISE)
                    .count())
        .isPositive();
    assertThat(stats.thumbs())
        .isEqualTo(
            (int) recorder.feedback.stream().filter(f -> f.getKind() == FeedbackKind.THUMB).count())
        .isPositive();
    assertThat(stats.votes() + stats.thumbs()).isEqualTo(recorder.feedback.size());
  }

  @Test
  void everyGroupHasExactlyKDistinctGenerationsAndDuplicatesReuseTheirIds() {
    Recorder recorder = record(busySettings(200));

    Map<String, List<Generation>> groups = new LinkedHashMap<>();
    recorder.generations.forEach(
        g -> groups.computeIfAbsent(g.getGroupId(), id -> new ArrayList<>()).add(g));
    assertThat(groups).hasSize(200);
    for (List<Generation> group : groups.values()) {
      assertThat(group).hasSize(4);
      assertThat(group).extracting(Generation::getGenerationId).doesNotHaveDuplicates();
      assertThat(group)
          .extracting(Generation::getSampleIndex)
          .containsExactlyInAnyOrder(0, 1, 2, 3);
      assertThat(group)
          .allSatisfy(
              g -> {
                assertThat(g.getExpectedGroupSize()).isEqualTo(4);
                assertThat(g.getPromptId()).isEqualTo(group.get(0).getPromptId());
                assertThat(g.getTask().getGroundTruth())
                    .isEqualTo(group.get(0).getTask().getGroundTruth());
                assertThat(g.getPolicy().getPolicyVersion())
                    .isEqualTo(group.get(0).getPolicy().getPolicyVersion());
              });
    }
    assertThat(recorder.generations)
        .extracting(Generation::getGenerationId)
        .doesNotHaveDuplicates();

    Map<String, Generation> byId = recorder.byId();
    assertThat(recorder.duplicates)
        .allSatisfy(d -> assertThat(d).isEqualTo(byId.get(d.getGenerationId())));
  }

  @Test
  void duplicatesFollowTheirOriginalAndGroupsAreEmittedInEventTimeOrder() {
    Recorder recorder = record(busySettings(200));

    Set<String> finishedGroups = new HashSet<>();
    String currentGroup = null;
    long groupStart = Long.MIN_VALUE;
    long lastGenerationTime = Long.MIN_VALUE;
    Object previous = null;
    for (Object event : recorder.events) {
      if (event instanceof Generation g) {
        if (!g.getGroupId().equals(currentGroup)) {
          assertThat(finishedGroups.add(g.getGroupId()))
              .as("a group is emitted in one piece")
              .isTrue();
          assertThat(g.getCreatedAtMs()).isGreaterThanOrEqualTo(groupStart);
          currentGroup = g.getGroupId();
          groupStart = g.getCreatedAtMs();
        } else {
          assertThat(g.getCreatedAtMs()).isGreaterThanOrEqualTo(lastGenerationTime);
        }
        lastGenerationTime = g.getCreatedAtMs();
      } else if (event instanceof Feedback f) {
        assertThat(f.getCreatedAtMs()).isGreaterThan(lastGenerationTime);
      } else if (event instanceof Duplicate d) {
        assertThat(previous).isEqualTo(d.generation());
      }
      previous = event;
    }
  }

  @Test
  void feedbackReferencesGenerationsOfOneGroupAndComesAfterThem() {
    Recorder recorder = record(busySettings(300));
    Map<String, Generation> byId = recorder.byId();

    assertThat(recorder.feedback).extracting(Feedback::getFeedbackId).doesNotHaveDuplicates();
    for (Feedback f : recorder.feedback) {
      Generation a = byId.get(f.getGenerationId());
      assertThat(a).isNotNull();
      assertThat(f.getCreatedAtMs()).isGreaterThan(a.getCreatedAtMs());
      assertThat(f.getTenant()).isEqualTo(a.getTenant());
      if (f.getKind() == FeedbackKind.PAIRWISE) {
        Generation b = byId.get(f.getOtherGenerationId());
        assertThat(b).isNotNull();
        assertThat(b.getGenerationId()).isNotEqualTo(a.getGenerationId());
        assertThat(b.getGroupId()).isEqualTo(a.getGroupId());
        assertThat(f.getCreatedAtMs()).isGreaterThan(b.getCreatedAtMs());
        assertThat(f.getOutcome()).isNotNull();
        assertThat(f.getThumbUp()).isNull();
      } else {
        assertThat(f.getKind()).isEqualTo(FeedbackKind.THUMB);
        assertThat(f.getThumbUp()).isNotNull();
        assertThat(f.getOtherGenerationId()).isNull();
      }
    }
  }

  @Test
  void votesMostlyFavourTheResponseWithTheRightAnswer() {
    Recorder recorder = record(busySettings(500));
    Map<String, Generation> byId = recorder.byId();

    int decided = 0;
    int rightWon = 0;
    for (Feedback f : recorder.feedback) {
      if (f.getKind() != FeedbackKind.PAIRWISE) {
        continue;
      }
      boolean aRight = endsWithGroundTruth(byId.get(f.getGenerationId()));
      boolean bRight = endsWithGroundTruth(byId.get(f.getOtherGenerationId()));
      if (aRight != bRight) {
        decided++;
        String winner = aRight ? "A" : "B";
        if (f.getOutcome().name().equals(winner)) {
          rightWon++;
        }
      }
    }
    assertThat(decided).isGreaterThan(30);
    assertThat((double) rightWon / decided).isGreaterThan(0.65);
  }

  @Test
  void groundTruthIsTheFinalAnswerOfExactlyTheResponsesCountedCorrect() {
    Recorder recorder = new Recorder();
    Stats stats = new TrafficSimulator(busySettings(500)).run(recorder);

    long endingInGroundTruth =
        recorder.generations.stream().filter(TrafficSimulatorTest::endsWithGroundTruth).count();
    assertThat(endingInGroundTruth).isEqualTo(stats.correctResponses());
    // Wrong answers are still well-formed: they end in a number, just not the reference one.
    assertThat(
            recorder.generations.stream()
                .filter(TrafficSimulatorTest::hasAnswerMarker)
                .filter(g -> !endsWithGroundTruth(g))
                .allMatch(g -> lastNumber(g.getResponse()) != null))
        .isTrue();
  }

  @Test
  void ratesAreRoughlyRespectedOverFiveHundredPrompts() {
    Recorder recorder = new Recorder();
    Stats stats = new TrafficSimulator(busySettings(500)).run(recorder);
    double generations = stats.generations();

    assertThat(stats.duplicates() / generations).isCloseTo(0.05, within(0.015));
    assertThat(stats.corrupt() / 500.0).isCloseTo(0.05, within(0.03));
    assertThat(stats.votes() / 500.0).isCloseTo(0.5, within(0.07));
    assertThat(stats.thumbs() / 500.0).isCloseTo(0.3, within(0.065));
    assertThat(stats.correctResponses() / generations).isBetween(0.4, 0.6);
    long withoutAnswer = recorder.generations.stream().filter(g -> !hasAnswerMarker(g)).count();
    assertThat(withoutAnswer / generations).isCloseTo(0.1, within(0.025));
  }

  @Test
  void responsesLookLikeRealModelOutput() {
    Recorder recorder = record(busySettings(500));
    List<Generation> generations = recorder.generations;

    assertThat(generations)
        .allSatisfy(
            g -> {
              assertThat(g.getResponse().length()).isGreaterThan(60);
              assertThat(g.getTask().getGroundTruth()).matches("\\d+(\\.\\d+)?");
              assertThat(g.getPrompt()).isNotEmpty();
              assertThat(g.getPrompt().get(g.getPrompt().size() - 1).getRole()).isEqualTo("user");
              assertThat(g.getPolicy().getTemperature()).isEqualTo(0.8);
              assertThat(g.getPolicy().getTopP()).isEqualTo(0.95);
              assertThat(g.getUserIdHash()).matches("[0-9a-f]{64}");
            });
    double meanLength =
        generations.stream().mapToInt(g -> g.getResponse().length()).average().orElse(0);
    assertThat(meanLength).isGreaterThan(200);
    for (String format :
        List.of("#### ", "The answer is ", "\\boxed{", "A: ", "**Final answer:** ")) {
      assertThat(generations)
          .as("uses format %s", format)
          .anyMatch(g -> g.getResponse().contains(format));
    }
    assertThat(generations).as("thinks first").anyMatch(g -> g.getResponse().startsWith("<think>"));
    assertThat(generations)
        .as("truncated")
        .anyMatch(g -> g.getFinishReason() == FinishReason.LENGTH);
    assertThat(generations)
        .as("system prompt")
        .anyMatch(g -> g.getPrompt().get(0).getRole().equals("system"));
    assertThat(generations)
        .as("decimal answer")
        .anyMatch(g -> g.getTask().getGroundTruth().contains("."));
    assertThat(generations)
        .as("answer in the thousands")
        .anyMatch(
            g ->
                new BigDecimal(g.getTask().getGroundTruth()).compareTo(BigDecimal.valueOf(1000))
                    > 0);
    assertThat(generations).as("some users opted out").anyMatch(g -> !g.getConsentToTrain());
    assertThat(generations.stream().filter(Generation::getConsentToTrain).count())
        .isGreaterThan(generations.size() * 3L / 4);
  }

  @Test
  void policyVersionNeverDecreasesAndAdvancesOverTime() {
    Recorder recorder = record(busySettings(500));

    long previous = 0;
    for (Generation g : recorder.generations) {
      assertThat(g.getPolicy().getPolicyVersion()).isGreaterThanOrEqualTo(previous);
      previous = g.getPolicy().getPolicyVersion();
    }
    assertThat(previous).isGreaterThan(recorder.generations.get(0).getPolicy().getPolicyVersion());
  }

  @Test
  void tokenIdsAndLogprobsAreAlignedWhereTheyArePresent() {
    Recorder recorder = record(busySettings(200));

    List<Generation> withTokens =
        recorder.generations.stream().filter(g -> g.getResponseTokenIds() != null).toList();
    assertThat(withTokens).isNotEmpty().hasSizeLessThan(recorder.generations.size());
    assertThat(withTokens)
        .allSatisfy(
            g -> {
              assertThat(g.getResponseLogprobs()).hasSameSizeAs(g.getResponseTokenIds());
              assertThat(g.getResponseTokenIds())
                  .allSatisfy(id -> assertThat(id).isBetween(0, 49_999));
              assertThat(g.getResponseLogprobs()).allSatisfy(lp -> assertThat(lp).isNegative());
              assertThat(g.getPromptTokenIds()).isNotEmpty();
            });
  }

  @Test
  void everyRecordPassesAvroBuilderValidationAndRoundTrips() throws IOException {
    Recorder recorder = record(busySettings(150));

    for (Generation g : recorder.generations) {
      assertThat(Generation.newBuilder(g).build()).isEqualTo(g);
      assertThat(roundTrip(g)).isEqualTo(g);
    }
    for (Feedback f : recorder.feedback) {
      assertThat(Feedback.newBuilder(f).build()).isEqualTo(f);
      assertThat(roundTrip(f)).isEqualTo(f);
    }
  }

  @SuppressWarnings("unchecked")
  private static <T extends SpecificRecordBase> T roundTrip(T record) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
    new SpecificDatumWriter<T>(record.getSchema()).write(record, encoder);
    encoder.flush();
    SpecificDatumReader<T> reader = new SpecificDatumReader<>((Class<T>) record.getClass());
    return reader.read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
  }

  @Test
  void corruptPayloadsNeverDecodeAsRecords() {
    Recorder recorder = record(busySettings(500));

    assertThat(recorder.corruptRoles)
        .containsOnly("generations", "feedback")
        .contains("generations", "feedback");
    assertThat(recorder.corruptPayloads).anyMatch(p -> p.length == 0);
    assertThat(recorder.corruptPayloads)
        .anyMatch(p -> p.length > 1 && p[0] == (byte) 0xC3 && p[1] == 0x01);
    for (byte[] payload : recorder.corruptPayloads) {
      assertThatThrownBy(() -> Generation.getDecoder().decode(payload))
          .isInstanceOf(Exception.class);
      assertThatThrownBy(() -> Feedback.getDecoder().decode(payload)).isInstanceOf(Exception.class);
    }
  }

  @Test
  void settingsRejectImpossibleValues() {
    Settings d = Settings.defaults();
    assertThatThrownBy(() -> new Settings(1, 10, 0, 0, 0, 0, 0, 0, 0, 100, "m"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("groupSize");
    assertThatThrownBy(() -> new Settings(1, 10, 4, 1.5, 0, 0, 0, 0, 0, 100, "m"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duplicateRate");
    assertThatThrownBy(() -> new Settings(1, 10, 4, 0, 0, Double.NaN, 0, 0, 0, 100, "m"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("noAnswerRate");
    assertThatThrownBy(() -> new Settings(1, 10, 4, 0, 0, 0, 0, 0, 0, 100, " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("modelId");
    assertThat(d.groupSize()).isGreaterThan(1);
  }

  @Test
  void singleSampleGroupsGetThumbsButNoVotes() {
    Recorder recorder = new Recorder();
    Stats stats =
        new TrafficSimulator(new Settings(3L, 100, 1, 0, 0, 0.1, 1.0, 1.0, 0, 100, "m"))
            .run(recorder);

    assertThat(stats.votes()).isZero();
    assertThat(stats.thumbs()).isEqualTo(100);
    assertThat(recorder.generations).hasSize(100);
  }
}

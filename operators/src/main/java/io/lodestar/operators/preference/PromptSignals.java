package io.lodestar.operators.preference;

import io.lodestar.operators.preference.PreferenceExamples.NoExample;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.FeedbackKind;
import io.lodestar.schema.Generation;
import io.lodestar.schema.PairSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Thumbs and ratings of one prompt, compared with each other once the prompt's window closes. Pure,
 * no Flink types.
 *
 * <p>Thumbs: each generation's thumbs are summed into one label (more up than down: desirable),
 * with agreement |up - down| / (up + down); an even split is a conflict and yields nothing. Each
 * desirable generation is preferred over each undesirable one (confidence: the thumb weight times
 * the lower agreement), at most {@code maxPairsPerPrompt} pairs, most confident first. A thumbed
 * generation left without a pair (a lone thumb, or cut by the cap) becomes an unpaired example with
 * its label.
 *
 * <p>Ratings: each generation's ratings are averaged, on the 0-1 scale when the rating carries its
 * range; every two generations whose averages differ by more than {@code ratingGap} make a pair
 * with that difference as its margin, widest gaps first, up to the cap.
 */
public final class PromptSignals {

  /** One thumb or rating, with the generation it is about. */
  public record Signal(Feedback feedback, Generation generation) {}

  private PromptSignals() {}

  public static void mine(
      List<Signal> signals, PreferenceSettings settings, PreferenceExamples out) {
    Map<String, List<Signal>> thumbs = new TreeMap<>();
    Map<String, List<Signal>> ratings = new TreeMap<>();
    for (Signal s : signals) {
      if (!s.generation().getConsentToTrain()) {
        out.none(NoExample.NO_CONSENT, 1);
        continue;
      }
      Map<String, List<Signal>> byGeneration =
          s.feedback().getKind() == FeedbackKind.THUMB ? thumbs : ratings;
      byGeneration.computeIfAbsent(s.generation().getGenerationId(), k -> new ArrayList<>()).add(s);
    }
    thumbs(thumbs, settings, out);
    ratings(ratings, settings, out);
  }

  private record Labelled(
      Generation generation,
      boolean desirable,
      double agreement,
      List<String> feedbackIds,
      long lastAtMs) {}

  private static void thumbs(
      Map<String, List<Signal>> byGeneration, PreferenceSettings settings, PreferenceExamples out) {
    List<Labelled> up = new ArrayList<>();
    List<Labelled> down = new ArrayList<>();
    for (List<Signal> own : byGeneration.values()) {
      int ups = 0;
      for (Signal s : own) {
        ups += Boolean.TRUE.equals(s.feedback().getThumbUp()) ? 1 : 0;
      }
      int downs = own.size() - ups;
      if (ups == downs) {
        out.none(NoExample.THUMBS_CONFLICT, own.size());
        continue;
      }
      Labelled l =
          new Labelled(
              own.get(0).generation(),
              ups > downs,
              Math.abs(ups - downs) / (double) own.size(),
              ids(own),
              lastAt(own));
      (l.desirable() ? up : down).add(l);
    }
    double weight = settings.weights().thumb();
    record Candidate(Labelled chosen, Labelled rejected, double confidence, String pairId) {}
    List<Candidate> candidates = new ArrayList<>();
    for (Labelled u : up) {
      for (Labelled d : down) {
        String id =
            PreferenceExamples.pairId(
                PairSource.THUMBS,
                u.generation().getGenerationId(),
                d.generation().getGenerationId());
        candidates.add(new Candidate(u, d, weight * Math.min(u.agreement(), d.agreement()), id));
      }
    }
    candidates.sort(
        Comparator.comparingDouble(Candidate::confidence)
            .reversed()
            .thenComparing(Candidate::pairId));
    Set<String> paired = new HashSet<>();
    for (Candidate c :
        candidates.subList(0, Math.min(candidates.size(), settings.maxPairsPerPrompt()))) {
      List<String> feedbackIds = new ArrayList<>(c.chosen().feedbackIds());
      feedbackIds.addAll(c.rejected().feedbackIds());
      out.pair(
          PairSource.THUMBS,
          c.chosen().generation(),
          c.rejected().generation(),
          null,
          c.confidence(),
          feedbackIds,
          Math.max(c.chosen().lastAtMs(), c.rejected().lastAtMs()));
      paired.add(c.chosen().generation().getGenerationId());
      paired.add(c.rejected().generation().getGenerationId());
    }
    List<Labelled> all = new ArrayList<>(up);
    all.addAll(down);
    for (Labelled l : all) {
      if (!paired.contains(l.generation().getGenerationId())) {
        out.unpaired(
            PairSource.THUMBS,
            l.generation(),
            l.desirable(),
            weight * l.agreement(),
            l.feedbackIds(),
            l.lastAtMs());
      }
    }
  }

  private record Rated(
      Generation generation, double value, List<String> feedbackIds, long lastAtMs) {}

  private static void ratings(
      Map<String, List<Signal>> byGeneration, PreferenceSettings settings, PreferenceExamples out) {
    List<Rated> rated = new ArrayList<>();
    for (List<Signal> own : byGeneration.values()) {
      double sum = 0;
      for (Signal s : own) {
        sum += normalised(s.feedback());
      }
      rated.add(new Rated(own.get(0).generation(), sum / own.size(), ids(own), lastAt(own)));
    }
    record Candidate(Rated chosen, Rated rejected, double margin, String pairId) {}
    List<Candidate> candidates = new ArrayList<>();
    for (Rated hi : rated) {
      for (Rated lo : rated) {
        double gap = hi.value() - lo.value();
        if (gap > settings.ratingGap()) {
          String id =
              PreferenceExamples.pairId(
                  PairSource.RATING,
                  hi.generation().getGenerationId(),
                  lo.generation().getGenerationId());
          candidates.add(new Candidate(hi, lo, gap, id));
        }
      }
    }
    candidates.sort(
        Comparator.comparingDouble(Candidate::margin).reversed().thenComparing(Candidate::pairId));
    int kept = Math.min(candidates.size(), settings.maxPairsPerPrompt());
    Set<String> paired = new HashSet<>();
    for (Candidate c : candidates.subList(0, kept)) {
      List<String> feedbackIds = new ArrayList<>(c.chosen().feedbackIds());
      feedbackIds.addAll(c.rejected().feedbackIds());
      out.pair(
          PairSource.RATING,
          c.chosen().generation(),
          c.rejected().generation(),
          c.margin(),
          settings.weights().rating(),
          feedbackIds,
          Math.max(c.chosen().lastAtMs(), c.rejected().lastAtMs()));
      paired.add(c.chosen().generation().getGenerationId());
      paired.add(c.rejected().generation().getGenerationId());
    }
    for (Rated r : rated) {
      if (!paired.contains(r.generation().getGenerationId())) {
        boolean cut = candidates.stream().anyMatch(c -> c.chosen() == r || c.rejected() == r);
        out.none(
            cut ? NoExample.OVER_PROMPT_CAP : NoExample.RATING_GAP_TOO_SMALL,
            r.feedbackIds().size());
      }
    }
  }

  /**
   * The rating on the 0-1 scale when its range is known, else as given. Validation refuses a rating
   * outside its declared range, so the clamp only guards records that were never validated.
   */
  static double normalised(Feedback f) {
    double r = f.getRating();
    Double min = f.getRatingMin();
    Double max = f.getRatingMax();
    if (min != null && max != null && max > min) {
      return Math.max(0, Math.min(1, (r - min) / (max - min)));
    }
    return r;
  }

  private static List<String> ids(List<Signal> own) {
    List<String> ids = new ArrayList<>();
    own.forEach(s -> ids.add(s.feedback().getFeedbackId()));
    ids.sort(null);
    return ids;
  }

  private static long lastAt(List<Signal> own) {
    long last = Long.MIN_VALUE;
    for (Signal s : own) {
      last = Math.max(last, s.feedback().getCreatedAtMs());
    }
    return last;
  }
}

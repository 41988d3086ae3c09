package io.lodestar.operators.verify;

import io.lodestar.operators.verify.confidence.SelfCertaintyVerifier;
import io.lodestar.operators.verify.format.ExactMatchVerifier;
import io.lodestar.operators.verify.format.JsonSchemaVerifier;
import io.lodestar.operators.verify.format.RegexMatchVerifier;
import io.lodestar.operators.verify.format.TagFormatVerifier;
import io.lodestar.operators.verify.math.MathVerifier;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every verifier a rule may name, one entry each: the component name it writes, its version, what
 * it measures and how it is built. {@link VerifierRegistry} builds verifiers from it, health's
 * default format components are its {@link Role#FORMAT} entries, and {@code docs/rewards.md}'s
 * verifier table is checked against it. Adding a verifier is a class implementing {@link Verifier}
 * and one entry here.
 */
public final class VerifierCatalogue {

  /**
   * What a verifier's component measures; health counts format and accuracy verdicts apart.
   * INFORMATIONAL entries are not verdicts (their components have source SHAPING) and are only
   * reward inputs when a rule names them.
   */
  public enum Role {
    ACCURACY,
    FORMAT,
    INFORMATIONAL
  }

  /** What a factory may read: the verifier settings from the job's options. */
  public record Settings(MathVerifier.Config math) implements Serializable {

    public Settings {
      if (math == null) {
        throw new IllegalArgumentException("math verifier settings are required");
      }
    }

    public static Settings defaults() {
      return new Settings(MathVerifier.Config.defaults());
    }
  }

  /** Builds one verifier; a new instance on every call, since verifiers may keep caches. */
  @FunctionalInterface
  public interface Factory {
    Verifier create(Settings settings);
  }

  /**
   * @param name the component name, also what rules write
   * @param version the component's version, part of every {@code rewardVersion} it enters
   */
  public record Entry(String name, String version, Role role, Factory factory) {}

  private static final List<Entry> ENTRIES =
      List.of(
          new Entry(
              MathVerifier.NAME,
              MathVerifier.VERSION,
              Role.ACCURACY,
              s -> new MathVerifier(s.math())),
          new Entry(
              NumericAnswerVerifier.NAME,
              NumericAnswerVerifier.VERSION,
              Role.ACCURACY,
              s -> new NumericAnswerVerifier()),
          new Entry(
              TagFormatVerifier.FORMAT,
              TagFormatVerifier.VERSION,
              Role.FORMAT,
              s -> TagFormatVerifier.strict(TagFormatVerifier.THINK_ANSWER)),
          new Entry(
              TagFormatVerifier.TAG_COUNT,
              TagFormatVerifier.VERSION,
              Role.FORMAT,
              s -> TagFormatVerifier.tagCount(TagFormatVerifier.THINK_ANSWER)),
          new Entry(
              ExactMatchVerifier.NAME,
              ExactMatchVerifier.VERSION,
              Role.ACCURACY,
              s -> ExactMatchVerifier.normalised()),
          new Entry(
              JsonSchemaVerifier.NAME,
              JsonSchemaVerifier.VERSION,
              Role.FORMAT,
              s -> JsonSchemaVerifier.anyJson()),
          new Entry(
              RegexMatchVerifier.NAME,
              RegexMatchVerifier.VERSION,
              Role.ACCURACY,
              s -> RegexMatchVerifier.fromTask()),
          new Entry(
              SelfCertaintyVerifier.NAME,
              SelfCertaintyVerifier.VERSION,
              Role.INFORMATIONAL,
              s -> new SelfCertaintyVerifier()));

  private VerifierCatalogue() {}

  /** Every entry, in the order the docs list them. */
  public static List<Entry> entries() {
    return ENTRIES;
  }

  public static Optional<Entry> entry(String name) {
    return ENTRIES.stream().filter(e -> e.name().equals(name)).findFirst();
  }

  /** Every name, in catalogue order. */
  public static List<String> names() {
    return ENTRIES.stream().map(Entry::name).toList();
  }

  /** The names of the entries with {@code role}, in catalogue order. */
  public static List<String> names(Role role) {
    List<String> names = new ArrayList<>();
    for (Entry entry : ENTRIES) {
      if (entry.role() == role) {
        names.add(entry.name());
      }
    }
    return List.copyOf(names);
  }
}

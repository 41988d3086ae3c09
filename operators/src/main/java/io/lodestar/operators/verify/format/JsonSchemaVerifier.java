package io.lodestar.operators.verify.format;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.networknt.schema.AbsoluteIri;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.resource.InputStreamSource;
import io.lodestar.operators.verify.Verifier;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Scores 1 when the response is one JSON value that validates against a JSON Schema, else 0.
 *
 * <p><b>What is parsed.</b> The response, stripped of surrounding whitespace, is either the JSON
 * text itself or a single fenced block ({@code ```json} or a bare {@code ```}) and nothing else;
 * prose around the JSON fails. Trailing tokens and duplicate object keys are rejected (a duplicate
 * key makes the value ambiguous). Responses over {@code maxInputChars} score 0 unparsed.
 *
 * <p><b>Schema.</b> The draft comes from the schema's {@code $schema}, default 2020-12. Only
 * references inside the schema (and the bundled meta-schemas) resolve: remote {@code $ref}s are
 * never fetched, so a schema cannot make a task manager open connections. The schema is trusted
 * configuration: its {@code pattern} keywords run on Java's regex engine unbounded.
 *
 * <p><b>Per task.</b> As a {@link Verifier} ({@link #score}) a task's own schema, in its {@code
 * extra.json_schema}, wins over the verifier's; a task schema that does not compile makes the
 * component UNSCORABLE, since the task, not the response, is at fault.
 *
 * <p>Serialisable (the schema travels as text and is compiled again after deserialisation);
 * thread-safe; {@link #verify} and {@link #score} never throw.
 */
public final class JsonSchemaVerifier implements Verifier {

  private static final long serialVersionUID = 1L;

  public static final String NAME = "json_schema";
  public static final String VERSION = "json-schema/1";
  public static final int DEFAULT_MAX_INPUT_CHARS = 100_000;

  /** The key of {@code TaskMetadata.extra} that holds a task's schema. */
  public static final String TASK_SCHEMA_KEY = "json_schema";

  private static final int MAX_TASK_SCHEMAS = 64;

  private static final int MAX_DETAIL_CHARS = 160;
  private static final ObjectMapper STRICT_MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .build();

  private final String schemaJson;
  private final int maxInputChars;
  private transient volatile JsonSchema schema;

  /** Verifiers for the schemas tasks carry; empty for a schema that does not compile. */
  private final RecentlyUsed<Optional<JsonSchemaVerifier>> taskSchemas =
      new RecentlyUsed<>(MAX_TASK_SCHEMAS);

  /** {@code schemaJson} null accepts any JSON value. */
  public JsonSchemaVerifier(String schemaJson, int maxInputChars) {
    if (maxInputChars <= 0) {
      throw new IllegalArgumentException("maxInputChars must be positive");
    }
    this.schemaJson = schemaJson;
    this.maxInputChars = maxInputChars;
    // Compile now so that a broken schema fails at job construction, not on the first record.
    this.schema = compile(schemaJson);
  }

  public JsonSchemaVerifier(String schemaJson) {
    this(schemaJson, DEFAULT_MAX_INPUT_CHARS);
  }

  public static JsonSchemaVerifier anyJson() {
    return new JsonSchemaVerifier(null);
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * The generation's response, against its task's schema when it has one (see the class comment).
   */
  @Override
  public RewardComponent score(Generation generation) {
    String taskSchema = generation.getTask().getExtra().get(TASK_SCHEMA_KEY);
    if (taskSchema == null) {
      return verify(generation.getResponse());
    }
    Optional<JsonSchemaVerifier> forTask =
        taskSchemas.computeIfAbsent(taskSchema, this::compiledFor);
    if (forTask.isEmpty()) {
      return FormatRewards.component(
          NAME,
          VERSION,
          null,
          RewardStatus.UNSCORABLE,
          "task.extra.json_schema is not a usable JSON Schema");
    }
    return forTask.get().verify(generation.getResponse());
  }

  private Optional<JsonSchemaVerifier> compiledFor(String taskSchema) {
    try {
      return Optional.of(new JsonSchemaVerifier(taskSchema, maxInputChars));
    } catch (RuntimeException badSchema) {
      return Optional.empty();
    }
  }

  public RewardComponent verify(String response) {
    try {
      return score(response);
    } catch (RuntimeException e) {
      return FormatRewards.component(
          NAME,
          VERSION,
          null,
          RewardStatus.ERROR,
          "verifier error: " + e.getClass().getSimpleName());
    }
  }

  private RewardComponent score(String response) {
    if (response == null) {
      return fail("no response");
    }
    if (response.length() > maxInputChars) {
      return fail("response over " + maxInputChars + " chars; not parsed");
    }
    Optional<String> json = extractJson(response);
    if (json.isEmpty()) {
      return fail("unterminated code fence");
    }
    JsonNode value;
    try {
      value = STRICT_MAPPER.readTree(json.get());
    } catch (JsonProcessingException e) {
      return fail("invalid JSON: " + abbreviate(e.getOriginalMessage()));
    }
    if (value == null || value.isMissingNode()) {
      return fail("empty response");
    }
    JsonSchema compiled = schema();
    if (compiled == null) {
      return FormatRewards.binary(NAME, VERSION, true, "valid JSON");
    }
    Set<ValidationMessage> errors = compiled.validate(value);
    if (errors.isEmpty()) {
      return FormatRewards.binary(NAME, VERSION, true, "valid");
    }
    return fail(
        errors.size() + " schema error(s): " + abbreviate(errors.iterator().next().getMessage()));
  }

  /**
   * The JSON text of a response: its stripped content, or the inside of the single fenced block
   * that makes up the whole response. Empty when a fence is opened and never closed.
   */
  public static Optional<String> extractJson(String response) {
    String text = response.strip();
    if (!text.startsWith("```")) {
      return Optional.of(text);
    }
    int firstLineEnd = text.indexOf('\n');
    if (firstLineEnd < 0 || !text.endsWith("```") || text.length() - 3 < firstLineEnd) {
      return Optional.empty();
    }
    String info = text.substring(3, firstLineEnd).strip().toLowerCase(Locale.ROOT);
    if (!info.isEmpty() && !info.equals("json")) {
      // A fence labelled as another language is not a JSON answer; parsing it fails below.
      return Optional.of(text);
    }
    return Optional.of(text.substring(firstLineEnd + 1, text.length() - 3));
  }

  private JsonSchema schema() {
    if (schema == null && schemaJson != null) {
      schema = compile(schemaJson);
    }
    return schema;
  }

  private static JsonSchema compile(String schemaJson) {
    if (schemaJson == null) {
      return null;
    }
    JsonNode schemaNode;
    try {
      schemaNode = STRICT_MAPPER.readTree(schemaJson);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("schema is not valid JSON: " + e.getOriginalMessage(), e);
    }
    SpecVersion.VersionFlag draft =
        schemaNode.has("$schema")
            ? SpecVersionDetector.detect(schemaNode)
            : SpecVersion.VersionFlag.V202012;
    JsonSchemaFactory factory =
        JsonSchemaFactory.getInstance(
            draft,
            builder ->
                builder.schemaLoaders(loaders -> loaders.add(JsonSchemaVerifier::refuseRemote)));
    return factory.getSchema(schemaNode);
  }

  /**
   * Runs before the library's own loaders, which would fetch http(s) and file IRIs. Meta-schema
   * IRIs have already been mapped to bundled {@code classpath:} copies by then, so they pass.
   */
  private static InputStreamSource refuseRemote(AbsoluteIri iri) {
    String scheme = iri.getScheme();
    if ("classpath".equals(scheme) || "resource".equals(scheme)) {
      return null;
    }
    return () -> {
      throw new IOException("remote schema references are disabled: " + iri);
    };
  }

  private static RewardComponent fail(String reason) {
    return FormatRewards.binary(NAME, VERSION, false, reason);
  }

  private static String abbreviate(String message) {
    String oneLine = message == null ? "" : message.replace('\n', ' ');
    return oneLine.length() <= MAX_DETAIL_CHARS
        ? oneLine
        : oneLine.substring(0, MAX_DETAIL_CHARS) + "...";
  }
}

package io.lodestar.operators.verify.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

class JsonSchemaVerifierTest {

  private static final String PERSON_SCHEMA =
      """
      {"type": "object",
       "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
       "required": ["name", "age"],
       "additionalProperties": false}
      """;
  private final JsonSchemaVerifier person = new JsonSchemaVerifier(PERSON_SCHEMA);

  @Test
  void acceptsValidJsonPlainOrFenced() {
    assertThat(person.verify("{\"name\": \"Ada\", \"age\": 36}").getValue()).isEqualTo(1.0);
    assertThat(person.verify("```json\n{\"name\": \"Ada\", \"age\": 36}\n```").getValue())
        .isEqualTo(1.0);
    assertThat(person.verify("  ```\n{\"name\": \"Ada\", \"age\": 36}\n```\n").getValue())
        .isEqualTo(1.0);
  }

  @Test
  void rejectsSchemaViolations() {
    RewardComponent reward = person.verify("{\"name\": \"Ada\", \"age\": -1}");
    assertThat(reward.getStatus()).isEqualTo(RewardStatus.OK);
    assertThat(reward.getValue()).isEqualTo(0.0);
    assertThat(reward.getDetail()).contains("schema error");
    assertThat(person.verify("{\"name\": \"Ada\"}").getValue()).isEqualTo(0.0);
    assertThat(person.verify("{\"name\": \"Ada\", \"age\": 1, \"x\": 0}").getValue())
        .isEqualTo(0.0);
  }

  @Test
  void rejectsMalformedOrAmbiguousJson() {
    assertThat(person.verify("{\"name\": \"Ada\", \"age\": 36").getValue()).isEqualTo(0.0);
    assertThat(person.verify("{\"name\": \"Ada\", \"age\": 36} trailing").getValue())
        .isEqualTo(0.0);
    assertThat(person.verify("{\"name\": \"Ada\", \"age\": 36, \"age\": 37}").getValue())
        .isEqualTo(0.0);
    assertThat(person.verify("Here you go: {\"name\": \"Ada\", \"age\": 36}").getValue())
        .isEqualTo(0.0);
    assertThat(person.verify("```json\n{\"name\": \"Ada\", \"age\": 36}").getValue())
        .isEqualTo(0.0);
    assertThat(person.verify("```python\n{\"name\": \"Ada\", \"age\": 36}\n```").getValue())
        .isEqualTo(0.0);
    assertThat(person.verify("").getValue()).isEqualTo(0.0);
    assertThat(person.verify(null).getValue()).isEqualTo(0.0);
  }

  @Test
  void deepNestingAndOversizedInputFailCleanly() {
    assertThat(
            JsonSchemaVerifier.anyJson().verify("[".repeat(50_000) + "]".repeat(50_000)).getValue())
        .isEqualTo(0.0);
    RewardComponent big = new JsonSchemaVerifier(null, 100).verify("[" + "1,".repeat(100) + "1]");
    assertThat(big.getValue()).isEqualTo(0.0);
    assertThat(big.getDetail()).contains("over 100 chars");
  }

  @Test
  void anyJsonAcceptsEveryJsonValue() {
    assertThat(JsonSchemaVerifier.anyJson().verify("42").getValue()).isEqualTo(1.0);
    assertThat(JsonSchemaVerifier.anyJson().verify("[1, {\"a\": null}]").getValue()).isEqualTo(1.0);
    assertThat(JsonSchemaVerifier.anyJson().verify("{'a': 1}").getValue()).isEqualTo(0.0);
  }

  @Test
  void honoursDeclaredDraftAndLocalRefs() {
    String draft7 =
        """
        {"$schema": "http://json-schema.org/draft-07/schema#",
         "definitions": {"id": {"type": "string", "pattern": "^[a-z]+$"}},
         "type": "array", "items": {"$ref": "#/definitions/id"}}
        """;
    JsonSchemaVerifier ids = new JsonSchemaVerifier(draft7);
    assertThat(ids.verify("[\"abc\", \"de\"]").getValue()).isEqualTo(1.0);
    assertThat(ids.verify("[\"abc\", \"D1\"]").getValue()).isEqualTo(0.0);
  }

  @Test
  void neverFetchesRemoteReferences() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      server.setSoTimeout(300);
      String remote = "{\"$ref\": \"http://127.0.0.1:" + server.getLocalPort() + "/schema.json\"}";
      RewardComponent reward = new JsonSchemaVerifier(remote).verify("{}");
      assertThat(reward.getStatus()).isEqualTo(RewardStatus.ERROR);
      assertThat(reward.getValue()).isNull();
      assertThatThrownBy(server::accept).isInstanceOf(SocketTimeoutException.class);
    }
  }

  @Test
  void rejectsInvalidSchemaAtConstruction() {
    assertThatThrownBy(() -> new JsonSchemaVerifier("{not json"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void survivesJavaSerialisation() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(person);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      JsonSchemaVerifier copy = (JsonSchemaVerifier) in.readObject();
      assertThat(copy.verify("{\"name\": \"Ada\", \"age\": 36}").getValue()).isEqualTo(1.0);
      assertThat(copy.verify("{\"name\": \"Ada\"}").getValue()).isEqualTo(0.0);
    }
  }
}

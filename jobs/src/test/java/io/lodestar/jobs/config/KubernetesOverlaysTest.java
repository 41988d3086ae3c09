package io.lodestar.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every overlay under {@code k8s/overlays}, rendered by {@code kubectl kustomize}, is valid against
 * the vendored schemas, sets parallelism and the checkpoint directory once, and gives the job every
 * {@code ${env:...}} and {@code ${file:...}} its options name, so the job's start-up validation
 * passes with exactly what the pod has.
 */
class KubernetesOverlaysTest {

  private static final Path K8S =
      Path.of(System.getProperty("user.dir")).getParent().resolve("k8s");
  private static final String SCHEMAS = "/kubernetes-schemas/";
  private static final String OPTIONS_FILE = "lodestar.properties";
  private static final String OPTIONS_MOUNT = "/opt/lodestar/conf/";
  private static final Pattern REFERENCE = Pattern.compile("\\$\\{(env|file):([^}]+)}");

  /** Kinds no reachable registry has a schema for (kubernetes-schemas/README.md). */
  private static final Set<String> WITHOUT_SCHEMA =
      Set.of(
          "kafka.strimzi.io/v1beta2/KafkaTopic",
          "kafka.strimzi.io/v1beta2/Kafka",
          "kafka.strimzi.io/v1beta2/KafkaNodePool");

  private static final ObjectMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Map<String, JsonSchema> schemas;
  private static Map<String, List<JsonNode>> renderedOnce;

  @BeforeAll
  static void loadSchemas() throws IOException {
    schemas = new HashMap<>();
    JsonNode crd =
        readResource(
            "flink-kubernetes-operator-api-1.10.0-flinkdeployments.flink.apache.org-v1.yml", YAML);
    for (JsonNode version : crd.path("spec").path("versions")) {
      ObjectNode schema = (ObjectNode) version.path("schema").path("openAPIV3Schema").deepCopy();
      // The API server gives every custom resource these, beside the CRD's own properties.
      ObjectNode properties = (ObjectNode) schema.path("properties");
      properties.putObject("apiVersion").put("type", "string");
      properties.putObject("kind").put("type", "string");
      properties.putObject("metadata").put("type", "object");
      closeStructuralSchema(schema);
      ArrayNode flinkVersions =
          (ArrayNode) schema.at("/properties/spec/properties/flinkVersion/enum");
      // Operators after 1.10.0 accept Flink 2.x; the registry serves no newer CRD.
      flinkVersions.add("v2_0").add("v2_1").add("v2_2");
      schemas.put(
          crd.at("/spec/group").asText() + "/" + version.path("name").asText() + "/FlinkDeployment",
          factory().getSchema(schema));
    }
    fabric8(
        "fabric8-kubernetes-model-apps-6.13.4.json",
        Map.of(
            "v1/Namespace", "kubernetes_core_Namespace",
            "v1/ConfigMap", "kubernetes_core_ConfigMap",
            "v1/Secret", "kubernetes_core_Secret",
            "v1/Service", "kubernetes_core_Service",
            "v1/PersistentVolumeClaim", "kubernetes_core_PersistentVolumeClaim",
            "apps/v1/Deployment", "kubernetes_apps_Deployment"));
    fabric8(
        "fabric8-kubernetes-model-batch-6.13.4.json",
        Map.of("batch/v1/Job", "kubernetes_batch_v1_Job"));
    fabric8(
        "fabric8-openshift-model-monitoring-6.13.4.json",
        Map.of(
            "monitoring.coreos.com/v1/PodMonitor", "os_monitoring_v1_PodMonitor",
            "monitoring.coreos.com/v1/PrometheusRule", "os_monitoring_v1_PrometheusRule"));
  }

  @Test
  void everyOverlayRendersAndEveryObjectMatchesItsSchema(@TempDir Path scratch) throws Exception {
    Map<String, List<JsonNode>> rendered = renderAll(scratch);
    assertThat(rendered).containsKeys("dev", "prod");
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, List<JsonNode>> overlay : rendered.entrySet()) {
      for (JsonNode object : overlay.getValue()) {
        String type = object.path("apiVersion").asText() + "/" + object.path("kind").asText();
        String where = overlay.getKey() + ": " + type + " " + object.at("/metadata/name").asText();
        JsonSchema schema = schemas.get(type);
        if (schema == null) {
          if (!WITHOUT_SCHEMA.contains(type)) {
            problems.add(where + ": no schema for this kind");
          }
          continue;
        }
        for (ValidationMessage m : schema.validate(object)) {
          problems.add(where + ": " + m.getMessage());
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void theSchemasRefuseAMisspelledOrMistypedField(@TempDir Path scratch) throws Exception {
    List<JsonNode> prod = renderAll(scratch).get("prod");
    ObjectNode deployment = (ObjectNode) flinkDeployment(prod).deepCopy();
    ((ObjectNode) deployment.at("/spec/podTemplate/spec/containers/0")).putObject("securityContex");
    assertThat(schemas.get("flink.apache.org/v1beta1/FlinkDeployment").validate(deployment))
        .isNotEmpty();
    for (String kind : List.of("PodMonitor", "PrometheusRule", "ConfigMap", "Namespace")) {
      ObjectNode object =
          (ObjectNode)
              prod.stream()
                  .filter(o -> o.path("kind").asText().equals(kind))
                  .findFirst()
                  .orElseThrow()
                  .deepCopy();
      String type = object.path("apiVersion").asText() + "/" + kind;
      assertThat(schemas.get(type).validate(object)).as(type).isEmpty();
      ((ObjectNode) object.path("metadata")).put("labels", "not-a-map");
      assertThat(schemas.get(type).validate(object)).as(type).isNotEmpty();
      object.remove("metadata");
      object.put("metdata", "x");
      assertThat(schemas.get(type).validate(object)).as(type).isNotEmpty();
    }
    JsonNode minio =
        renderAll(scratch).get("dev").stream()
            .filter(o -> o.path("kind").asText().equals("Deployment"))
            .findFirst()
            .orElseThrow();
    ObjectNode typo = (ObjectNode) minio.deepCopy();
    ((ObjectNode) typo.at("/spec/template/spec/containers/0")).put("imagePullPolicyy", "Always");
    assertThat(schemas.get("apps/v1/Deployment").validate(minio)).isEmpty();
    assertThat(schemas.get("apps/v1/Deployment").validate(typo)).isNotEmpty();
  }

  @Test
  void parallelismAndTheCheckpointDirectoryAreSetOnceInEveryOverlay(@TempDir Path scratch)
      throws Exception {
    for (Map.Entry<String, List<JsonNode>> overlay : renderAll(scratch).entrySet()) {
      JsonNode deployment = flinkDeployment(overlay.getValue());
      Map<String, String> flags = flags(deployment);
      assertThat(flags)
          .as(overlay.getKey())
          .containsEntry("parallelism", deployment.at("/spec/job/parallelism").asText())
          .containsEntry(
              "checkpoint.dir",
              deployment
                  .at("/spec/flinkConfiguration")
                  .path("execution.checkpointing.dir")
                  .asText());
      assertThat(options(overlay.getValue()).stringPropertyNames())
          .as(overlay.getKey() + ": set in the FlinkDeployment only")
          .doesNotContain("parallelism", "checkpoint.dir");
    }
  }

  @Test
  void everyReferenceInTheJobOptionsIsSatisfiedByItsOverlayAndTheOptionsPassValidation(
      @TempDir Path scratch) throws Exception {
    for (Map.Entry<String, List<JsonNode>> overlay : renderAll(scratch).entrySet()) {
      String name = overlay.getKey();
      List<JsonNode> objects = overlay.getValue();
      JsonNode deployment = flinkDeployment(objects);
      // The job's main runs on the JobManager: what every pod has (podTemplate) counts.
      JsonNode container = deployment.at("/spec/podTemplate/spec/containers/0");
      assertThat(container.path("name").asText()).isEqualTo("flink-main-container");
      Map<String, String> environment = new TreeMap<>();
      for (JsonNode env : container.path("env")) {
        checkSecretKey(name, objects, env.at("/valueFrom/secretKeyRef"));
        environment.put(env.path("name").asText(), "from-manifest-" + env.path("name").asText());
      }
      List<String> mounts = new ArrayList<>();
      container.path("volumeMounts").forEach(m -> mounts.add(m.path("mountPath").asText() + "/"));

      Properties options = options(objects);
      List<String> values = new ArrayList<>();
      options.stringPropertyNames().forEach(k -> values.add(options.getProperty(k)));
      values.addAll(flags(deployment).values());
      Path files = scratch.resolve(name + "-files");
      for (String value : values) {
        Matcher m = REFERENCE.matcher(value);
        while (m.find()) {
          String target = m.group(2);
          if (m.group(1).equals("env")) {
            assertThat(environment).as(name + ": env of the Flink pods").containsKey(target);
          } else {
            assertThat(mounts)
                .as(name + ": " + target + " lies in a mounted volume")
                .anyMatch(target::startsWith);
            Path file = files.resolve(target.substring(1));
            Files.createDirectories(file.getParent());
            Files.writeString(file, "from-manifest");
          }
        }
      }

      Path optionsFile = scratch.resolve(name + "-" + OPTIONS_FILE);
      Files.writeString(optionsFile, configMapData(objects).path(OPTIONS_FILE).asText());
      List<String> args = new ArrayList<>();
      deployment.at("/spec/job/args").forEach(a -> args.add(a.asText()));
      int config = args.indexOf("--config");
      assertThat(args.get(config + 1)).isEqualTo(OPTIONS_MOUNT + OPTIONS_FILE);
      args.set(config + 1, optionsFile.toString());
      for (int i = 0; i < args.size(); i++) {
        args.set(i, args.get(i).replace("${file:/", "${file:" + files + "/"));
      }
      // The pod's FLINK_CONF_DIR holds the operator's config.yaml, which is not in the repository.
      LodestarOptions parsed =
          LodestarOptions.fromArgs(args.toArray(String[]::new), environment::get);
      assertThat(parsed.get(LodestarOptions.PARALLELISM))
          .isEqualTo(deployment.at("/spec/job/parallelism").asInt());
      assertThat(parsed.kafka().bootstrapServers())
          .isEqualTo("from-manifest-KAFKA_BOOTSTRAP_SERVERS");
    }
  }

  @Test
  void thePlaintextOverlayNeedsNoKafkaSecret(@TempDir Path scratch) throws Exception {
    JsonNode dev = flinkDeployment(renderAll(scratch).get("dev"));
    assertThat(dev.toString()).doesNotContain("KAFKA_SASL", "kafka.security.protocol");
    assertThat(JSON.writeValueAsString(dev.at("/spec/podTemplate/spec/containers/0/envFrom")))
        .doesNotContain("kafka");
  }

  /** Renders each overlay, and prod with every optional component, with kubectl's kustomize. */
  static synchronized Map<String, List<JsonNode>> renderAll(Path scratch) throws Exception {
    if (renderedOnce != null) {
      return renderedOnce;
    }
    Map<String, List<JsonNode>> rendered = new TreeMap<>();
    try (Stream<Path> overlays = Files.list(K8S.resolve("overlays"))) {
      for (Path overlay : overlays.sorted().toList()) {
        rendered.put(overlay.getFileName().toString(), render(overlay));
      }
    }
    Path everything = Files.createDirectories(scratch.resolve("prod-with-every-component"));
    StringBuilder kustomization =
        new StringBuilder("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n");
    // kustomize takes only relative paths to other kustomizations.
    kustomization
        .append("resources:\n  - ")
        .append(everything.relativize(K8S.resolve("overlays/prod")))
        .append('\n');
    kustomization.append("components:\n");
    try (Stream<Path> components = Files.list(K8S.resolve("components"))) {
      for (Path component : components.sorted().toList()) {
        kustomization.append("  - ").append(everything.relativize(component)).append('\n');
      }
    }
    Files.writeString(everything.resolve("kustomization.yaml"), kustomization.toString());
    rendered.put("prod-with-every-component", render(everything));
    renderedOnce = rendered;
    return rendered;
  }

  private static List<JsonNode> render(Path kustomization) throws Exception {
    Process p;
    try {
      p =
          new ProcessBuilder("kubectl", "kustomize", kustomization.toString())
              .redirectErrorStream(false)
              .start();
    } catch (IOException e) {
      throw new AssertionError(
          "kubectl (with kustomize 5) is needed to render k8s/overlays: " + e.getMessage(), e);
    }
    byte[] out;
    byte[] err;
    try (InputStream stdout = p.getInputStream();
        InputStream stderr = p.getErrorStream()) {
      out = stdout.readAllBytes();
      err = stderr.readAllBytes();
    }
    if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
      fail(
          "kubectl kustomize "
              + kustomization
              + " failed: "
              + new String(err, StandardCharsets.UTF_8));
    }
    List<JsonNode> objects = new ArrayList<>();
    try (var parser =
        new YAMLFactory().createParser(new StringReader(new String(out, StandardCharsets.UTF_8)))) {
      Iterator<JsonNode> docs = YAML.readValues(parser, JsonNode.class);
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc != null && !doc.isMissingNode() && !doc.isNull()) {
          objects.add(doc);
        }
      }
    }
    return objects;
  }

  static JsonNode flinkDeployment(List<JsonNode> objects) {
    return objects.stream()
        .filter(o -> o.path("kind").asText().equals("FlinkDeployment"))
        .findFirst()
        .orElseThrow();
  }

  /** The job's {@code --key=value} flags after its options file. */
  private static Map<String, String> flags(JsonNode deployment) {
    Map<String, String> flags = new LinkedHashMap<>();
    for (JsonNode arg : deployment.at("/spec/job/args")) {
      String a = arg.asText();
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        flags.put(a.substring(2, eq), a.substring(eq + 1));
      }
    }
    return flags;
  }

  /** The data of the ConfigMap the FlinkDeployment mounts at the options folder. */
  private static JsonNode configMapData(List<JsonNode> objects) {
    JsonNode deployment = flinkDeployment(objects);
    String volume = null;
    for (JsonNode m : deployment.at("/spec/podTemplate/spec/containers/0/volumeMounts")) {
      if ((m.path("mountPath").asText() + "/").equals(OPTIONS_MOUNT)) {
        volume = m.path("name").asText();
      }
    }
    String configMap = null;
    for (JsonNode v : deployment.at("/spec/podTemplate/spec/volumes")) {
      if (v.path("name").asText().equals(volume)) {
        configMap = v.at("/configMap/name").asText();
      }
    }
    assertThat(configMap).as("a ConfigMap mounted at " + OPTIONS_MOUNT).isNotNull();
    String wanted = configMap;
    return objects.stream()
        .filter(o -> o.path("kind").asText().equals("ConfigMap"))
        .filter(o -> o.at("/metadata/name").asText().equals(wanted))
        .findFirst()
        .orElseThrow(() -> new AssertionError("ConfigMap " + wanted + " is not rendered"))
        .path("data");
  }

  private static Properties options(List<JsonNode> objects) throws IOException {
    Properties p = new Properties();
    p.load(new StringReader(configMapData(objects).path(OPTIONS_FILE).asText()));
    return p;
  }

  /** A Secret the overlay renders itself must hold the key the pod reads. */
  private static void checkSecretKey(String overlay, List<JsonNode> objects, JsonNode ref) {
    if (ref.isMissingNode()) {
      return;
    }
    objects.stream()
        .filter(o -> o.path("kind").asText().equals("Secret"))
        .filter(o -> o.at("/metadata/name").asText().equals(ref.path("name").asText()))
        .forEach(
            secret ->
                assertThat(secret.path("data").has(ref.path("key").asText()))
                    .as(
                        overlay
                            + ": Secret "
                            + ref.path("name").asText()
                            + " has "
                            + ref.path("key"))
                    .isTrue());
  }

  private static JsonSchemaFactory factory() {
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4);
  }

  private static JsonNode readResource(String name, ObjectMapper mapper) throws IOException {
    try (InputStream in = KubernetesOverlaysTest.class.getResourceAsStream(SCHEMAS + name)) {
      assertThat(in).as(SCHEMAS + name).isNotNull();
      return mapper.readTree(in);
    }
  }

  /**
   * A CRD schema as the API server applies it with strict field validation: objects with properties
   * are closed unless they preserve unknown fields; int-or-string takes either.
   */
  private static void closeStructuralSchema(JsonNode node) {
    if (node instanceof ObjectNode o) {
      if (o.path("x-kubernetes-int-or-string").asBoolean(false)) {
        o.remove("type");
        ArrayNode either = o.putArray("anyOf");
        either.addObject().put("type", "integer");
        either.addObject().put("type", "string");
      }
      if (o.has("properties")
          && !o.has("additionalProperties")
          && !o.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
        o.put("additionalProperties", false);
      }
      o.forEach(KubernetesOverlaysTest::closeStructuralSchema);
    } else if (node instanceof ArrayNode a) {
      a.forEach(KubernetesOverlaysTest::closeStructuralSchema);
    }
  }

  /** Registers fabric8's definitions for the given kinds, undoing its Java-isms (README.md). */
  private static void fabric8(String file, Map<String, String> kinds) throws IOException {
    ObjectNode doc = (ObjectNode) readResource(file, JSON);
    ObjectNode definitions = (ObjectNode) doc.path("definitions");
    List<String> names = new ArrayList<>();
    definitions.fieldNames().forEachRemaining(names::add);
    for (String name : names) {
      String javaType = definitions.path(name).path("existingJavaType").asText();
      if (javaType.endsWith("Quantity")) {
        definitions.set(name, anyOf("string", "number"));
      } else if (javaType.endsWith("IntOrString")) {
        definitions.set(name, anyOf("integer", "string"));
      } else {
        fromJavaModel(definitions.path(name));
      }
    }
    for (Map.Entry<String, String> kind : kinds.entrySet()) {
      ObjectNode root = JsonNodeFactory.instance.objectNode();
      root.set("definitions", definitions);
      root.put("$ref", "#/definitions/" + kind.getValue());
      assertThat(definitions.has(kind.getValue())).as(kind.getValue()).isTrue();
      schemas.put(kind.getKey(), factory().getSchema(root));
    }
  }

  private static ObjectNode anyOf(String first, String second) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    ArrayNode either = node.putArray("anyOf");
    either.addObject().put("type", first);
    either.addObject().put("type", second);
    return node;
  }

  private static void fromJavaModel(JsonNode node) {
    if (node instanceof ObjectNode o) {
      JsonNode properties = o.path("properties");
      if (properties instanceof ObjectNode props) {
        ArrayNode required = JsonNodeFactory.instance.arrayNode();
        props
            .fields()
            .forEachRemaining(
                p -> {
                  if (p.getValue() instanceof ObjectNode prop
                      && prop.path("required").isBoolean()) {
                    if (prop.path("required").asBoolean()) {
                      required.add(new TextNode(p.getKey()));
                    }
                    prop.remove("required");
                  }
                });
        if (!required.isEmpty()) {
          o.set("required", required);
        }
        if (o.path("additionalProperties").isBoolean()) {
          o.put("additionalProperties", false);
        }
      }
      o.forEach(KubernetesOverlaysTest::fromJavaModel);
    } else if (node instanceof ArrayNode a) {
      a.forEach(KubernetesOverlaysTest::fromJavaModel);
    }
  }

  static Set<String> kinds(List<JsonNode> objects) {
    Set<String> kinds = new TreeSet<>();
    objects.forEach(o -> kinds.add(o.path("kind").asText()));
    return kinds;
  }
}

package io.lodestar.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.jobs.ExportFormat;
import io.lodestar.operators.health.GateSettings;
import io.lodestar.operators.preference.PreferenceSettings;
import io.lodestar.operators.reward.compose.RewardComposition;
import io.lodestar.operators.reward.remote.FailurePolicy;
import io.lodestar.operators.reward.remote.GuardPolicy;
import io.lodestar.operators.reward.remote.JudgeSettings;
import io.lodestar.operators.reward.remote.PromptFormat;
import io.lodestar.operators.reward.remote.RemoteRewardSettings;
import io.lodestar.operators.reward.remote.Secret;
import io.lodestar.schema.TaskKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LodestarOptionsTest {

  private static final String CANARY = "canary-Pa55word-7f3e";

  @Test
  void aBadRewardModelDeviceIsRefusedNamingTheKey() {
    assertThatThrownBy(
            () ->
                LodestarOptions.fromArgs(
                    new String[] {"--reward-model.path", "/m", "--reward-model.device", "tpu"}))
        .hasMessageContaining("reward-model.")
        .hasMessageContaining("device");
  }

  @Test
  void flagsOverrideTheConfigFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("lodestar.properties");
    Files.writeString(
        file, "kafka.bootstrap.servers=broker:9092\nbatch.groups=16\ngroup.timeout=5 min\n");

    LodestarOptions options =
        LodestarOptions.fromArgs(
            new String[] {"--config", file.toString(), "--batch.groups", "32", "--parallelism=2"});

    assertThat(options.get(LodestarOptions.BATCH_GROUPS)).isEqualTo(32);
    assertThat(options.get(LodestarOptions.GROUP_TIMEOUT)).isEqualTo(Duration.ofMinutes(5));
    assertThat(options.get(LodestarOptions.PARALLELISM)).isEqualTo(2);
    assertThat(options.kafka().bootstrapServers()).isEqualTo("broker:9092");
  }

  @Test
  void unknownKeyIsRejectedByName() {
    assertThatThrownBy(() -> LodestarOptions.fromArgs(new String[] {"--batch.group", "4"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown option 'batch.group'");
  }

  @Test
  void malformedValueNamesTheKey() {
    assertThatThrownBy(() -> LodestarOptions.fromArgs(new String[] {"--group.timeout", "soon"}))
        .hasMessageContaining("group.timeout")
        .hasMessageContaining("soon");
    assertThatThrownBy(() -> LodestarOptions.fromArgs(new String[] {"--batch.groups", "0"}))
        .hasMessageContaining("batch.groups must be at least 1");
    assertThatThrownBy(() -> LodestarOptions.fromArgs(new String[] {"--sink.format", "xml"}))
        .hasMessageContaining("sink.format");
  }

  @Test
  void batchesNeverMixPolicyVersionsUnlessAskedAndAnOddValueNamesTheKey() {
    assertThat(
            LodestarOptions.fromArgs(new String[0]).get(LodestarOptions.BATCH_MIX_POLICY_VERSIONS))
        .isFalse();
    assertThat(
            LodestarOptions.fromArgs(new String[] {"--batch.mix-policy-versions", "true"})
                .get(LodestarOptions.BATCH_MIX_POLICY_VERSIONS))
        .isTrue();
    assertThatThrownBy(
            () ->
                LodestarOptions.fromArgs(new String[] {"--batch.mix-policy-versions", "sometimes"}))
        .hasMessageContaining("batch.mix-policy-versions")
        .hasMessageContaining("sometimes");
  }

  @Test
  void transactionTimeoutShorterThanCheckpointAndRestartIsRejectedNamingBothValues() {
    assertThatThrownBy(
            () ->
                LodestarOptions.fromArgs(
                    new String[] {
                      "--checkpoint.interval", "1 min", "--sink.transaction-timeout", "90 s"
                    }))
        .hasMessageContaining("sink.transaction-timeout=90000 ms")
        .hasMessageContaining("checkpoint.interval")
        .hasMessageContaining("170000 ms");
  }

  @Test
  void transactionTimeoutAboveTheBrokerMaximumIsRejectedNamingBothValues() {
    assertThatThrownBy(
            () -> LodestarOptions.fromArgs(new String[] {"--sink.transaction-timeout", "1 h"}))
        .hasMessageContaining("sink.transaction-timeout=3600000 ms")
        .hasMessageContaining("transaction.max.timeout.ms=900000 ms");

    LodestarOptions options =
        LodestarOptions.fromArgs(new String[] {"--sink.transaction-timeout", "10 min"});
    assertThat(options.transactionTimeoutProblem(Duration.ofMinutes(5)))
        .hasValueSatisfying(p -> assertThat(p).contains("600000 ms").contains("300000 ms"));
  }

  @Test
  void kafkaOptionsPassThroughWithoutPrefixAndSecretsNeverPrint() {
    LodestarOptions options =
        LodestarOptions.fromMap(
            Map.of(
                "kafka.bootstrap.servers", "broker:9093",
                "kafka.security.protocol", "SASL_SSL",
                "kafka.sasl.jaas.config", "${env:LODESTAR_JAAS}",
                "kafka.ssl.truststore.password", CANARY),
            name ->
                name.equals("LODESTAR_JAAS")
                    ? "org.apache.kafka.common.security.plain.PlainLoginModule required password=\""
                        + CANARY
                        + "\";"
                    : null);

    assertThat(options.kafka().clientProperties())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("ssl.truststore.password", CANARY);
    assertThat(options.kafka().clientProperties().getProperty("sasl.jaas.config")).contains(CANARY);
    assertThat(options.toString()).doesNotContain(CANARY).contains("kafka.sasl.jaas.config=****");
    assertThat(options.kafka().toString()).doesNotContain(CANARY);
  }

  @Test
  void secretFromFileIsRead(@TempDir Path dir) throws Exception {
    Path secret = dir.resolve("password");
    Files.writeString(secret, CANARY + "\n");
    LodestarOptions options =
        LodestarOptions.fromMap(
            Map.of(
                "kafka.bootstrap.servers",
                "b:1",
                "kafka.ssl.key.password",
                "${file:" + secret + "}"),
            n -> null);
    assertThat(options.kafka().clientProperties().getProperty("ssl.key.password"))
        .isEqualTo(CANARY);
  }

  @Test
  void missingEnvironmentSecretIsNamedWithoutItsValue() {
    assertThatThrownBy(
            () ->
                LodestarOptions.fromMap(
                    Map.of("kafka.sasl.jaas.config", "${env:NOT_SET_ANYWHERE}"), n -> null))
        .hasMessageContaining("kafka.sasl.jaas.config")
        .hasMessageContaining("NOT_SET_ANYWHERE");
  }

  @Test
  void advantageOptionsSelectTheTrainerArithmeticOrFailNamingTheKeys() {
    LodestarOptions trl =
        LodestarOptions.fromArgs(
            new String[] {"--advantage.compat", "trl", "--advantage.estimator", "grpo"});
    assertThat(trl.advantageSpec().describe())
        .containsEntry("compat", "trl")
        .containsEntry("eps", "1.0E-4");
    assertThat(
            LodestarOptions.fromArgs(new String[] {"--advantage.eps", "1e-3"})
                .advantageSpec()
                .eps())
        .isEqualTo(1e-3);

    assertThat(
            LodestarOptions.fromArgs(
                    new String[] {
                      "--advantage.estimator",
                      "reinforce_pp_baseline",
                      "--advantage.compat",
                      "openrlhf"
                    })
                .advantageSpec()
                .needsWholeBatch())
        .isTrue();
    assertThatThrownBy(
            () ->
                LodestarOptions.fromArgs(
                    new String[] {
                      "--advantage.estimator", "rloo", "--advantage.compat", "trl-async"
                    }))
        .hasMessageContaining("advantage.estimator=rloo")
        .hasMessageContaining("advantage.compat=trl-async");
    assertThatThrownBy(() -> LodestarOptions.fromArgs(new String[] {"--group.filter", "sometimes"}))
        .hasMessageContaining("group.filter");
  }

  @Test
  void batchWideTrlScalingIsSelectedByOptionAndRefusedWhereItDoesNotApply() {
    LodestarOptions batch =
        LodestarOptions.fromArgs(
            new String[] {"--advantage.compat", "trl", "--advantage.scale-rewards", "batch"});
    assertThat(batch.advantageSpec().describe()).containsEntry("scale_rewards", "batch");
    assertThatThrownBy(
            () -> LodestarOptions.fromArgs(new String[] {"--advantage.scale-rewards", "batch"}))
        .hasMessageContaining("advantage.scale-rewards=batch")
        .hasMessageContaining("advantage.compat=lodestar");
    assertThatThrownBy(
            () ->
                LodestarOptions.fromArgs(
                    new String[] {
                      "--advantage.compat", "trl", "--advantage.scale-rewards", "global"
                    }))
        .hasMessageContaining("advantage.scale-rewards")
        .hasMessageContaining("group, batch or none");
  }

  @Test
  void tokenBudgetControlTopicAndExportFormatsAreValidatedNamingTheKey() {
    LodestarOptions options =
        LodestarOptions.fromArgs(
            new String[] {
              "--batch.max-tokens",
              "65536",
              "--topics.policy-updates",
              "lodestar.policy-updates",
              "--export.formats",
              "verl-parquet, trl-jsonl"
            });
    assertThat(options.batchLimits().maxTokens()).isEqualTo(65536L);
    assertThat(options.get(LodestarOptions.TOPIC_POLICY_UPDATES))
        .isEqualTo("lodestar.policy-updates");
    assertThat(options.exportFormats())
        .containsExactly(ExportFormat.VERL_PARQUET, ExportFormat.TRL_JSONL);
    assertThat(LodestarOptions.fromArgs(new String[0]).batchLimits().hasTokenBudget()).isFalse();

    assertThatThrownBy(() -> LodestarOptions.fromArgs(new String[] {"--batch.max-tokens", "-1"}))
        .hasMessageContaining("batch.max-tokens");
    assertThatThrownBy(
            () -> LodestarOptions.fromArgs(new String[] {"--export.formats", "verl-parquet,csv"}))
        .hasMessageContaining("export.formats")
        .hasMessageContaining("csv");
  }

  @Test
  void verifierRulesAreValidatedAtStartUp() {
    LodestarOptions options =
        LodestarOptions.fromArgs(new String[] {"--verifiers.source.gsm8k", "numeric_answer"});
    assertThat(options.verifierRegistry()).isNotNull();
    assertThatThrownBy(
            () -> LodestarOptions.fromArgs(new String[] {"--verifiers.kind.math", "astrology"}))
        .hasMessageContaining("verifiers.")
        .hasMessageContaining("astrology");
  }

  @Test
  void shouldRefuseAMathWindowBelowOneHundredCharactersNamingTheKey() {
    assertThat(
            LodestarOptions.fromArgs(new String[] {"--verify.math.examined-chars", "20000"})
                .verifierRegistry())
        .isNotNull();
    assertThatThrownBy(
            () -> LodestarOptions.fromArgs(new String[] {"--verify.math.examined-chars", "50"}))
        .hasMessageContaining("verify.math.examined-chars")
        .hasMessageContaining("50");
  }

  @Test
  void stalenessOptionsAreCheckedNamingTheKey() {
    assertThat(LodestarOptions.fromArgs(new String[0]).staleness().enabled()).isFalse();
    assertThat(
            LodestarOptions.fromArgs(
                    new String[] {"--staleness.max-lag", "2", "--staleness.action", "downweight"})
                .staleness())
        .satisfies(
            s -> {
              assertThat(s.maxLag()).isEqualTo(2);
              assertThat(s.weight()).isEqualTo(0.5);
            });
    assertThatThrownBy(
            () -> LodestarOptions.fromArgs(new String[] {"--staleness.action", "ignore"}))
        .hasMessageContaining("staleness.action");
    assertThatThrownBy(() -> LodestarOptions.fromArgs(new String[] {"--staleness.weight", "2"}))
        .hasMessageContaining("staleness.weight");
  }

  @Test
  void rewardCompositionDefaultsToTheMeanOfOkComponents() {
    RewardComposition composition = LodestarOptions.fromArgs(new String[0]).rewardComposition();
    assertThat(composition.rule()).isEqualTo("mean");
    assertThat(composition.overlong().enabled()).isFalse();
    assertThat(composition.gates()).isEmpty();
  }

  @Test
  void rewardOptionsBuildTheComposition() {
    RewardComposition composition =
        LodestarOptions.fromArgs(
                new String[] {
                  "--reward.weights", "numeric_answer:1,format:0.5",
                  "--reward.gates", "format>=1.0 else -1.0",
                  "--reward.missing", "skip,judge=substitute:0",
                  "--reward.overlong.mode", "verl",
                  "--reward.overlong.max-length", "4096",
                  "--reward.overlong.buffer-length", "512",
                  "--reward.overlong.penalty-factor", "0.5",
                  "--reward.overlong.length-fallback", "estimate:4"
                })
            .rewardComposition();
    assertThat(composition.rule())
        .isEqualTo(
            "wmean[format:0.5,numeric_answer:1.0,*:1.0]+missing[skip,judge=substitute:0.0]+gates[format>=1.0 else -1.0]"
                + "+overlong:verl(max=4096,buffer=512,factor=0.5,fallback=estimate:4.0)");
    assertThat(
            LodestarOptions.fromArgs(
                    new String[] {
                      "--reward.overlong.mode",
                      "dapo",
                      "--reward.overlong.max-length",
                      "4096",
                      "--reward.overlong.buffer-length",
                      "512"
                    })
                .rewardComposition()
                .overlong()
                .id())
        .isEqualTo("dapo(max=4096,cache=512,fallback=unscorable)");
  }

  @Test
  void badRewardOptionsFailAtStartUpNamingTheKey() {
    assertThatThrownBy(
            () -> LodestarOptions.fromArgs(new String[] {"--reward.weights", "format=0.5"}))
        .hasMessageContaining("reward.weights")
        .hasMessageContaining("format=0.5");
    assertThatThrownBy(
            () -> LodestarOptions.fromArgs(new String[] {"--reward.weights", "format:-1"}))
        .hasMessageContaining("reward.weights");
    assertThatThrownBy(() -> LodestarOptions.fromArgs(new String[] {"--reward.gates", "format>=1"}))
        .hasMessageContaining("reward.gates")
        .hasMessageContaining("else");
    assertThatThrownBy(() -> LodestarOptions.fromArgs(new String[] {"--reward.missing", "zero"}))
        .hasMessageContaining("reward.missing");
    assertThatThrownBy(
            () -> LodestarOptions.fromArgs(new String[] {"--reward.weights", "overlong:1"}))
        .hasMessageContaining("reward.weights")
        .hasMessageContaining("overlong");
    assertThatThrownBy(
            () -> LodestarOptions.fromArgs(new String[] {"--reward.overlong.mode", "paper"}))
        .hasMessageContaining("reward.overlong.mode");
  }

  @Test
  void overlongOptionsMustFitTheMode() {
    assertThatThrownBy(
            () ->
                LodestarOptions.fromArgs(
                    new String[] {
                      "--reward.overlong.mode", "dapo", "--reward.overlong.max-length", "4096"
                    }))
        .hasMessageContaining(
            "reward.overlong.buffer-length is required when reward.overlong.mode=dapo");
    assertThatThrownBy(
            () -> LodestarOptions.fromArgs(new String[] {"--reward.overlong.max-length", "4096"}))
        .hasMessageContaining("reward.overlong.max-length is set but reward.overlong.mode is none");
    assertThatThrownBy(
            () ->
                LodestarOptions.fromArgs(
                    new String[] {
                      "--reward.overlong.mode", "dapo", "--reward.overlong.max-length", "4096",
                      "--reward.overlong.buffer-length", "512", "--reward.overlong.penalty-factor",
                          "2"
                    }))
        .hasMessageContaining(
            "reward.overlong.penalty-factor applies only to reward.overlong.mode=verl");
    assertThatThrownBy(
            () ->
                LodestarOptions.fromArgs(
                    new String[] {
                      "--reward.overlong.mode",
                      "verl",
                      "--reward.overlong.max-length",
                      "512",
                      "--reward.overlong.buffer-length",
                      "4096"
                    }))
        .hasMessageContaining("reward.overlong.max-length=512")
        .hasMessageContaining("reward.overlong.buffer-length=4096");
    assertThatThrownBy(
            () ->
                LodestarOptions.fromArgs(
                    new String[] {
                      "--reward.overlong.mode", "verl", "--reward.overlong.max-length", "4096",
                      "--reward.overlong.buffer-length", "512", "--reward.overlong.length-fallback",
                          "estimate:0"
                    }))
        .hasMessageContaining("reward.overlong.length-fallback");
    assertThatThrownBy(
            () -> LodestarOptions.fromArgs(new String[] {"--reward.overlong.max-length", "long"}))
        .hasMessageContaining("reward.overlong.max-length")
        .hasMessageContaining("long");
  }

  @Test
  void kafkaIsRequiredOnlyWhenUsed() {
    LodestarOptions options = LodestarOptions.fromArgs(new String[0]);
    assertThatThrownBy(options::kafka).hasMessageContaining("kafka.bootstrap.servers");
  }

  @Test
  void remoteScorersAreOffUntilTheirUrlIsSet() {
    LodestarOptions options = LodestarOptions.fromArgs(new String[0]);
    assertThat(options.remoteReward()).isEmpty();
    assertThat(options.judge()).isEmpty();
    assertThat(options.embeddings()).isEmpty();
  }

  @Test
  void judgeOptionsBuildItsSettingsWithTheKeyFromTheEnvironmentNeverPrinted() {
    LodestarOptions options =
        LodestarOptions.fromMap(
            Map.of(
                "judge.url", "http://127.0.0.1:9/v1",
                "judge.model", "judge-7b",
                "judge.api-key", "${env:JUDGE_KEY}",
                "judge.failure-policy", "dead-letter",
                "judge.task-kinds", "chat, other",
                "judge.guard", "unscored",
                "judge.max-tokens", "16"),
            name -> name.equals("JUDGE_KEY") ? CANARY : null);

    JudgeSettings judge = options.judge().orElseThrow();
    assertThat(judge.call().model()).isEqualTo("judge-7b");
    assertThat(judge.call().apiKey()).isEqualTo(Secret.of(CANARY));
    assertThat(judge.call().failurePolicy()).isEqualTo(FailurePolicy.DEAD_LETTER);
    assertThat(judge.call().taskKinds()).containsExactlyInAnyOrder(TaskKind.CHAT, TaskKind.OTHER);
    assertThat(judge.guardPolicy()).isEqualTo(GuardPolicy.UNSCORED);
    assertThat(options.toString()).doesNotContain(CANARY).contains("judge.api-key=****");
    assertThat(judge.toString()).doesNotContain(CANARY);
  }

  @Test
  void remoteRewardOptionsSelectThePromptFormat() {
    LodestarOptions options =
        LodestarOptions.fromArgs(
            new String[] {
              "--remote-reward.url",
              "http://127.0.0.1:9/get_reward",
              "--remote-reward.prompt-format",
              "chatml"
            });
    RemoteRewardSettings remote = options.remoteReward().orElseThrow();
    assertThat(remote.promptFormat()).isEqualTo(PromptFormat.CHATML);
    assertThat(remote.componentName()).isEqualTo(RemoteRewardSettings.DEFAULT_COMPONENT);
  }

  @Test
  void badRemoteScorerOptionsFailAtStartUpNamingTheKey() {
    String url = "http://127.0.0.1:9/v1";
    assertThatThrownBy(() -> LodestarOptions.fromArgs(new String[] {"--judge.url", url}))
        .hasMessageContaining("judge.model");
    assertThatThrownBy(
            () ->
                LodestarOptions.fromArgs(
                    new String[] {
                      "--judge.url", url, "--judge.model", "m", "--judge.failure-policy", "zero"
                    }))
        .hasMessageContaining("judge.failure-policy");
    assertThatThrownBy(
            () ->
                LodestarOptions.fromArgs(
                    new String[] {
                      "--remote-reward.url", url, "--remote-reward.task-kinds", "poetry"
                    }))
        .hasMessageContaining("remote-reward.task-kinds")
        .hasMessageContaining("poetry");
    assertThatThrownBy(
            () -> LodestarOptions.fromArgs(new String[] {"--remote-reward.url", "ftp://host/x"}))
        .hasMessageContaining("remote-reward.url");
    assertThatThrownBy(
            () ->
                LodestarOptions.fromArgs(
                    new String[] {
                      "--remote-reward.url", url, "--remote-reward.prompt-format", "xml"
                    }))
        .hasMessageContaining("remote-reward.prompt-format");
    assertThatThrownBy(
            () ->
                LodestarOptions.fromArgs(
                    new String[] {
                      "--embedding-model.diversity",
                      "true",
                      "--embedding-model.path",
                      "/no/such/model"
                    }))
        .hasMessageContaining("embedding-model.path");
  }

  @Test
  void preferenceOptionsBuildTheMiningSettings() {
    LodestarOptions options =
        LodestarOptions.fromArgs(
            new String[] {
              "--preference.group-pairs", "best-random", "--preference.group-margin", "0.1",
              "--preference.weights", "thumb=0.5, regenerate=0.2", "--preference.prompt-window",
                  "30 s",
              "--preference.redaction", "pii"
            });
    PreferenceSettings settings = options.preferenceSettings();
    assertThat(settings.groupPairs()).isEqualTo(PreferenceSettings.GroupPairMode.BEST_RANDOM);
    assertThat(settings.groupMargin()).isEqualTo(0.1);
    assertThat(settings.weights().thumb()).isEqualTo(0.5);
    assertThat(settings.weights().regenerate()).isEqualTo(0.2);
    assertThat(settings.weights().vote()).isEqualTo(1.0);
    assertThat(settings.promptWindow()).isEqualTo(Duration.ofSeconds(30));
    assertThat(options.redactor().redact("a@b.example")).isEqualTo("[EMAIL]");
    assertThat(LodestarOptions.fromArgs(new String[0]).preferenceSettings())
        .isEqualTo(PreferenceSettings.defaults());
  }

  @Test
  void badPreferenceOptionsFailAtStartUpNamingTheKey() {
    assertThatThrownBy(
            () -> LodestarOptions.fromArgs(new String[] {"--preference.group-pairs", "best"}))
        .hasMessageContaining("preference.group-pairs");
    assertThatThrownBy(
            () -> LodestarOptions.fromArgs(new String[] {"--preference.weights", "thumbs=0.5"}))
        .hasMessageContaining("preference.weights");
    assertThatThrownBy(
            () -> LodestarOptions.fromArgs(new String[] {"--preference.weights", "vote=2"}))
        .hasMessageContaining("preference.weights")
        .hasMessageContaining("vote");
    assertThatThrownBy(
            () -> LodestarOptions.fromArgs(new String[] {"--preference.max-pairs-per-prompt", "0"}))
        .hasMessageContaining("preference.max-pairs-per-prompt");
    assertThatThrownBy(
            () -> LodestarOptions.fromArgs(new String[] {"--preference.redaction", "scrub"}))
        .hasMessageContaining("preference.redaction");
    assertThatThrownBy(
            () -> LodestarOptions.fromArgs(new String[] {"--export.preference-formats", "csv"}))
        .hasMessageContaining("export.preference-formats");
  }

  @Test
  void healthAlarmAndGateOptionsAreValidatedNamingTheKey() {
    LodestarOptions options =
        LodestarOptions.fromArgs(
            new String[] {
              "--health.window",
              "10 s",
              "--alarms.rules",
              "hot: unscoredRate > 0.5 for 2 windows gate",
              "--gate.on-clear",
              "discard"
            });
    assertThat(options.healthSettings().window()).isEqualTo(Duration.ofSeconds(10));
    assertThat(options.alarmRules())
        .singleElement()
        .satisfies(r -> assertThat(r.id()).isEqualTo("hot"));
    assertThat(options.gateSettings().onClear()).isEqualTo(GateSettings.OnClear.DISCARD);
    assertThat(LodestarOptions.fromArgs(new String[] {"--alarms.rules", ""}).alarmRules())
        .isEmpty();
    assertThat(LodestarOptions.fromArgs(new String[0]).alarmRules()).hasSizeGreaterThanOrEqualTo(5);

    assertThatThrownBy(
            () ->
                LodestarOptions.fromArgs(new String[] {"--alarms.rules", "bad: noSuchMetric > 1"}))
        .hasMessageContaining("alarms.rules")
        .hasMessageContaining("noSuchMetric");
    assertThatThrownBy(() -> LodestarOptions.fromArgs(new String[] {"--gate.on-clear", "keep"}))
        .hasMessageContaining("gate.on-clear");
    assertThatThrownBy(() -> LodestarOptions.fromArgs(new String[] {"--health.window", "0 s"}))
        .hasMessageContaining("health.window");
  }
}

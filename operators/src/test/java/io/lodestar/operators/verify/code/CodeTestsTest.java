package io.lodestar.operators.verify.code;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.TestRecords;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.TaskKind;
import io.lodestar.schema.TaskMetadata;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CodeTestsTest {

  @Test
  void onlyCodeTasksWithTestsAndAnEntryPointAreRun() {
    TaskMetadata code =
        TaskMetadata.newBuilder()
            .setKind(TaskKind.CODE)
            .setUnitTests(List.of("def check(c): pass"))
            .setExtra(Map.of("entry_point", "f"))
            .build();
    assertThat(CodeTests.applies(TestRecords.generation("a").setTask(code).build())).isTrue();
    assertThat(CodeTests.applies(TestRecords.generation("b").build())).isFalse();
    TaskMetadata noEntryPoint = TaskMetadata.newBuilder(code).setExtra(Map.of()).build();
    assertThat(CodeTests.applies(TestRecords.generation("c").setTask(noEntryPoint).build()))
        .isFalse();
  }

  @Test
  void timeoutsAndSandboxFailuresAreUnscoredNeverZero() {
    assertThat(CodeTests.toComponent(result(CodeSandbox.Verdict.PASS)).getValue()).isEqualTo(1.0);
    assertThat(CodeTests.toComponent(result(CodeSandbox.Verdict.FAIL)).getValue()).isEqualTo(0.0);
    assertThat(CodeTests.toComponent(result(CodeSandbox.Verdict.TIMEOUT)))
        .satisfies(
            c -> {
              assertThat(c.getValue()).isNull();
              assertThat(c.getStatus()).isEqualTo(RewardStatus.TIMEOUT);
            });
    assertThat(CodeTests.toComponent(result(CodeSandbox.Verdict.SANDBOX_ERROR)))
        .satisfies(
            c -> {
              assertThat(c.getValue()).isNull();
              assertThat(c.getStatus()).isEqualTo(RewardStatus.ERROR);
            });
  }

  private static CodeSandbox.Result result(CodeSandbox.Verdict verdict) {
    return new CodeSandbox.Result(verdict, "detail", 0, "", "", Duration.ZERO);
  }
}

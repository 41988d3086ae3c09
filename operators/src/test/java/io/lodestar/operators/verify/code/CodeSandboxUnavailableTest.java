package io.lodestar.operators.verify.code;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.verify.code.CodeSandbox.Limits;
import io.lodestar.operators.verify.code.CodeSandbox.Verdict;
import org.junit.jupiter.api.Test;

/** Needs no sandbox tools, so it runs everywhere, unlike {@link CodeSandboxTest}. */
class CodeSandboxUnavailableTest {

  @Test
  void missingSandboxToolIsASandboxError() {
    CodeSandbox broken =
        new CodeSandbox(Limits.defaults(), "/nonexistent/bwrap", CodeSandbox.DEFAULT_PYTHON);
    assertThat(broken.unavailableReason()).isPresent();
    assertThat(broken.runPython("pass\n").verdict()).isEqualTo(Verdict.SANDBOX_ERROR);
    assertThat(
            broken
                .runHumanEval(
                    "def f():\n", "    return 1\n", "def check(c):\n    assert c() == 1\n", "f")
                .verdict())
        .isEqualTo(Verdict.SANDBOX_ERROR);
  }
}

package io.lodestar.operators.verify.code;

import io.lodestar.operators.verify.VerifierResults;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.TaskKind;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Code generations against their unit tests, HumanEval layout: the program is {@code
 * task.extra.code_prompt} + the completion + {@code task.unitTests[0]} + {@code
 * check(task.extra.entry_point)}. A chat-style answer in a ```python fence is used as the
 * completion; when it defines the entry point itself, the code prompt is not prepended. The tests
 * run apart from the candidate (see {@link CodeSandbox#runTests}), with the code prompt defined for
 * the helpers they call.
 */
public final class CodeTests {

  public static final String NAME = "code_tests";
  public static final String VERSION = "code-tests/2";
  public static final String CODE_PROMPT_KEY = "code_prompt";
  public static final String ENTRY_POINT_KEY = "entry_point";

  private static final Pattern FENCE =
      Pattern.compile("```(?:python|py)?[ \\t]*\\n(.*?)```", Pattern.DOTALL);

  private CodeTests() {}

  /** True when the generation is a code task with tests to run. */
  public static boolean applies(Generation g) {
    return g.getTask().getKind() == TaskKind.CODE
        && !g.getTask().getUnitTests().isEmpty()
        && g.getTask().getExtra().containsKey(ENTRY_POINT_KEY);
  }

  /** Runs the tests; blocking, so callers run it off the stream thread. */
  public static RewardComponent run(CodeSandbox sandbox, Generation g) {
    String entryPoint = g.getTask().getExtra().get(ENTRY_POINT_KEY);
    String prompt = g.getTask().getExtra().getOrDefault(CODE_PROMPT_KEY, "");
    String completion = g.getResponse();
    String program = prompt + completion;
    Matcher fenced =
        FENCE.matcher(
            completion.length() > 200_000 ? completion.substring(0, 200_000) : completion);
    if (fenced.find()) {
      completion = fenced.group(1);
      program = completion.contains("def " + entryPoint + "(") ? completion : prompt + completion;
    }
    CodeSandbox.Result result =
        sandbox.runTests(program, prompt, g.getTask().getUnitTests().get(0), entryPoint);
    return toComponent(result);
  }

  /** PASS and FAIL are scores; a timeout or a sandbox failure is not a score, so never 0. */
  public static RewardComponent toComponent(CodeSandbox.Result result) {
    switch (result.verdict()) {
      case PASS:
        return component(1.0, RewardStatus.OK, "pass");
      case FAIL:
        return component(0.0, RewardStatus.OK, "fail: " + shorten(result.detail()));
      case TIMEOUT:
        return component(null, RewardStatus.TIMEOUT, "deadline exceeded");
      default:
        return component(null, RewardStatus.ERROR, "sandbox: " + shorten(result.detail()));
    }
  }

  public static RewardComponent timedOut() {
    return component(null, RewardStatus.TIMEOUT, "no verdict within the operator timeout");
  }

  private static RewardComponent component(Double value, RewardStatus status, String detail) {
    return VerifierResults.component(NAME, VERSION, value, status, detail);
  }

  private static String shorten(String detail) {
    if (detail == null) {
      return "";
    }
    String flat = detail.replace('\n', ' ');
    return flat.length() <= 120 ? flat : flat.substring(0, 117) + "...";
  }
}

package io.lodestar.operators.reward.model;

/** DJL settings Lodestar relies on; call {@link #offline()} before any DJL class is used. */
final class Djl {

  static final String ENGINE = "OnnxRuntime";

  private Djl() {}

  /**
   * Models come only from local folders: DJL must never reach a model zoo or download a native
   * library.
   */
  static void offline() {
    System.setProperty("ai.djl.offline", "true");
    // DJL otherwise reports usage to its maintainers on first use.
    System.setProperty("OPT_OUT_TRACKING", "true");
  }
}

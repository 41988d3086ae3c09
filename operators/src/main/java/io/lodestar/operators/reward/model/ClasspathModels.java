package io.lodestar.operators.reward.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Model folders that ship on the classpath, copied to a local folder so they load like any other:
 * the tiny test reward model and the MiniLM sentence encoder.
 */
public final class ClasspathModels {

  /**
   * Classpath folder of the tiny reward model (made by src/main/python/make_tiny_reward_model.py).
   */
  public static final String TINY_REWARD = "lodestar/models/tiny-reward/";

  private static final List<String> TINY_REWARD_FILES =
      List.of(LoadedModel.MODEL_FILE, LoadedModel.TOKENIZER_FILE, ModelConfig.FILE, "samples.json");

  /** all-MiniLM-L6-v2 (quantised), as bundled at the root of the langchain4j model jar. */
  private static final String MINILM_ONNX = "all-minilm-l6-v2-q.onnx";

  private static final String MINILM_TOKENIZER = "all-minilm-l6-v2-q-tokenizer.json";

  /** Its sentence-transformers configuration truncates at 256 word pieces. */
  public static final ModelConfig MINILM_CONFIG =
      new ModelConfig("all-minilm-l6-v2-q", "1", 256, ModelConfig.BERT_INPUTS);

  private ClasspathModels() {}

  /** Copies the tiny reward model into {@code target} (created if needed) and returns it. */
  public static Path tinyReward(Path target) {
    try {
      Files.createDirectories(target);
      for (String file : TINY_REWARD_FILES) {
        copy(TINY_REWARD + file, target.resolve(file));
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot materialise the tiny reward model in " + target, e);
    }
  }

  /** Copies MiniLM (model, tokenizer, a reward-model.json) into {@code target} and returns it. */
  public static Path miniLm(Path target) {
    try {
      Files.createDirectories(target);
      copy(MINILM_ONNX, target.resolve(LoadedModel.MODEL_FILE));
      copy(MINILM_TOKENIZER, target.resolve(LoadedModel.TOKENIZER_FILE));
      MINILM_CONFIG.write(target);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot materialise MiniLM in " + target, e);
    }
  }

  /** The tiny reward model in a fresh temporary folder. */
  public static Path tinyRewardInTempDir() {
    return tinyReward(tempDir("tiny-reward"));
  }

  /** MiniLM in a fresh temporary folder. */
  public static Path miniLmInTempDir() {
    return miniLm(tempDir("minilm"));
  }

  private static Path sharedMiniLm;

  /** MiniLM copied out once per process (a TaskManager), so every subtask loads the same folder. */
  public static synchronized Path sharedMiniLm() {
    if (sharedMiniLm == null) {
      sharedMiniLm = miniLmInTempDir();
    }
    return sharedMiniLm;
  }

  private static Path tempDir(String name) {
    try {
      Path dir = Files.createTempDirectory("lodestar-" + name + "-");
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void copy(String resource, Path target) throws IOException {
    ClassLoader loader = ClasspathModels.class.getClassLoader();
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("classpath resource " + resource + " not found");
      }
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
    target.toFile().deleteOnExit();
  }
}

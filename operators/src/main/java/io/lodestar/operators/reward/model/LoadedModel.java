package io.lodestar.operators.reward.model;

import ai.djl.MalformedModelException;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import ai.djl.util.PairList;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * An ONNX encoder model and its tokenizer, loaded once from a local folder ({@code model.onnx},
 * {@code tokenizer.json}, {@code reward-model.json}) and shareable across threads. Each thread runs
 * it through its own {@link Predictor} ({@link #newPredictor()}); predictors are not thread-safe,
 * the model and the tokenizer are.
 */
public final class LoadedModel implements AutoCloseable {

  public static final String MODEL_FILE = "model.onnx";
  public static final String TOKENIZER_FILE = "tokenizer.json";

  private final Path folder;
  private final DeviceSpec device;
  private final ModelConfig config;
  private final String contentHash;
  private final ZooModel<TokenBatch, Tensor> model;
  private final HuggingFaceTokenizer tokenizer;

  private LoadedModel(
      Path folder,
      DeviceSpec device,
      ModelConfig config,
      String contentHash,
      ZooModel<TokenBatch, Tensor> model,
      HuggingFaceTokenizer tokenizer) {
    this.folder = folder;
    this.device = device;
    this.config = config;
    this.contentHash = contentHash;
    this.model = model;
    this.tokenizer = tokenizer;
  }

  /**
   * Loads the model in {@code folder} on {@code device}; a missing or broken file fails here,
   * naming the path.
   */
  public static LoadedModel load(Path folder, DeviceSpec device) {
    Djl.offline();
    if (!Files.isDirectory(folder)) {
      throw new ModelLoadException("model folder " + folder + " does not exist or is not a folder");
    }
    for (String file : List.of(MODEL_FILE, TOKENIZER_FILE)) {
      if (!Files.isRegularFile(folder.resolve(file))) {
        throw new ModelLoadException("model folder " + folder + " has no " + file);
      }
    }
    ModelConfig config = ModelConfig.read(folder);
    String hash = contentHash(folder);
    HuggingFaceTokenizer tokenizer;
    try {
      tokenizer =
          HuggingFaceTokenizer.builder()
              .optTokenizerPath(folder.resolve(TOKENIZER_FILE))
              .optMaxLength(config.maxLength())
              .optTruncation(true)
              .optPadding(false)
              .build();
    } catch (IOException | RuntimeException e) {
      throw new ModelLoadException(
          "cannot load tokenizer " + folder.resolve(TOKENIZER_FILE) + ": " + e.getMessage(), e);
    }
    try {
      Criteria<TokenBatch, Tensor> criteria =
          Criteria.builder()
              .setTypes(TokenBatch.class, Tensor.class)
              .optModelPath(folder.resolve(MODEL_FILE))
              .optEngine(Djl.ENGINE)
              .optDevice(device.resolve())
              .optTranslator(new TensorTranslator(config.inputs()))
              // One thread per call, on the caller's: Flink's subtasks are the parallelism. ONNX
              // Runtime's
              // own pools (sized from the host, spinning while idle) would compete with the task
              // threads.
              .optOption("intraOpNumThreads", "1")
              .optOption("interOpNumThreads", "1")
              .build();
      return new LoadedModel(folder, device, config, hash, criteria.loadModel(), tokenizer);
    } catch (IOException | ModelNotFoundException | MalformedModelException | RuntimeException e) {
      tokenizer.close();
      throw new ModelLoadException(
          "cannot load ONNX model "
              + folder.resolve(MODEL_FILE)
              + " on "
              + device
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** A new predictor for one thread; close it when the thread is done. */
  public Predictor<TokenBatch, Tensor> newPredictor() {
    return model.newPredictor();
  }

  /**
   * Tokenizes texts, truncating each to the model's maximum length (see {@link
   * Encoding#exceedMaxLength()}).
   */
  public Encoding[] encode(List<String> texts) {
    return tokenizer.batchEncode(texts);
  }

  /** Tokenizes (first, second) text pairs, as a cross-encoder expects them. */
  public Encoding[] encodePairs(List<String> first, List<String> second) {
    return tokenizer.batchEncode(new PairList<>(first, second));
  }

  public ModelConfig config() {
    return config;
  }

  public Path folder() {
    return folder;
  }

  public DeviceSpec device() {
    return device;
  }

  /** The first 12 hex digits of a SHA-256 over the folder's files (names and bytes). */
  public String contentHash() {
    return contentHash;
  }

  /** What a reward component names as its version: model name, version and content hash. */
  public String version() {
    return config.name() + "/" + config.version() + "@" + contentHash;
  }

  @Override
  public void close() {
    try {
      model.close();
    } finally {
      tokenizer.close();
    }
  }

  static String contentHash(Path folder) {
    try (Stream<Path> files = Files.list(folder)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        digest.update(file.getFileName().toString().getBytes(StandardCharsets.UTF_8));
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
          in.transferTo(OutputStream.nullOutputStream());
        }
      }
      return HexFormat.of().formatHex(digest.digest()).substring(0, 12);
    } catch (IOException e) {
      throw new ModelLoadException("cannot read model folder " + folder + ": " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Token ids of a batch, right-padded to its longest row (mask 0 on padding). */
  public record TokenBatch(
      long[][] inputIds, long[][] attentionMask, long[][] typeIds, int length) {

    public static TokenBatch of(Encoding[] encodings) {
      int length = 1;
      for (Encoding e : encodings) {
        length = Math.max(length, e.getIds().length);
      }
      long[][] ids = new long[encodings.length][length];
      long[][] mask = new long[encodings.length][length];
      long[][] types = new long[encodings.length][length];
      for (int row = 0; row < encodings.length; row++) {
        long[] rowIds = encodings[row].getIds();
        long[] rowMask = encodings[row].getAttentionMask();
        long[] rowTypes = encodings[row].getTypeIds();
        System.arraycopy(rowIds, 0, ids[row], 0, rowIds.length);
        System.arraycopy(rowMask, 0, mask[row], 0, rowMask.length);
        System.arraycopy(rowTypes, 0, types[row], 0, rowTypes.length);
      }
      return new TokenBatch(ids, mask, types, length);
    }

    public int size() {
      return inputIds.length;
    }
  }

  /** A model output copied off the engine: row-major values and their shape. */
  public record Tensor(float[] values, long[] shape) {}

  /** Feeds a {@link TokenBatch} by input name and copies the first output into a {@link Tensor}. */
  private static final class TensorTranslator implements Translator<TokenBatch, Tensor> {
    private final List<String> inputs;

    TensorTranslator(List<String> inputs) {
      this.inputs = inputs;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, TokenBatch batch) {
      NDManager manager = ctx.getNDManager();
      NDList list = new NDList(inputs.size());
      for (String input : inputs) {
        long[][] rows =
            switch (input) {
              case "input_ids" -> batch.inputIds();
              case "attention_mask" -> batch.attentionMask();
              default -> batch.typeIds();
            };
        NDArray array =
            manager.create(flatten(rows, batch.length()), new Shape(rows.length, batch.length()));
        array.setName(input);
        list.add(array);
      }
      return list;
    }

    @Override
    public Tensor processOutput(TranslatorContext ctx, NDList list) {
      NDArray out = list.get(0);
      return new Tensor(out.toFloatArray(), out.getShape().getShape());
    }

    @Override
    public Batchifier getBatchifier() {
      // Batches are formed by the caller, already padded.
      return null;
    }

    private static long[] flatten(long[][] rows, int length) {
      long[] flat = new long[rows.length * length];
      for (int row = 0; row < rows.length; row++) {
        System.arraycopy(rows[row], 0, flat, row * length, length);
      }
      return flat;
    }
  }
}

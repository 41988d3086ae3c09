package io.lodestar.operators.reward.model;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import java.io.Serializable;
import java.util.Locale;

/**
 * Where a model runs: {@code auto} (the first GPU when ONNX Runtime has its CUDA provider and a GPU
 * is visible, else the CPU), {@code cpu}, or {@code gpu:N}.
 */
public record DeviceSpec(Kind kind, int gpuIndex) implements Serializable {

  public enum Kind {
    AUTO,
    CPU,
    GPU
  }

  public static final DeviceSpec AUTO = new DeviceSpec(Kind.AUTO, -1);
  public static final DeviceSpec CPU = new DeviceSpec(Kind.CPU, -1);

  public DeviceSpec {
    if (kind == Kind.GPU && gpuIndex < 0) {
      throw new IllegalArgumentException("a GPU index is 0 or more, got " + gpuIndex);
    }
  }

  public static DeviceSpec gpu(int index) {
    return new DeviceSpec(Kind.GPU, index);
  }

  /** Parses {@code auto}, {@code cpu}, {@code gpu} (same as gpu:0) or {@code gpu:N}. */
  public static DeviceSpec parse(String text) {
    String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    if (value.equals("auto")) {
      return AUTO;
    }
    if (value.equals("cpu")) {
      return CPU;
    }
    if (value.equals("gpu")) {
      return gpu(0);
    }
    if (value.startsWith("gpu:")) {
      String index = value.substring(4);
      if (!index.isEmpty() && index.chars().allMatch(Character::isDigit) && index.length() < 4) {
        return gpu(Integer.parseInt(index));
      }
    }
    throw new IllegalArgumentException(
        "device must be auto, cpu or gpu:N (N = 0, 1, ...), got '" + text + "'");
  }

  /** The DJL device this spec resolves to on this machine. */
  public Device resolve() {
    return switch (kind) {
      case CPU -> Device.cpu();
      case GPU -> Device.gpu(gpuIndex);
      case AUTO -> cudaAvailable() ? Device.gpu(0) : Device.cpu();
    };
  }

  /** True when the ONNX Runtime build on the classpath has CUDA and a GPU is visible. */
  public static boolean cudaAvailable() {
    Djl.offline();
    try {
      return OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)
          && CudaUtils.getGpuCount() > 0;
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return kind == Kind.GPU ? "gpu:" + gpuIndex : kind.name().toLowerCase(Locale.ROOT);
  }
}

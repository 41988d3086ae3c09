package io.lodestar.connectors.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

/**
 * Parquet page compression with snappy-java directly. Parquet's own codec factory instantiates
 * Hadoop codec classes (and a Hadoop configuration) even for Snappy; this one needs neither. Pages
 * are raw Snappy blocks, which is what Parquet's SNAPPY codec means, so pyarrow, pandas and Spark
 * read the files. Only SNAPPY and UNCOMPRESSED are offered.
 */
public final class SnappyCodecs implements CompressionCodecFactory {

  @Override
  public BytesInputCompressor getCompressor(CompressionCodecName codec) {
    requireSupported(codec);
    return new BytesInputCompressor() {
      @Override
      public BytesInput compress(BytesInput bytes) throws IOException {
        return codec == CompressionCodecName.SNAPPY
            ? BytesInput.from(Snappy.compress(bytes.toByteArray()))
            : bytes;
      }

      @Override
      public CompressionCodecName getCodecName() {
        return codec;
      }

      @Override
      public void release() {}
    };
  }

  @Override
  public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
    requireSupported(codec);
    return new BytesInputDecompressor() {
      @Override
      public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
        if (codec == CompressionCodecName.UNCOMPRESSED) {
          return bytes;
        }
        byte[] out = new byte[uncompressedSize];
        int n = Snappy.uncompress(bytes.toByteArray(), 0, (int) bytes.size(), out, 0);
        if (n != uncompressedSize) {
          throw new IOException("snappy page: expected " + uncompressedSize + " bytes, got " + n);
        }
        return BytesInput.from(out);
      }

      @Override
      public void decompress(
          ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize)
          throws IOException {
        byte[] in = new byte[compressedSize];
        input.get(in);
        output.put(decompress(BytesInput.from(in), uncompressedSize).toByteArray());
      }

      @Override
      public void release() {}
    };
  }

  @Override
  public void release() {}

  private static void requireSupported(CompressionCodecName codec) {
    if (codec != CompressionCodecName.SNAPPY && codec != CompressionCodecName.UNCOMPRESSED) {
      throw new IllegalArgumentException(
          "only SNAPPY and UNCOMPRESSED Parquet pages are supported, not " + codec);
    }
  }
}

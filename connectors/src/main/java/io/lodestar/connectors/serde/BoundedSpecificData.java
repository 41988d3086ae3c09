package io.lodestar.connectors.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.Decoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.util.Utf8;

/**
 * A {@link SpecificData} whose readers never trust a length or count prefix beyond the size of the
 * message being read. Avro's stream decoder allocates whatever a prefix claims before reading, so
 * without this a 30-byte message claiming a 2 GiB string exhausts the heap.
 *
 * <p>The limit is per message and mutable, so an instance serves one thread at a time.
 */
final class BoundedSpecificData extends SpecificData {

  private int messageBytes = Integer.MAX_VALUE;

  // Avro turns its fast reader off for any subclass, in case the subclass overrides hooks the fast
  // reader bypasses. The hooks overridden here (newArray, newMap) are ones it calls, and it reads
  // about twice as fast, so keep it on unless the usual system property says otherwise.
  private boolean fastReader =
      "true".equalsIgnoreCase(System.getProperty(FAST_READER_PROP, "true"));

  BoundedSpecificData(ClassLoader classLoader) {
    super(classLoader);
  }

  @Override
  public boolean isFastReaderEnabled() {
    return fastReader;
  }

  @Override
  public GenericData setFastReaderEnabled(boolean enabled) {
    fastReader = enabled;
    return super.setFastReaderEnabled(enabled);
  }

  /** No string, bytes value or collection read next can be larger than {@code bytes}. */
  void limitTo(int bytes) {
    this.messageBytes = bytes;
  }

  @Override
  public DatumReader createDatumReader(Schema writer, Schema reader) {
    return new BoundedReader<>(writer, reader, this);
  }

  @Override
  public DatumReader createDatumReader(Schema schema) {
    return createDatumReader(schema, schema);
  }

  // Start collections no larger than the message and let them grow as elements actually arrive, so
  // a hostile count costs nothing up front.
  @Override
  public Object newArray(Object old, int size, Schema schema) {
    return super.newArray(old, Math.min(size, messageBytes), schema);
  }

  @Override
  public Object newMap(Object old, int size) {
    return super.newMap(old, Math.min(size, messageBytes));
  }

  private final class BoundedReader<D> extends SpecificDatumReader<D> {
    BoundedReader(Schema writer, Schema reader, SpecificData model) {
      super(writer, reader, model);
    }

    @Override
    public D read(D reuse, Decoder in) throws IOException {
      return super.read(reuse, new LengthCheckedDecoder(in, messageBytes));
    }
  }

  /**
   * Reads strings and bytes as the binary encoding defines them (a long length, then that many
   * bytes), checking the length before allocating; everything else goes straight through.
   */
  private static final class LengthCheckedDecoder extends Decoder {
    private final Decoder in;
    private final int maxLength;

    LengthCheckedDecoder(Decoder in, int maxLength) {
      this.in = in;
      this.maxLength = maxLength;
    }

    private int checkedLength() throws IOException {
      long length = in.readLong();
      if (length < 0) {
        throw new IOException("negative length prefix " + length);
      }
      if (length > maxLength) {
        throw new IOException(
            "length prefix " + length + " is longer than the " + maxLength + "-byte message");
      }
      return (int) length;
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
      int length = checkedLength();
      Utf8 result = old != null ? old : new Utf8();
      result.setByteLength(length);
      in.readFixed(result.getBytes(), 0, length);
      return result;
    }

    @Override
    public String readString() throws IOException {
      return readString(null).toString();
    }

    @Override
    public void skipString() throws IOException {
      in.skipFixed(checkedLength());
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
      byte[] bytes = new byte[checkedLength()];
      in.readFixed(bytes, 0, bytes.length);
      return ByteBuffer.wrap(bytes);
    }

    @Override
    public void skipBytes() throws IOException {
      in.skipFixed(checkedLength());
    }

    @Override
    public void readNull() throws IOException {
      in.readNull();
    }

    @Override
    public boolean readBoolean() throws IOException {
      return in.readBoolean();
    }

    @Override
    public int readInt() throws IOException {
      return in.readInt();
    }

    @Override
    public long readLong() throws IOException {
      return in.readLong();
    }

    @Override
    public float readFloat() throws IOException {
      return in.readFloat();
    }

    @Override
    public double readDouble() throws IOException {
      return in.readDouble();
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws IOException {
      in.readFixed(bytes, start, length);
    }

    @Override
    public void skipFixed(int length) throws IOException {
      in.skipFixed(length);
    }

    @Override
    public int readEnum() throws IOException {
      return in.readEnum();
    }

    @Override
    public long readArrayStart() throws IOException {
      return in.readArrayStart();
    }

    @Override
    public long arrayNext() throws IOException {
      return in.arrayNext();
    }

    @Override
    public long skipArray() throws IOException {
      return in.skipArray();
    }

    @Override
    public long readMapStart() throws IOException {
      return in.readMapStart();
    }

    @Override
    public long mapNext() throws IOException {
      return in.mapNext();
    }

    @Override
    public long skipMap() throws IOException {
      return in.skipMap();
    }

    @Override
    public int readIndex() throws IOException {
      return in.readIndex();
    }

    @Override
    public int remainingBytes() {
      return in.remainingBytes();
    }
  }
}

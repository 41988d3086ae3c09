package io.lodestar.connectors.serde;

import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The serializer of {@link HandedOverTypeInfo}: the wrapped serializer in everything but the copy
 * of a record, which is the record itself.
 *
 * <p>Its snapshot is the wrapped serializer's, so state written with either one restores with the
 * other: swapping the declared type of a stream changes no savepoint.
 */
public final class HandedOverSerializer<T> extends TypeSerializer<T> {

  private static final long serialVersionUID = 1L;

  private final TypeSerializer<T> wrapped;

  public HandedOverSerializer(TypeSerializer<T> wrapped) {
    this.wrapped = Objects.requireNonNull(wrapped, "wrapped");
  }

  @Override
  public boolean isImmutableType() {
    return wrapped.isImmutableType();
  }

  @Override
  public TypeSerializer<T> duplicate() {
    TypeSerializer<T> duplicate = wrapped.duplicate();
    return duplicate == wrapped ? this : new HandedOverSerializer<>(duplicate);
  }

  @Override
  public T createInstance() {
    return wrapped.createInstance();
  }

  @Override
  public T copy(T from) {
    return from;
  }

  @Override
  public T copy(T from, T reuse) {
    return from;
  }

  @Override
  public int getLength() {
    return wrapped.getLength();
  }

  @Override
  public void serialize(T record, DataOutputView target) throws IOException {
    wrapped.serialize(record, target);
  }

  @Override
  public T deserialize(DataInputView source) throws IOException {
    return wrapped.deserialize(source);
  }

  @Override
  public T deserialize(T reuse, DataInputView source) throws IOException {
    return wrapped.deserialize(reuse, source);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    wrapped.copy(source, target);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof HandedOverSerializer<?> that && wrapped.equals(that.wrapped);
  }

  @Override
  public int hashCode() {
    return 31 * HandedOverSerializer.class.hashCode() + wrapped.hashCode();
  }

  @Override
  public TypeSerializerSnapshot<T> snapshotConfiguration() {
    return wrapped.snapshotConfiguration();
  }
}

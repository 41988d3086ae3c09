package io.lodestar.connectors.serde;

import java.util.Objects;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * The type of a stream whose producer builds a new record for every output and never touches it
 * again: each record is handed over to the next operator, so a copy of it protects nothing.
 *
 * <p>With object reuse on, Flink's async I/O operator and Lodestar's model micro-batcher copy every
 * input record through the type's serializer before holding on to it. Declared on the stream that
 * feeds them, this type makes that copy return the record itself; serialization, and with it every
 * network exchange, checkpoint and savepoint, is the wrapped type's, byte for byte.
 *
 * <p>Only a producer that emits fresh records may declare it: a source that reuses its output
 * object, or a function that emits a record it keeps in a field, would have its later changes seen
 * downstream.
 */
public final class HandedOverTypeInfo<T> extends TypeInformation<T> {

  private static final long serialVersionUID = 1L;

  private final TypeInformation<T> wrapped;

  public HandedOverTypeInfo(TypeInformation<T> wrapped) {
    this.wrapped = Objects.requireNonNull(wrapped, "wrapped");
  }

  @Override
  public boolean isBasicType() {
    return wrapped.isBasicType();
  }

  @Override
  public boolean isTupleType() {
    return wrapped.isTupleType();
  }

  @Override
  public int getArity() {
    return wrapped.getArity();
  }

  @Override
  public int getTotalFields() {
    return wrapped.getTotalFields();
  }

  @Override
  public Class<T> getTypeClass() {
    return wrapped.getTypeClass();
  }

  @Override
  public boolean isKeyType() {
    return wrapped.isKeyType();
  }

  @Override
  public TypeSerializer<T> createSerializer(SerializerConfig config) {
    return new HandedOverSerializer<>(wrapped.createSerializer(config));
  }

  @Override
  public String toString() {
    return "HandedOver<" + wrapped + ">";
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof HandedOverTypeInfo<?> that
        && that.canEqual(this)
        && wrapped.equals(that.wrapped);
  }

  @Override
  public int hashCode() {
    return 31 * HandedOverTypeInfo.class.hashCode() + wrapped.hashCode();
  }

  @Override
  public boolean canEqual(Object other) {
    return other instanceof HandedOverTypeInfo;
  }
}

package io.lodestar.connectors.kafka;

import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A byte-array producer whose {@link #flush()} throws when any record sent before it was not
 * written. A plain {@code send} reports most failures (a metadata timeout, a too-large record) only
 * through its future, so traffic generators that never look at the futures lose records silently.
 */
public final class CheckedProducer implements AutoCloseable {

  private final KafkaProducer<byte[], byte[]> producer;
  private final AtomicReference<Exception> firstFailure = new AtomicReference<>();
  private final AtomicLong failures = new AtomicLong();

  public CheckedProducer(Properties props) {
    this.producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Sends asynchronously; a failure is remembered and thrown by the next {@link #flush()}. */
  public void send(ProducerRecord<byte[], byte[]> record) {
    producer.send(
        record,
        (metadata, error) -> {
          if (error != null) {
            failures.incrementAndGet();
            firstFailure.compareAndSet(null, error);
          }
        });
  }

  /**
   * Waits until every record sent so far is written; throws, naming the count and first cause, if
   * any was not.
   */
  public void flush() {
    producer.flush();
    Exception failure = firstFailure.get();
    if (failure != null) {
      throw new IllegalStateException(
          failures.get() + " record(s) could not be written to Kafka; the first: " + failure,
          failure);
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}

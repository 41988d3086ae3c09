package io.lodestar.jobs.process;

import io.lodestar.testkit.kafka.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A Kafka broker (the project's KRaft {@link EmbeddedKafka}, on loopback) in a JVM of its own, so a
 * test can kill the job's processes, or the broker, independently. Writes the bootstrap address to
 * the file named by the first argument once the broker accepts clients, then runs until killed.
 */
public final class KafkaBrokerMain {

  private KafkaBrokerMain() {}

  public static void main(String[] args) throws Exception {
    Path addressFile = Path.of(args[0]);
    EmbeddedKafka kafka = EmbeddedKafka.start();
    Path partial = addressFile.resolveSibling(addressFile.getFileName() + ".partial");
    Files.writeString(partial, kafka.bootstrapServers(), StandardCharsets.UTF_8);
    // Moved into place whole: the test never reads half an address.
    Files.move(partial, addressFile, StandardCopyOption.ATOMIC_MOVE);
    Thread.currentThread().join();
  }
}

package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lodestar.jobs.config.LodestarOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * A job run in this JVM (no cluster in context, as with {@code java ... PipelineJob}) listens on
 * loopback only, and its REST endpoint serves no jar upload. Reads this process's listening sockets
 * from {@code /proc}, so it runs on Linux only.
 */
class LocalBindingITCase {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void shouldListenOnLoopbackOnlyAndRefuseJarUploadWhenRunLocally() throws Exception {
    assumeTrue(Files.isReadable(Path.of("/proc/self/net/tcp6")), "needs Linux /proc");
    Set<InetSocketAddress> before = ListeningSockets.ofThisProcess();
    StreamExecutionEnvironment env =
        PipelineEnvironment.create(
            PipelineEnvironment.bounded(LodestarOptions.fromArgs(new String[0])));
    env.fromSequence(1, Long.MAX_VALUE)
        .uid("numbers")
        .name("Numbers")
        .map(LocalBindingITCase::slowly, Types.LONG)
        .uid("slowly")
        .name("Slowly")
        .sinkTo(new DiscardingSink<>())
        .uid("discard")
        .name("Discard");

    JobClient job = env.executeAsync("local-binding");
    try {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
      while (job.getJobStatus().get() != JobStatus.RUNNING && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      Set<InetSocketAddress> opened = new HashSet<>(ListeningSockets.ofThisProcess());
      opened.removeAll(before);

      int rest = restPort(opened);
      SoftAssertions softly = new SoftAssertions();
      softly.assertThat(opened).as("sockets the local cluster listens on").isNotEmpty();
      softly
          .assertThat(opened)
          .allSatisfy(
              a -> assertThat(a.getAddress().isLoopbackAddress()).as(a.toString()).isTrue());
      softly.assertThat(get(rest, "/overview")).as("GET /overview").isEqualTo(200);
      // With web submission on, GET /jars lists uploaded jars (200); off, the handler does not
      // exist.
      softly.assertThat(get(rest, "/jars")).as("GET /jars").isEqualTo(404);
      softly.assertAll();
    } finally {
      job.cancel().get(1, TimeUnit.MINUTES);
    }
  }

  private static Long slowly(Long n) throws InterruptedException {
    Thread.sleep(100);
    return n;
  }

  private static int restPort(Set<InetSocketAddress> listening) {
    for (InetSocketAddress address : listening) {
      try {
        if (get(address.getPort(), "/config") == 200) {
          return address.getPort();
        }
      } catch (IOException | InterruptedException notRest) {
        // the blob server or another non-HTTP port
      }
    }
    throw new AssertionError("no REST endpoint among " + listening);
  }

  private static int get(int port, String path) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(5))
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /**
   * The TCP sockets this process listens on, read from /proc: its socket inodes, matched in
   * /proc/net/tcp{,6}.
   */
  static final class ListeningSockets {

    private static final String LISTEN = "0A";

    private ListeningSockets() {}

    static Set<InetSocketAddress> ofThisProcess() throws IOException {
      Set<String> inodes = new HashSet<>();
      try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
        for (Path fd : (Iterable<Path>) fds::iterator) {
          try {
            String target = Files.readSymbolicLink(fd).toString();
            if (target.startsWith("socket:[")) {
              inodes.add(target.substring("socket:[".length(), target.length() - 1));
            }
          } catch (IOException closedMeanwhile) {
            // the descriptor went away while listing
          }
        }
      }
      Set<InetSocketAddress> listening = new HashSet<>();
      for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
        Path path = Path.of(table);
        if (!Files.isReadable(path)) {
          continue;
        }
        List<String> lines = new ArrayList<>(Files.readAllLines(path));
        for (String line : lines.subList(1, lines.size())) {
          String[] f = line.trim().split("\\s+");
          // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout
          // inode
          if (f.length > 9 && f[3].equals(LISTEN) && inodes.contains(f[9])) {
            listening.add(address(f[1]));
          }
        }
      }
      return listening;
    }

    /**
     * {@code HEX_ADDRESS:HEX_PORT}, the address as 32-bit words each in the kernel's little-endian
     * order.
     */
    private static InetSocketAddress address(String field) throws IOException {
      String[] parts = field.split(":");
      String hex = parts[0];
      byte[] bytes = new byte[hex.length() / 2];
      for (int word = 0; word < bytes.length / 4; word++) {
        for (int b = 0; b < 4; b++) {
          int at = (word * 4 + (3 - b)) * 2;
          bytes[word * 4 + b] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
        }
      }
      // An IPv4-mapped IPv6 address (::ffff:127.0.0.1) comes back as the IPv4 address.
      return new InetSocketAddress(InetAddress.getByAddress(bytes), Integer.parseInt(parts[1], 16));
    }
  }
}

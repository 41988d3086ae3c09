package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.jobs.config.LodestarOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

class LocalBindingTest {

  @Test
  void shouldBindALocallyRunJobToLoopbackWithoutWebSubmission() {
    StreamExecutionEnvironment env =
        PipelineEnvironment.create(
            PipelineEnvironment.streaming(LodestarOptions.fromArgs(new String[0])));

    assertLoopbackOnly(env.getConfiguration());
  }

  @Test
  void shouldBindTheBoundedJobToLoopbackToo() {
    StreamExecutionEnvironment env =
        PipelineEnvironment.create(
            PipelineEnvironment.bounded(LodestarOptions.fromArgs(new String[0])));

    assertLoopbackOnly(env.getConfiguration());
  }

  @Test
  void shouldKeepWhatTheConfigurationSetsExplicitly() {
    Configuration conf = new Configuration();
    conf.set(RestOptions.BIND_ADDRESS, "0.0.0.0");
    conf.set(WebOptions.SUBMIT_ENABLE, true);

    Configuration bound = LocalBinding.loopbackOnly(conf);

    assertThat(bound.get(RestOptions.BIND_ADDRESS)).isEqualTo("0.0.0.0");
    assertThat(bound.get(WebOptions.SUBMIT_ENABLE)).isTrue();
    assertThat(bound.get(JobManagerOptions.BIND_HOST)).isEqualTo("127.0.0.1");
    assertThat(conf.getOptional(JobManagerOptions.BIND_HOST))
        .as("the given configuration is not changed")
        .isEmpty();
  }

  @Test
  void shouldLeaveAJobSubmittedToAClusterToTheClustersConfiguration() {
    Configuration conf = new Configuration();
    StreamExecutionEnvironment remote =
        StreamExecutionEnvironment.createRemoteEnvironment("flink.example", 8081, conf);

    Configuration applied = LocalBinding.forEnvironment(remote, conf);

    assertThat(applied.getOptional(RestOptions.BIND_ADDRESS)).isEmpty();
    assertThat(applied.getOptional(JobManagerOptions.BIND_HOST)).isEmpty();
    assertThat(applied.getOptional(WebOptions.SUBMIT_ENABLE)).isEmpty();
  }

  private static void assertLoopbackOnly(ReadableConfig conf) {
    assertThat(conf.get(RestOptions.BIND_ADDRESS)).isEqualTo("127.0.0.1");
    assertThat(conf.get(RestOptions.ADDRESS)).isEqualTo("127.0.0.1");
    assertThat(conf.get(JobManagerOptions.BIND_HOST))
        .as("blob server and RPC")
        .isEqualTo("127.0.0.1");
    assertThat(conf.get(TaskManagerOptions.BIND_HOST)).isEqualTo("127.0.0.1");
    assertThat(conf.get(TaskManagerOptions.HOST)).isEqualTo("127.0.0.1");
    assertThat(conf.get(WebOptions.SUBMIT_ENABLE)).isFalse();
  }
}

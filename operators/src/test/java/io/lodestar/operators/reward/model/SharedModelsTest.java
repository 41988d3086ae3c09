package io.lodestar.operators.reward.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.operators.TestRecords;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SharedModelsTest {

  /** Stands in for a loaded model: counts how often it is created and closed. */
  static final class FakeModel implements AutoCloseable {
    final AtomicInteger closes = new AtomicInteger();

    @Override
    public void close() {
      closes.incrementAndGet();
    }
  }

  private final AtomicInteger loads = new AtomicInteger();
  private final List<FakeModel> created = new ArrayList<>();
  private final RefCounted<String, FakeModel> models =
      new RefCounted<>(
          key -> {
            loads.incrementAndGet();
            FakeModel model = new FakeModel();
            synchronized (created) {
              created.add(model);
            }
            return model;
          });

  @Test
  void holdersOfOneKeyShareOneModelAndTheLastReleaseClosesIt() throws Exception {
    RefCounted.Lease<FakeModel> first = models.acquire("m");
    RefCounted.Lease<FakeModel> second = models.acquire("m");
    assertThat(first.get()).isSameAs(second.get());
    assertThat(models.references("m")).isEqualTo(2);
    first.close();
    assertThat(second.get().closes).hasValue(0);
    second.close();
    assertThat(created.get(0).closes).hasValue(1);
    assertThat(models.references("m")).isZero();
    assertThat(models.loaded()).isZero();
  }

  @Test
  void differentKeysLoadDifferentModels() throws Exception {
    try (RefCounted.Lease<FakeModel> a = models.acquire("a");
        RefCounted.Lease<FakeModel> b = models.acquire("b")) {
      assertThat(a.get()).isNotSameAs(b.get());
      assertThat(models.loaded()).isEqualTo(2);
    }
    assertThat(models.loaded()).isZero();
  }

  @Test
  void releasingTwiceReleasesOnce() throws Exception {
    RefCounted.Lease<FakeModel> first = models.acquire("m");
    RefCounted.Lease<FakeModel> second = models.acquire("m");
    first.close();
    first.close();
    assertThat(models.references("m")).isEqualTo(1);
    assertThatThrownBy(first::get).isInstanceOf(IllegalStateException.class);
    second.close();
    assertThat(created.get(0).closes).hasValue(1);
  }

  @Test
  void aModelIsLoadedAgainAfterTheLastRelease() throws Exception {
    models.acquire("m").close();
    models.acquire("m").close();
    assertThat(loads).hasValue(2);
    assertThat(created).allSatisfy(m -> assertThat(m.closes).hasValue(1));
  }

  @Test
  void aFailedLoadLeavesNothingBehind() {
    RefCounted<String, FakeModel> failing =
        new RefCounted<>(
            key -> {
              throw new ModelLoadException("model folder /no/such has no model.onnx");
            });
    assertThatThrownBy(() -> failing.acquire("m")).hasMessageContaining("/no/such");
    assertThat(failing.loaded()).isZero();
  }

  @Test
  void concurrentSubtasksLoadOnceAndCloseOnceAfterAllRelease() throws Exception {
    int threads = 8;
    int rounds = 200;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    // One holder keeps the model loaded throughout, as a long-running subtask would.
    RefCounted.Lease<FakeModel> anchor = models.acquire("m");
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < rounds; i++) {
                  try (RefCounted.Lease<FakeModel> lease = models.acquire("m")) {
                    assertThat(lease.get()).isSameAs(anchor.get());
                    assertThat(lease.get().closes).hasValue(0);
                  }
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : futures) {
      f.get(30, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(loads).hasValue(1);
    assertThat(models.references("m")).isEqualTo(1);
    anchor.close();
    assertThat(created).singleElement().satisfies(m -> assertThat(m.closes).hasValue(1));
  }

  @Test
  void concurrentFirstAcquiresLoadOnce() throws Exception {
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<RefCounted.Lease<FakeModel>>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(
          pool.submit(
              () -> {
                start.await();
                return models.acquire("m");
              }));
    }
    start.countDown();
    List<RefCounted.Lease<FakeModel>> leases = new ArrayList<>();
    for (Future<RefCounted.Lease<FakeModel>> f : futures) {
      leases.add(f.get(30, TimeUnit.SECONDS));
    }
    pool.shutdown();
    assertThat(loads).hasValue(1);
    assertThat(models.references("m")).isEqualTo(threads);
    for (RefCounted.Lease<FakeModel> lease : leases) {
      lease.close();
    }
    assertThat(created.get(0).closes).hasValue(1);
  }

  @Test
  void theProcessWideRegistrySharesARealModelPerFolderAndDevice() throws Exception {
    Path folder = ClasspathModels.tinyRewardInTempDir();
    try (RefCounted.Lease<LoadedModel> a = SharedModels.acquire(folder, DeviceSpec.CPU);
        RefCounted.Lease<LoadedModel> b =
            SharedModels.acquire(
                folder.resolve("..").resolve(folder.getFileName()), DeviceSpec.CPU);
        RewardModel first =
            RewardModel.over(a.get(), ChatTemplate.ROLE_PREFIXED, Normalisation.NONE);
        RewardModel second =
            RewardModel.over(b.get(), ChatTemplate.ROLE_PREFIXED, Normalisation.NONE)) {
      assertThat(a.get()).isSameAs(b.get());
      assertThat(SharedModels.references(folder, DeviceSpec.CPU)).isEqualTo(2);
      List<RewardInput> input = List.of(new RewardInput(TestRecords.prompt(), "42"));
      assertThat(first.score(input)).containsExactly(second.score(input));
    }
    assertThat(SharedModels.references(folder, DeviceSpec.CPU)).isZero();
  }
}

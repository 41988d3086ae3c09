package io.lodestar.operators.health;

import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.RLBatch;
import java.io.Serializable;
import java.util.List;

/** What the gate needs to know of a record it may hold: its model, versions and event time. */
public interface GateSubject<T> extends Serializable {

  String modelId(T record);

  long minPolicyVersion(T record);

  long maxPolicyVersion(T record);

  long eventTimeMs(T record);

  /** RL batches: a batch spans the policy versions of its groups. */
  GateSubject<RLBatch> RL_BATCHES =
      new GateSubject<>() {
        @Override
        public String modelId(RLBatch batch) {
          return batch.getModelId();
        }

        @Override
        public long minPolicyVersion(RLBatch batch) {
          return batch.getMinPolicyVersion();
        }

        @Override
        public long maxPolicyVersion(RLBatch batch) {
          return batch.getMaxPolicyVersion();
        }

        @Override
        public long eventTimeMs(RLBatch batch) {
          return batch.getClosedAtMs();
        }
      };

  /** Preference pairs: model and versions from the provenance (first model; every version). */
  GateSubject<PreferencePair> PREFERENCE_PAIRS =
      new GateSubject<>() {
        @Override
        public String modelId(PreferencePair pair) {
          List<String> models = pair.getProvenance().getModelIds();
          return models.isEmpty() ? HealthEvents.UNKNOWN : models.get(0);
        }

        @Override
        public long minPolicyVersion(PreferencePair pair) {
          return pair.getProvenance().getPolicyVersions().stream()
              .mapToLong(Long::longValue)
              .min()
              .orElse(0);
        }

        @Override
        public long maxPolicyVersion(PreferencePair pair) {
          return pair.getProvenance().getPolicyVersions().stream()
              .mapToLong(Long::longValue)
              .max()
              .orElse(0);
        }

        @Override
        public long eventTimeMs(PreferencePair pair) {
          return pair.getCreatedAtMs();
        }
      };
}

"""A trainer for the learning loop: REINFORCE on a tabular policy with Lodestar's advantages.

The policy is a table, not a language model: per problem template, a softmax over the simulator's
answer strategies (``io.lodestar.testkit.traffic.TabularPolicy``; ``docs/learning-loop.md``). Each RL
batch is one optimiser step::

    logits[t] += lr / n * sum over samples i of template t:  A_i * (onehot(strategy_i) - softmax(logits[t]))

with ``A_i`` the advantage Lodestar computed (GRPO, staleness weights already applied), the strategy
read from the sample's ``policy.samplingParams["strategy"]`` and ``n`` the batch's sample count.

After the step it writes the new policy file ``<state-dir>/policy-v<N>.json`` (its checkpoint: the
logits and the ids of every batch it has stepped on), announces version N on the policy-update
topic with the file's URI as ``checkpointUri``, and only then acknowledges the batch. A trainer
killed anywhere in that sequence restarts from its newest file, announces it again, and gets every
unacknowledged batch again: one whose id its checkpoint already holds is acknowledged without a
second step, so every batch is stepped on once and acknowledged once.

Run as ``python3 -m examples.tabular_reinforce --help`` with ``clients/python`` on ``PYTHONPATH``.
It prints one JSON line per event on stdout (``started``, ``published``, ``step``, ``ack``,
``holding``, ``stopped``), which ``LearningLoop`` reads for its report.
"""

import argparse
import glob
import json
import math
import os
import re
import signal
import sys
import time

import numpy as np

from lodestar_client import PolicyUpdatePublisher, TrainerReader

STRATEGIES = ["right-method", "off-by-one", "unit-slip", "step-slip", "verbose-padding"]
_POLICY_FILE = re.compile(r"policy-v(\d+)\.json$")


def emit(event, **fields):
    fields["event"] = event
    sys.stdout.write(json.dumps(fields, sort_keys=True) + "\n")
    sys.stdout.flush()


class Policy:
    """Logits per template, the version they are, and the batches already stepped on."""

    def __init__(self, model_id, version, logits, applied, step):
        self.model_id = model_id
        self.version = version
        self.logits = logits
        self.applied = applied
        self.step = step

    @staticmethod
    def read(path):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        logits = {t: np.array([float(row.get(s, 0.0)) for s in STRATEGIES]) for t, row in data["logits"].items()}
        return Policy(data["modelId"], int(data["policyVersion"]), logits,
                      list(data.get("appliedBatchIds", [])), int(data.get("trainingStep", 0)))

    def write(self, state_dir):
        path = os.path.join(state_dir, "policy-v%d.json" % self.version)
        data = {
            "modelId": self.model_id,
            "policyVersion": self.version,
            "trainingStep": self.step,
            "logits": {t: {s: float(v) for s, v in zip(STRATEGIES, row)} for t, row in self.logits.items()},
            "appliedBatchIds": self.applied,
        }
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)  # a reader never sees half a file
        return path


def softmax(row):
    e = np.exp(row - row.max())
    return e / e.sum()


def reinforce_step(policy, batch, learning_rate):
    """Applies one policy-gradient step in place; returns (samples used, samples without a strategy)."""
    grads = {t: np.zeros(len(STRATEGIES)) for t in policy.logits}
    samples = sum(len(g["samples"]) for g in batch["groups"])
    unknown = 0
    for group in batch["groups"]:
        template = (group["task"].get("extra") or {}).get("template")
        if template not in policy.logits:
            unknown += len(group["samples"])
            continue
        probs = softmax(policy.logits[template])
        for sample in group["samples"]:
            strategy = (sample["policy"].get("samplingParams") or {}).get("strategy")
            if strategy not in STRATEGIES:
                unknown += 1
                continue
            advantage = float(sample["advantage"])
            if not math.isfinite(advantage):
                unknown += 1
                continue
            grad = -advantage * probs
            grad[STRATEGIES.index(strategy)] += advantage
            grads[template] += grad
    if samples:
        for template, grad in grads.items():
            policy.logits[template] = policy.logits[template] + learning_rate * grad / samples
    return samples, unknown


def newest_checkpoint(state_dir):
    best = None
    for path in glob.glob(os.path.join(state_dir, "policy-v*.json")):
        match = _POLICY_FILE.search(path)
        if match and (best is None or int(match.group(1)) > best[0]):
            best = (int(match.group(1)), path)
    return None if best is None else best[1]


def file_uri(path):
    return "file://" + os.path.abspath(path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--batches-topic", required=True)
    parser.add_argument("--policy-topic", required=True)
    parser.add_argument("--group-id", required=True)
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--initial-policy", required=True, help="policy file to start from when state-dir has none")
    parser.add_argument("--learning-rate", type=float, default=4.0)
    parser.add_argument("--hold-after", type=int, default=0,
                        help="after this many acknowledgements, step on the next batch, then hold it "
                             "unacknowledged until killed (0: never)")
    parser.add_argument("--stop-file", help="exit once this file exists and no batch is waiting")
    parser.add_argument("--session-timeout-ms", type=int, default=6000)
    args = parser.parse_args(argv)

    os.makedirs(args.state_dir, exist_ok=True)
    checkpoint = newest_checkpoint(args.state_dir)
    restored = checkpoint is not None
    policy = Policy.read(checkpoint if restored else args.initial_policy)
    if not restored:
        policy.applied, policy.step = [], 0
        checkpoint = policy.write(args.state_dir)
    applied = set(policy.applied)
    emit("started", policyVersion=policy.version, restored=restored, applied=len(applied))

    publisher = PolicyUpdatePublisher(args.policy_topic, bootstrap_servers=args.bootstrap, trainer_id=args.group_id)
    # Announced on every start: a trainer killed between writing a file and announcing it says so now.
    publisher.publish(policy.model_id, policy.version, training_step=policy.step, checkpoint_uri=file_uri(checkpoint))
    emit("published", policyVersion=policy.version)

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    reader = TrainerReader(args.batches_topic, group_id=args.group_id, bootstrap_servers=args.bootstrap,
                           config={"session.timeout.ms": args.session_timeout_ms,
                                   "heartbeat.interval.ms": min(1000, args.session_timeout_ms // 3)})
    acknowledged = 0
    try:
        while not stopping:
            delivery = reader.poll(0.5)
            if delivery is None:
                if args.stop_file and os.path.exists(args.stop_file):
                    break
                continue
            received_ms = int(time.time() * 1000)
            batch = delivery.value
            batch_id = batch["batchId"]
            stepped = batch_id not in applied
            if stepped:
                latencies = [received_ms - int(s["createdAtMs"]) for g in batch["groups"] for s in g["samples"]]
                samples, unknown = reinforce_step(policy, batch, args.learning_rate)
                policy.version += 1
                policy.step += 1
                policy.applied.append(batch_id)
                applied.add(batch_id)
                path = policy.write(args.state_dir)
                publisher.publish(policy.model_id, policy.version, training_step=policy.step,
                                  checkpoint_uri=file_uri(path))
                emit("step", batchId=batch_id, partition=delivery.partition, offset=delivery.offset,
                     batchPolicyVersion=batch["minPolicyVersion"], policyVersion=policy.version,
                     samples=samples, unknownStrategy=unknown, latencyMs=latencies)
            if args.hold_after and acknowledged == args.hold_after:
                emit("holding", batchId=batch_id, partition=delivery.partition, offset=delivery.offset)
                while True:
                    time.sleep(60)  # killed with SIGKILL here: stepped on, announced, never acknowledged
            committed = reader.ack(delivery)
            acknowledged += 1
            emit("ack", batchId=batch_id, partition=delivery.partition, offset=delivery.offset,
                 stepped=stepped, committed=committed)
    finally:
        reader.close()
        publisher.close()
    emit("stopped", acknowledged=acknowledged, policyVersion=policy.version)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A trainer that reads every batch, acknowledges some, reports what it did and waits to be killed.

Run by ``test_replay`` as ``python3 -m tests.killed_trainer GROUP``. Per partition it acknowledges
the first batch and the third, not the second (its optimiser step "failed") nor the fourth.
"""

import json
import sys
import time

from lodestar_client import TrainerReader

from tests import support

# A short session, so the group notices the killed member within seconds and hands its partitions on.
FAST_GROUP = {"session.timeout.ms": 6000, "heartbeat.interval.ms": 1000}


def main(group):
    replay = support.topics()["replay"]
    reader = TrainerReader(replay["topic"], group_id=group, bootstrap_servers=support.bootstrap(),
                           schemas=support.schemas(), config=FAST_GROUP)
    deliveries = support.drain(reader, len(replay["batches"]))
    by_partition = {}
    for d in deliveries:
        by_partition.setdefault(d.partition, []).append(d)
    report = {"delivered": [], "acked": {}}
    for partition, ds in sorted(by_partition.items()):
        report["delivered"] += [[d.value["batchId"], d.partition, d.offset] for d in ds]
        report["acked"][str(partition)] = [[ds[0].value["batchId"], reader.ack(ds[0])],
                                           [ds[2].value["batchId"], reader.ack(ds[2])]]
    print("REPORT " + json.dumps(report), flush=True)
    print("READY", flush=True)
    time.sleep(600)  # killed with SIGKILL long before this ends


if __name__ == "__main__":
    main(sys.argv[1])

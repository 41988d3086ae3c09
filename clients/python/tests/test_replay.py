"""A trainer killed with SIGKILL gets every batch it had not acknowledged again, and no other."""

import json
import os
import signal
import subprocess
import sys
import threading
import unittest

from lodestar_client import TrainerReader

from tests import support
from tests.killed_trainer import FAST_GROUP
from tests.test_reader import committed


class ReplayAfterKillTest(unittest.TestCase):
    def run_trainer_until_ready(self, group):
        env = dict(os.environ)
        child = subprocess.Popen([sys.executable, "-m", "tests.killed_trainer", group], stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, env=env, cwd=os.path.dirname(os.path.dirname(__file__)))
        self.addCleanup(lambda: child.poll() is None and child.kill())
        lines, ready = [], threading.Event()

        def read():
            for raw in child.stdout:
                line = raw.decode("utf-8", "replace").rstrip("\n")
                lines.append(line)
                if line == "READY":
                    ready.set()
            ready.set()

        threading.Thread(target=read, daemon=True).start()
        ready.wait(300)
        self.assertIn("READY", lines, "the trainer process did not get ready:\n" + "\n".join(lines))
        return child, lines

    def test_unacknowledged_batches_come_back_after_the_trainer_is_killed(self):
        replay = support.topics()["replay"]
        group = support.new_group("killed-trainer")
        child, lines = self.run_trainer_until_ready(group)
        report = json.loads(next(l for l in lines if l.startswith("REPORT "))[len("REPORT "):])

        os.kill(child.pid, signal.SIGKILL)
        self.assertEqual(child.wait(60), -signal.SIGKILL)

        delivered = {}
        for batch_id, partition, offset in report["delivered"]:
            delivered.setdefault(partition, []).append((batch_id, offset))
        self.assertEqual(sorted(b for ds in delivered.values() for b, _ in ds), sorted(replay["batches"]))
        for partition, ds in delivered.items():
            # The first acknowledgement commits; the third waits for the second, which never came.
            self.assertEqual(report["acked"][str(partition)], [[ds[0][0], True], [ds[2][0], False]])
        self.assertEqual(committed(group, replay["topic"], (0, 1)), [delivered[0][1][1], delivered[1][1][1]])

        # The same trainer, restarted: everything from the first unacknowledged batch of each
        # partition comes again, the acknowledged-but-uncommitted third batch included.
        reader = TrainerReader(replay["topic"], group_id=group, bootstrap_servers=support.bootstrap(),
                               schemas=support.schemas(), config=FAST_GROUP)
        self.addCleanup(reader.close)
        again = support.drain(reader, 6)
        by_partition = {}
        for d in again:
            by_partition.setdefault(d.partition, []).append((d.value["batchId"], d.offset))
        for partition, ds in delivered.items():
            self.assertEqual(by_partition[partition], ds[1:])

        for d in again:
            reader.ack(d)
        ends = [ds[-1][1] + 1 for _, ds in sorted(delivered.items())]
        self.assertEqual(committed(group, replay["topic"], (0, 1)), ends)


if __name__ == "__main__":
    unittest.main()

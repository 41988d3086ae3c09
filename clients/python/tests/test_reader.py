"""Reading from the broker: committed records of both formats, corrupt ones skipped, offsets on ack."""

import logging
import unittest

import confluent_kafka

from lodestar_client import TrainerReader, rows

from tests import support


def committed(group, topic, partitions=(0,)):
    """The group's committed offsets, asked as an outsider that does not join the group."""
    probe = confluent_kafka.Consumer({"bootstrap.servers": support.bootstrap(), "group.id": group})
    try:
        found = probe.committed([confluent_kafka.TopicPartition(topic, p) for p in partitions], timeout=30)
        return [tp.offset for tp in found]
    finally:
        probe.close()


class CommittedRecordsTest(unittest.TestCase):
    topic = None

    @classmethod
    def setUpClass(cls):
        cls.formats = support.topics()["formats"]

    def reader(self, group, **kwargs):
        reader = TrainerReader(self.formats["topic"], group_id=group, bootstrap_servers=support.bootstrap(),
                               schemas=support.schemas(), **kwargs)
        self.addCleanup(reader.close)
        return reader

    def test_committed_batches_of_both_formats_arrive_in_order_and_an_aborted_one_never(self):
        deliveries = support.drain(self.reader(support.new_group("formats")), 4)
        self.assertEqual([d.value["batchId"] for d in deliveries], self.formats["batches"])
        self.assertNotIn(self.formats["aborted"], [d.value["batchId"] for d in deliveries])
        self.assertEqual([d.wire_format for d in deliveries], self.formats["formats"])
        for delivery in deliveries:
            self.assertEqual(delivery.value, support.expected_batch(delivery.value["batchId"]))
            self.assertEqual(delivery.key, delivery.value["batchId"].encode())
            self.assertEqual(delivery.topic, self.formats["topic"])

    def test_corrupt_records_are_reported_skipped_and_counted_never_raised(self):
        reported = []
        reader = self.reader(support.new_group("corrupt"), on_corrupt=reported.append)
        with self.assertLogs("lodestar_client", logging.WARNING) as logs:
            deliveries = support.drain(reader, 4)
        self.assertEqual(reader.stats["corrupt"], 6)
        self.assertEqual(reader.stats["corrupt_by_kind"], self.formats["corrupt"])
        self.assertEqual(reader.stats["delivered"], 4)
        kinds = {}
        for record in reported:
            kinds[record.kind] = kinds.get(record.kind, 0) + 1
            # Every corrupt record sits between the second and the last batch.
            self.assertTrue(deliveries[1].offset < record.offset < deliveries[3].offset, record)
        self.assertEqual(kinds, self.formats["corrupt"])
        skipped = [line for line in logs.output if "does not decode" in line]
        self.assertEqual(len(skipped), 6)
        for record, line in zip(reported, skipped):
            self.assertIn("at offset %d" % record.offset, line)
        for line in logs.output:
            self.assertNotIn(self.formats["marker"], line, "a log line quotes a payload")

    def test_a_failing_corrupt_record_callback_does_not_reach_the_training_loop(self):
        def explode(record):
            raise RuntimeError("callback bug")

        reader = self.reader(support.new_group("callback"), on_corrupt=explode)
        with self.assertLogs("lodestar_client", logging.WARNING):
            deliveries = support.drain(reader, 4)
        self.assertEqual([d.value["batchId"] for d in deliveries], self.formats["batches"])
        self.assertEqual(reader.stats["corrupt"], 6)

    def test_offsets_are_committed_on_acknowledgement_only_and_pass_skipped_records(self):
        group = support.new_group("ack")
        topic = self.formats["topic"]
        reader = self.reader(group)
        with self.assertLogs("lodestar_client", logging.WARNING):
            b1, b2, b3, b4 = support.drain(reader, 4)
        self.assertEqual(committed(group, topic), [confluent_kafka.OFFSET_INVALID])
        self.assertEqual(reader.unacknowledged(), 4)

        # Out of order: b2 waits for b1.
        self.assertFalse(reader.ack(b2))
        self.assertEqual(committed(group, topic), [confluent_kafka.OFFSET_INVALID])
        # Between b2 and b3 lie only records a reader never sees (an aborted transaction, transaction
        # markers) and a skipped corrupt one, so the commit goes straight to b3.
        self.assertTrue(reader.ack(b1))
        self.assertEqual(committed(group, topic), [b3.offset])
        # The corrupt records after b3 were skipped, so acknowledging b3 commits up to b4.
        self.assertTrue(reader.ack(b3))
        self.assertEqual(committed(group, topic), [b4.offset])
        self.assertTrue(reader.ack(b4))
        self.assertEqual(committed(group, topic), [b4.offset + 1])
        self.assertEqual(reader.unacknowledged(), 0)
        self.assertEqual(reader.stats["acknowledged"], 4)
        # Acknowledging twice changes nothing.
        self.assertFalse(reader.ack(b4))

    def test_the_settings_acknowledgement_relies_on_cannot_be_changed(self):
        for key, value in (("enable.auto.commit", True), ("isolation.level", "read_uncommitted"),
                           ("enable.auto.offset.store", "true")):
            with self.assertRaisesRegex(ValueError, "config %s=" % key):
                TrainerReader("t", group_id="g", bootstrap_servers=support.bootstrap(), config={key: value},
                              schemas=support.schemas())
        with self.assertRaisesRegex(ValueError, "group_id is required"):
            TrainerReader("t", group_id="", bootstrap_servers=support.bootstrap(), schemas=support.schemas())


class PreferenceRecordsTest(unittest.TestCase):
    def test_pairs_and_unpaired_examples_of_both_formats_become_trainer_rows(self):
        topics = support.topics()["pairs"]
        pairs = TrainerReader(topics["pairs"], group_id=support.new_group("dpo"), record="PreferencePair",
                              bootstrap_servers=support.bootstrap(), schemas=support.schemas())
        self.addCleanup(pairs.close)
        got = support.drain(pairs, 2)
        self.assertEqual([d.value["pairId"] for d in got], topics["pair_ids"])
        self.assertEqual([d.wire_format for d in got], ["avro", "json"])
        java = [support.decoded("OpenRlhfPreference", line) for line in support.fixture_lines("rows/openrlhf.jsonl")]
        self.assertEqual([rows.openrlhf_row(d.value) for d in got], java)
        for delivery in got:
            pairs.ack(delivery)

        unpaired = TrainerReader(topics["unpaired"], group_id=support.new_group("kto"), record="UnpairedExample",
                                 bootstrap_servers=support.bootstrap(), schemas=support.schemas())
        self.addCleanup(unpaired.close)
        got = support.drain(unpaired, 2)
        self.assertEqual([d.value["exampleId"] for d in got], topics["example_ids"])
        java = [support.decoded("KtoExample", line) for line in support.fixture_lines("rows/kto.jsonl")]
        self.assertEqual([rows.kto_row(d.value) for d in got], java)


if __name__ == "__main__":
    unittest.main()

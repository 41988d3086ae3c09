"""Acknowledgement bookkeeping in the cases a real broker rarely shows on demand: rebalances, failed
commits, errors. A stand-in consumer takes the broker's place; everything else is the real reader."""

import logging
import unittest

import confluent_kafka

from lodestar_client import TrainerReader

from tests import support


class Message:
    def __init__(self, partition, offset, value, error=None):
        self._partition, self._offset, self._value, self._error = partition, offset, value, error

    def topic(self):
        return "batches"

    def partition(self):
        return self._partition

    def offset(self):
        return self._offset

    def value(self):
        return self._value

    def key(self):
        return b"k"

    def timestamp(self):
        return confluent_kafka.TIMESTAMP_CREATE_TIME, 1767225600000

    def error(self):
        return self._error


class StandInConsumer:
    def __init__(self, settings):
        self.settings = settings
        self.queue = []
        self.commits = []
        self.failing_commits = 0
        self.closed = False

    def subscribe(self, topics, on_assign, on_revoke, on_lost):
        self.topics, self.on_assign, self.on_revoke = topics, on_assign, on_revoke

    def assign(self, *partitions):
        self.on_assign(self, [confluent_kafka.TopicPartition("batches", p) for p in partitions])

    def revoke(self, *partitions):
        self.on_revoke(self, [confluent_kafka.TopicPartition("batches", p) for p in partitions])

    def poll(self, timeout):
        return self.queue.pop(0) if self.queue else None

    def commit(self, offsets, asynchronous):
        assert asynchronous is False
        if self.failing_commits:
            self.failing_commits -= 1
            raise confluent_kafka.KafkaException(confluent_kafka.KafkaError(confluent_kafka.KafkaError.REBALANCE_IN_PROGRESS))
        self.commits += [(tp.partition, tp.offset) for tp in offsets]

    def close(self):
        self.closed = True


class AcknowledgementTest(unittest.TestCase):
    def setUp(self):
        self.batch = support.fixture_bytes("known-batch.avro")
        self.reader = TrainerReader("batches", group_id="trainer-a", bootstrap_servers="unused:9092",
                                    schemas=support.schemas(), config={"security.protocol": "SSL"},
                                    consumer_factory=StandInConsumer)
        self.consumer = self.reader._consumer

    def deliver(self, partition, *offsets):
        self.consumer.queue += [Message(partition, o, self.batch) for o in offsets]
        return [self.reader.poll(0) for _ in offsets]

    def test_the_consumer_reads_committed_and_commits_only_on_acknowledgement(self):
        settings = self.consumer.settings
        self.assertEqual(settings["isolation.level"], "read_committed")
        self.assertEqual(settings["enable.auto.commit"], False)
        self.assertEqual(settings["enable.auto.offset.store"], False)
        self.assertEqual(settings["group.id"], "trainer-a")
        self.assertEqual(settings["auto.offset.reset"], "earliest")
        self.assertEqual(settings["max.poll.interval.ms"], 3600000)
        self.assertEqual(settings["security.protocol"], "SSL")
        self.assertEqual(self.consumer.topics, ["batches"])

    def test_partitions_are_committed_independently(self):
        self.consumer.assign(0, 1)
        a0, a1 = self.deliver(0, 10, 11)
        b0, = self.deliver(1, 40)
        self.assertTrue(self.reader.ack(b0))
        self.assertFalse(self.reader.ack(a1))
        self.assertTrue(self.reader.ack(a0))
        self.assertEqual(self.consumer.commits, [(1, 41), (0, 12)])

    def test_an_acknowledgement_after_the_partition_was_revoked_commits_nothing(self):
        self.consumer.assign(0)
        first, = self.deliver(0, 10)
        self.consumer.revoke(0)
        with self.assertLogs("lodestar_client", logging.WARNING) as logs:
            self.assertFalse(self.reader.ack(first))
        self.assertIn("reassigned", logs.output[0])
        # Assigned again: the record comes again from the committed offset, and that delivery counts.
        self.consumer.assign(0)
        again, = self.deliver(0, 10)
        with self.assertLogs("lodestar_client", logging.WARNING):
            self.assertFalse(self.reader.ack(first))
        self.assertTrue(self.reader.ack(again))
        self.assertEqual(self.consumer.commits, [(0, 11)])

    def test_a_failed_commit_is_retried_with_the_next_acknowledgement(self):
        self.consumer.assign(0)
        first, second = self.deliver(0, 10, 11)
        self.consumer.failing_commits = 1
        with self.assertLogs("lodestar_client", logging.WARNING) as logs:
            self.assertFalse(self.reader.ack(first))
        self.assertIn("commit of batches[0] up to offset 11 failed", logs.output[0])
        self.assertEqual(self.reader.unacknowledged(), 1)
        self.assertTrue(self.reader.ack(second))
        self.assertEqual(self.consumer.commits, [(0, 12)])

    def test_a_corrupt_record_at_the_head_is_committed_past_at_once(self):
        self.consumer.assign(0)
        self.consumer.queue += [Message(0, 5, b"\x00 not a record"), Message(0, 6, self.batch)]
        with self.assertLogs("lodestar_client", logging.WARNING):
            delivery = self.reader.poll(0)
        self.assertEqual(delivery.offset, 6)
        self.assertEqual(self.consumer.commits, [(0, 6)])
        self.assertEqual(self.reader.stats["corrupt_by_kind"], {"UNRECOGNIZED_ENCODING": 1})

    def test_broker_errors_are_logged_and_fatal_ones_raised(self):
        self.consumer.assign(0)
        transient = confluent_kafka.KafkaError(confluent_kafka.KafkaError._TRANSPORT)
        self.consumer.queue += [Message(0, -1, None, error=transient), Message(0, 3, self.batch)]
        with self.assertLogs("lodestar_client", logging.WARNING) as logs:
            self.assertIsNone(self.reader.poll(0))
        self.assertIn("trainer-a", logs.output[0])
        self.assertEqual(self.reader.poll(0).offset, 3)
        fatal = confluent_kafka.KafkaError(confluent_kafka.KafkaError._FENCED, fatal=True)
        self.consumer.queue.append(Message(0, -1, None, error=fatal))
        with self.assertRaises(confluent_kafka.KafkaException):
            self.reader.poll(0)

    def test_closing_leaves_the_group_without_committing(self):
        self.consumer.assign(0)
        self.deliver(0, 10)
        with self.reader:
            pass
        self.assertTrue(self.consumer.closed)
        self.assertEqual(self.consumer.commits, [])
        self.assertEqual(list(self.reader), [])


if __name__ == "__main__":
    unittest.main()

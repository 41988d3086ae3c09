"""Records from a producer newer than the client: an added field in the batch and in each sample, and
a new finish reason. JSON reads as it is; Avro once the client has the newer writer schema."""

import logging
import os
import unittest
from unittest import mock

from lodestar_client import SchemaLibrary, TrainerReader
from lodestar_client.codec import UNKNOWN_SCHEMA

from tests import support


class NewerWriterSchemaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.newer = support.topics()["newer"]

    def read_all_three(self, schemas, count):
        reported = []
        reader = TrainerReader(self.newer["topic"], group_id=support.new_group("newer"),
                               bootstrap_servers=support.bootstrap(), schemas=schemas, on_corrupt=reported.append)
        self.addCleanup(reader.close)
        return support.drain(reader, count), reported, reader

    def test_without_the_newer_schema_its_avro_records_are_skipped_as_unknown_and_json_still_reads(self):
        with self.assertLogs("lodestar_client", logging.WARNING) as logs:
            deliveries, reported, reader = self.read_all_three(support.schemas(), 2)
        self.assertEqual([d.wire_format for d in deliveries], ["json", "avro"])
        self.assertEqual(deliveries[0].value, support.expected_batch("newer-b1"))
        self.assertEqual(deliveries[1].value, support.expected_batch("newer-b2"))
        self.assertEqual([r.kind for r in reported], [UNKNOWN_SCHEMA])
        self.assertIn("0x" + self.newer["fingerprint"], reported[0].reason)
        self.assertEqual(reader.stats["corrupt_by_kind"], {UNKNOWN_SCHEMA: 1})
        self.assertTrue(any("0x" + self.newer["fingerprint"] in line for line in logs.output))

    def test_given_the_newer_schema_its_avro_records_read_in_the_clients_shape(self):
        schemas = SchemaLibrary(extra=[self.newer["schemas"]])
        deliveries, reported, reader = self.read_all_three(schemas, 3)
        self.assertEqual(reported, [])
        self.assertEqual([d.wire_format for d in deliveries], ["avro", "json", "avro"])
        first = deliveries[0].value
        # The added fields are dropped, the new symbol reads as FinishReason's default.
        self.assertNotIn("curriculumStage", first)
        self.assertNotIn("toolCalls", first["groups"][0]["samples"][0])
        self.assertEqual(first["groups"][0]["samples"][0]["finishReason"], "UNKNOWN")
        self.assertEqual(first, support.expected_batch("newer-b1"))
        self.assertEqual(deliveries[1].value, first)
        self.assertEqual(deliveries[2].value, support.expected_batch("newer-b2"))

    def test_the_newer_schema_can_come_from_the_environment(self):
        with mock.patch.dict(os.environ, {"LODESTAR_EXTRA_SCHEMAS": self.newer["schemas"]}):
            schemas = SchemaLibrary()
        self.assertEqual(schemas.writer_versions("RLBatch").get(int(self.newer["fingerprint"], 16)),
                         self.newer["schemas"])


if __name__ == "__main__":
    unittest.main()

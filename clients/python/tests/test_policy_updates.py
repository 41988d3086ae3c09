"""The client announces new weights; PythonClientITCase then reads them with the pipeline's codec."""

import unittest

from lodestar_client import JSON, PolicyUpdatePublisher, TrainerReader

from tests import support

CLOSED_AT_MS = 1767225600000


class PolicyUpdateTest(unittest.TestCase):
    def test_updates_are_published_in_both_formats_keyed_by_model(self):
        topic = support.topics()["policy_updates"]
        with PolicyUpdatePublisher(topic, bootstrap_servers=support.bootstrap(), schemas=support.schemas(),
                                   trainer_id="grpo-run-17") as avro:
            sent_avro = avro.publish("policy-7b", 6, training_step=120,
                                     checkpoint_uri="s3://checkpoints/grpo-run-17/step-120",
                                     published_at_ms=CLOSED_AT_MS + 1000)
        with PolicyUpdatePublisher(topic, bootstrap_servers=support.bootstrap(), schemas=support.schemas(),
                                   trainer_id="grpo-run-17", wire_format=JSON) as plain:
            sent_json = plain.publish("policy-7b", 7, training_step=140, published_at_ms=CLOSED_AT_MS + 2000)
        self.assertEqual(sent_avro, {"modelId": "policy-7b", "policyVersion": 6, "publishedAtMs": CLOSED_AT_MS + 1000,
                                     "trainerId": "grpo-run-17", "trainingStep": 120,
                                     "checkpointUri": "s3://checkpoints/grpo-run-17/step-120"})

        reader = TrainerReader(topic, group_id=support.new_group("policy"), record="PolicyUpdate",
                               bootstrap_servers=support.bootstrap(), schemas=support.schemas())
        self.addCleanup(reader.close)
        got = support.drain(reader, 2)
        self.assertEqual([d.value for d in got], [sent_avro, sent_json])
        self.assertEqual([d.key for d in got], [b"policy-7b", b"policy-7b"])
        self.assertEqual([d.wire_format for d in got], ["avro", "json"])

    def test_the_producer_stays_idempotent(self):
        with self.assertRaisesRegex(ValueError, "enable.idempotence"):
            PolicyUpdatePublisher("t", bootstrap_servers=support.bootstrap(), config={"enable.idempotence": False})


if __name__ == "__main__":
    unittest.main()

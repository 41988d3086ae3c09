"""Trainer rows equal, key for key, the rows the pipeline's Java exports write (docs/exports.md)."""

import unittest

from lodestar_client import rows

from tests import support


def java_rows(name, record):
    return [support.decoded(record, line) for line in support.fixture_lines("rows/%s.jsonl" % name)]


class TrainerRowsTest(unittest.TestCase):
    def assertSameRows(self, ours, java):
        self.assertEqual(len(ours), len(java))
        for mine, theirs in zip(ours, java):
            self.assertEqual(mine, theirs)
            self.assertEqual(list(mine), list(theirs), "column order")

    def test_rl_batch_rows_for_trl_and_verl(self):
        batch = support.decoded("RLBatch", support.fixture_bytes("known-batch.avro"))
        self.assertSameRows(rows.trl_rows(batch), java_rows("trl", "TrlSample"))
        self.assertSameRows(rows.verl_rows(batch), java_rows("verl", "VerlSample"))

    def test_preference_pair_rows_for_trl_openrlhf_and_openai(self):
        pairs = [support.decoded("PreferencePair", line) for line in support.fixture_lines("pairs.jsonl")]
        self.assertSameRows([rows.trl_preference_row(p) for p in pairs], java_rows("trl-preference", "TrlPreference"))
        self.assertSameRows([rows.trl_preference_text_row(p) for p in pairs],
                            java_rows("trl-preference-text", "TrlPreferenceText"))
        self.assertSameRows([rows.openrlhf_row(p) for p in pairs], java_rows("openrlhf", "OpenRlhfPreference"))
        self.assertSameRows([rows.openai_dpo_row(p) for p in pairs], java_rows("openai-dpo", "OpenAiDpoExample"))

    def test_unpaired_example_rows_for_kto(self):
        examples = [support.decoded("UnpairedExample", line) for line in support.fixture_lines("unpaired.jsonl")]
        self.assertSameRows([rows.kto_row(e) for e in examples], java_rows("kto", "KtoExample"))

    def test_training_keys_hold_only_the_conversation(self):
        pair = support.decoded("PreferencePair", support.fixture_lines("pairs.jsonl")[0])
        row = rows.openrlhf_row(pair)
        self.assertEqual(row["prompt"], [{"role": "system", "content": "Be brief."},
                                         {"role": "user", "content": "What is 6 * 7?"}])
        self.assertEqual(row["chosen"], [{"role": "assistant", "content": "42"}])
        self.assertEqual(row["rejected"], [{"role": "assistant", "content": "It is 40."}])
        self.assertEqual(rows.trl_preference_text_row(pair)["prompt"],
                         "system: Be brief.\n\nuser: What is 6 * 7?\n\nassistant: ")


if __name__ == "__main__":
    unittest.main()

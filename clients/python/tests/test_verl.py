"""verl's tensor layout of a batch whose every value is known (TrainerRecords.knownBatch on the Java side)."""

import copy
import importlib.util
import unittest

import numpy as np

from lodestar_client import MissingTokenIds, to_verl

from tests import support

TORCH = importlib.util.find_spec("torch") is not None
A = np.float32(0.7071)


def known_batch():
    return support.decoded("RLBatch", support.fixture_bytes("known-batch.avro"))


class VerlLayoutTest(unittest.TestCase):
    def test_the_known_batch_padded_to_its_longest_prompt_and_response(self):
        layout = to_verl(known_batch(), pad_token_id=0, as_torch=False)
        t = layout.tensors
        expected = {
            "prompts": [[11, 12, 13], [11, 12, 13], [0, 0, 31]],
            "responses": [[21, 22, 0, 0], [23, 24, 25, 26], [41, 0, 0, 0]],
            "input_ids": [[11, 12, 13, 21, 22, 0, 0], [11, 12, 13, 23, 24, 25, 26], [0, 0, 31, 41, 0, 0, 0]],
            "attention_mask": [[1, 1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 0, 0, 0]],
            "response_mask": [[1, 1, 0, 0], [1, 1, 1, 1], [1, 0, 0, 0]],
            "position_ids": [[0, 1, 2, 3, 4, 4, 4], [0, 1, 2, 3, 4, 5, 6], [0, 0, 0, 1, 1, 1, 1]],
        }
        for key, values in expected.items():
            self.assertEqual(t[key].dtype, np.int64, key)
            np.testing.assert_array_equal(t[key], np.array(values, dtype=np.int64), err_msg=key)
        floats = {
            "advantages": [[A, A, 0, 0], [-A, -A, -A, -A], [0, 0, 0, 0]],
            "returns": [[A, A, 0, 0], [-A, -A, -A, -A], [0, 0, 0, 0]],
            "token_level_scores": [[0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]],
            "token_level_rewards": [[0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]],
            "rollout_log_probs": [[-0.5, -0.25, 0, 0], [-1.5, -0.125, -2, -0.75], [-0.0625, 0, 0, 0]],
            "old_log_probs": [[-0.5, -0.25, 0, 0], [-1.5, -0.125, -2, -0.75], [-0.0625, 0, 0, 0]],
        }
        for key, values in floats.items():
            self.assertEqual(t[key].dtype, np.float32, key)
            np.testing.assert_array_equal(t[key], np.array(values, dtype=np.float32), err_msg=key)
        self.assertEqual(sorted(t), sorted(list(expected) + list(floats)))
        # The single-turn invariant verl relies on: the response part of the attention mask is the response mask.
        np.testing.assert_array_equal(t["attention_mask"][:, 3:], t["response_mask"])

        n = layout.non_tensors
        self.assertEqual(list(n["uid"]), ["grp-a", "grp-a", "grp-b"])
        self.assertEqual(list(n["generation_id"]), ["gen-a1", "gen-a2", "gen-b1"])
        self.assertEqual(list(n["data_source"]), ["gsm8k", "gsm8k", "chat-app"])
        self.assertEqual(list(n["ability"]), ["math", "math", "chat"])
        self.assertEqual(list(n["reward"]), [1.0, 0.0, None])
        self.assertEqual(list(n["scored"]), [True, True, False])
        self.assertEqual(list(n["finish_reason"]), ["STOP", "LENGTH", "STOP"])
        for values in n.values():
            self.assertEqual(values.dtype, object)
            self.assertEqual(len(values), 3)
        self.assertEqual(len(layout), 3)
        self.assertEqual(layout.meta_info["batch_id"], "policy-7b-known")
        self.assertEqual(layout.meta_info["trainer_policy_version"], 5)
        self.assertTrue(layout.meta_info["behaviour_log_probs"])

    def test_fixed_lengths_and_pad_token_as_verl_configures_them(self):
        t = to_verl(known_batch(), pad_token_id=99, prompt_length=5, response_length=6, as_torch=False).tensors
        self.assertEqual(t["input_ids"].shape, (3, 11))
        np.testing.assert_array_equal(t["prompts"][2], [99, 99, 99, 99, 31])
        np.testing.assert_array_equal(t["responses"][0], [21, 22, 99, 99, 99, 99])
        np.testing.assert_array_equal(t["position_ids"][2], [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1])
        np.testing.assert_array_equal(t["advantages"][1], [-A, -A, -A, -A, 0, 0])

    def test_a_sample_longer_than_a_fixed_length_is_refused_by_name(self):
        with self.assertRaisesRegex(ValueError, "gen-a2: response of 4 tokens exceeds response_length=3"):
            to_verl(known_batch(), response_length=3, as_torch=False)

    def test_samples_without_token_ids_cannot_be_laid_out(self):
        batch = known_batch()
        batch["groups"][1]["samples"][0]["responseTokenIds"] = None
        with self.assertRaisesRegex(MissingTokenIds, "1 sample.*gen-b1"):
            to_verl(batch, as_torch=False)
        batch = known_batch()
        batch["groups"][0]["promptTokenIds"] = None
        with self.assertRaisesRegex(MissingTokenIds, "2 sample.*gen-a1, gen-a2"):
            to_verl(batch, as_torch=False)

    def test_without_everyones_log_probs_there_are_no_behaviour_log_prob_tensors(self):
        batch = known_batch()
        batch["groups"][0]["samples"][1]["responseLogprobs"] = None
        layout = to_verl(batch, as_torch=False)
        self.assertNotIn("rollout_log_probs", layout.tensors)
        self.assertNotIn("old_log_probs", layout.tensors)
        self.assertFalse(layout.meta_info["behaviour_log_probs"])

    def test_log_probs_that_do_not_match_the_tokens_are_refused(self):
        batch = known_batch()
        batch["groups"][0]["samples"][0]["responseLogprobs"] = [-0.5]
        with self.assertRaisesRegex(ValueError, "gen-a1 has 1 log-probs for 2 response tokens"):
            to_verl(batch, as_torch=False)

    def test_the_batch_itself_is_left_unchanged(self):
        batch = known_batch()
        before = copy.deepcopy(batch)
        to_verl(batch, as_torch=False)
        self.assertEqual(batch, before)

    @unittest.skipUnless(TORCH, "torch is not importable")
    def test_torch_tensors_hold_the_same_values(self):
        import torch

        arrays = to_verl(known_batch(), as_torch=False).tensors
        tensors = to_verl(known_batch()).tensors
        for key, array in arrays.items():
            self.assertIsInstance(tensors[key], torch.Tensor, key)
            self.assertEqual(tensors[key].dtype, torch.int64 if array.dtype == np.int64 else torch.float32, key)
            np.testing.assert_array_equal(tensors[key].numpy(), array, err_msg=key)

    @unittest.skipIf(TORCH, "torch is importable, so the torch layout is tested instead")
    def test_asking_for_torch_without_torch_says_so(self):
        with self.assertRaisesRegex(ImportError, "torch"):
            to_verl(known_batch(), as_torch=True)
        self.assertIsInstance(to_verl(known_batch()).tensors["input_ids"], np.ndarray)


if __name__ == "__main__":
    unittest.main()

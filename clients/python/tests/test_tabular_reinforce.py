"""The learning loop's trainer step (examples/tabular_reinforce.py), without a broker."""

import json
import os
import tempfile
import unittest

import numpy as np

from examples import tabular_reinforce as trainer


def _policy(version=1):
    logits = {t: np.array([0.5, 1.0, 1.0, 2.0, 1.0]) for t in ("shopping", "savings")}
    return trainer.Policy("m", version, logits, [], 0)


def _sample(strategy, advantage):
    params = {"n": "4"} if strategy is None else {"n": "4", "strategy": strategy}
    return {"advantage": advantage, "policy": {"samplingParams": params}, "createdAtMs": 0}


def _batch(template, samples, batch_id="m-b1"):
    return {"batchId": batch_id, "minPolicyVersion": 1,
            "groups": [{"task": {"extra": {"template": template}}, "samples": samples}]}


class TabularReinforceTest(unittest.TestCase):

    def test_a_positive_advantage_raises_its_strategys_probability_and_only_in_its_template(self):
        policy = _policy()
        before = {t: trainer.softmax(row) for t, row in policy.logits.items()}
        batch = _batch("shopping", [_sample("right-method", 1.5), _sample("step-slip", -0.5),
                                    _sample("step-slip", -0.5), _sample("unit-slip", -0.5)])

        samples, unknown = trainer.reinforce_step(policy, batch, 4.0)

        self.assertEqual((samples, unknown), (4, 0))
        after = trainer.softmax(policy.logits["shopping"])
        self.assertGreater(after[0], before["shopping"][0])
        self.assertLess(after[3], before["shopping"][3])
        np.testing.assert_array_equal(trainer.softmax(policy.logits["savings"]), before["savings"])

    def test_the_step_is_the_reinforce_gradient_scaled_by_the_learning_rate_over_the_batch(self):
        policy = _policy()
        p = trainer.softmax(policy.logits["savings"].copy())
        start = policy.logits["savings"].copy()
        trainer.reinforce_step(policy, _batch("savings", [_sample("off-by-one", 2.0), _sample("right-method", 0.0)]), 0.5)
        onehot = np.array([0.0, 1.0, 0.0, 0.0, 0.0])
        np.testing.assert_allclose(policy.logits["savings"], start + 0.5 * 2.0 * (onehot - p) / 2)

    def test_samples_without_a_known_strategy_or_template_are_counted_and_do_not_move_the_policy(self):
        policy = _policy()
        start = {t: row.copy() for t, row in policy.logits.items()}
        batch = _batch("shopping", [_sample(None, 1.0), _sample("guess", 1.0)])
        batch["groups"].append({"task": {"extra": {"template": "unknown-template"}},
                                "samples": [_sample("right-method", 1.0)]})

        samples, unknown = trainer.reinforce_step(policy, batch, 4.0)

        self.assertEqual((samples, unknown), (3, 3))
        for template, row in start.items():
            np.testing.assert_array_equal(policy.logits[template], row)

    def test_the_checkpoint_is_the_newest_policy_file_with_the_batches_already_stepped_on(self):
        with tempfile.TemporaryDirectory() as state:
            self.assertIsNone(trainer.newest_checkpoint(state))
            policy = _policy()
            policy.write(state)
            policy.version, policy.step, policy.applied = 12, 11, ["m-b1", "m-b2"]
            policy.logits["savings"][0] = 3.25
            path = policy.write(state)
            policy.version = 2
            policy.write(state)  # an older version does not become the checkpoint

            self.assertEqual(trainer.newest_checkpoint(state), path)
            restored = trainer.Policy.read(path)
            self.assertEqual((restored.version, restored.step, restored.applied), (12, 11, ["m-b1", "m-b2"]))
            self.assertEqual(restored.logits["savings"][0], 3.25)
            with open(path, encoding="utf-8") as f:
                self.assertEqual(set(json.load(f)["logits"]["savings"]), set(trainer.STRATEGIES))
            self.assertFalse([n for n in os.listdir(state) if n.endswith(".tmp")])


if __name__ == "__main__":
    unittest.main()

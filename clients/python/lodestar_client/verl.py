"""An RL batch in the tensor layout verl's PPO/GRPO actor update consumes.

The layout follows verl 0.6 (checked against its source: the agent loop's ``_postprocess`` in
``verl/experimental/agent_loop/agent_loop.py``, ``compute_position_id_with_mask`` in
``verl/utils/model.py``, ``compute_grpo_outcome_advantage`` in ``verl/trainer/ppo/core_algos.py``
and the keys ``DataParallelPPOActor.update_policy`` selects). One row per sample, in the batch's
order (groups, then samples), B rows:

==================== ============ ======= ===================================================
key                  shape        dtype   content
==================== ============ ======= ===================================================
prompts              [B, P]       int64   prompt token ids, left-padded with ``pad_token_id``
responses            [B, R]       int64   response token ids, right-padded
input_ids            [B, P + R]   int64   ``prompts`` then ``responses``
attention_mask       [B, P + R]   int64   1 on every real token, 0 on padding
response_mask        [B, R]       int64   1 on every real response token
position_ids         [B, P + R]   int64   ``clip(cumsum(attention_mask) - 1, min=0)``
advantages           [B, R]       float32 the sample's advantage on each response token, 0 on padding
returns              [B, R]       float32 equal to ``advantages``, as verl's outcome estimators set it
token_level_scores   [B, R]       float32 the reward on the last response token (0 when unscored)
token_level_rewards  [B, R]       float32 equal to ``token_level_scores`` (no KL penalty applied)
rollout_log_probs    [B, R]       float32 behaviour log-probs, 0 on padding (when every sample has them)
old_log_probs        [B, R]       float32 the same behaviour log-probs (when every sample has them)
==================== ============ ======= ===================================================

P and R are the longest prompt and response of the batch unless ``prompt_length`` /
``response_length`` fix them (verl pads to ``rollout.prompt_length`` / ``response_length``).
``non_tensor_batch`` holds object arrays: ``uid`` (the group id: verl groups GRPO samples by it),
``generation_id``, ``prompt_id``, ``data_source``, ``ability``, ``reward`` (None when unscored),
``scored``, ``policy_version``, ``finish_reason``. ``meta_info`` holds the batch's id, model,
sequence and policy versions, and ``pad_token_id``.

Advantages come from Lodestar (its estimator and trainer-compatibility mode, see
``docs/advantages.md``); verl's own advantage step should be skipped for these batches. verl
normally recomputes ``old_log_probs`` with the actor before the update; Lodestar's samples come from
a behaviour policy that may be older than the actor, so ``old_log_probs`` holds the behaviour
log-probs for the importance ratio. Drop the key to have verl recompute it and keep
``rollout_log_probs`` for its rollout correction.

Numpy arrays, or torch tensors when torch is importable (``as_torch``).
"""

import numpy as np

__all__ = ["MissingTokenIds", "VerlBatch", "to_verl"]


class MissingTokenIds(ValueError):
    """The batch lacks token ids the layout needs; the producer must send them with each generation."""


class VerlBatch:
    """``tensors`` (verl's ``batch``), ``non_tensors`` (``non_tensor_batch``) and ``meta_info``."""

    def __init__(self, tensors, non_tensors, meta_info):
        self.tensors = tensors
        self.non_tensors = non_tensors
        self.meta_info = meta_info

    def __len__(self):
        return len(next(iter(self.non_tensors.values())))

    def to_dataproto(self):
        """A ``verl.DataProto`` (needs verl and the torch layout)."""
        from verl import DataProto  # only where verl is installed

        return DataProto.from_dict(tensors=self.tensors, non_tensors=self.non_tensors, meta_info=self.meta_info)


def _torch_or_none():
    try:
        import torch
    except ImportError:
        return None
    return torch


def to_verl(batch, pad_token_id=0, prompt_length=None, response_length=None, as_torch=None):
    """Lays out an RL batch (the dict a reader yields) as verl's actor update reads it.

    ``as_torch``: True for torch tensors (ImportError without torch), False for numpy arrays, None
    for torch when it is importable. Raises :class:`MissingTokenIds` when a sample (or its group's
    prompt) has no token ids, and ValueError when a sample is longer than a fixed length or its
    log-probs do not match its tokens.
    """
    torch = None
    if as_torch or as_torch is None:
        torch = _torch_or_none()
        if torch is None and as_torch:
            raise ImportError("as_torch=True needs torch, which is not importable")

    rows = []
    missing = []
    for group in batch["groups"]:
        prompt_ids = group.get("promptTokenIds")
        for sample in group["samples"]:
            response_ids = sample.get("responseTokenIds")
            if prompt_ids is None or response_ids is None:
                missing.append(sample["generationId"])
                continue
            logprobs = sample.get("responseLogprobs")
            if logprobs is not None and len(logprobs) != len(response_ids):
                raise ValueError(
                    "generation %s has %d log-probs for %d response tokens"
                    % (sample["generationId"], len(logprobs), len(response_ids))
                )
            rows.append((group, sample, prompt_ids, response_ids, logprobs))
    if missing:
        shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
        raise MissingTokenIds(
            "batch %s: %d sample(s) without prompt or response token ids (%s); the verl layout needs "
            "producers to send token ids with each generation" % (batch.get("batchId"), len(missing), shown)
        )

    size = len(rows)
    longest_prompt = max((len(r[2]) for r in rows), default=0)
    longest_response = max((len(r[3]) for r in rows), default=0)
    p_len = longest_prompt if prompt_length is None else prompt_length
    r_len = longest_response if response_length is None else response_length
    for group, sample, prompt_ids, response_ids, _ in rows:
        if len(prompt_ids) > p_len:
            raise ValueError("generation %s: prompt of %d tokens exceeds prompt_length=%d"
                             % (sample["generationId"], len(prompt_ids), p_len))
        if len(response_ids) > r_len:
            raise ValueError("generation %s: response of %d tokens exceeds response_length=%d"
                             % (sample["generationId"], len(response_ids), r_len))

    prompts = np.full((size, p_len), pad_token_id, dtype=np.int64)
    responses = np.full((size, r_len), pad_token_id, dtype=np.int64)
    prompt_mask = np.zeros((size, p_len), dtype=np.int64)
    response_mask = np.zeros((size, r_len), dtype=np.int64)
    advantages = np.zeros((size, r_len), dtype=np.float32)
    scores = np.zeros((size, r_len), dtype=np.float32)
    have_logprobs = size > 0 and all(r[4] is not None for r in rows)
    logprobs_out = np.zeros((size, r_len), dtype=np.float32) if have_logprobs else None

    uid, generation_id, prompt_id, data_source, ability = [], [], [], [], []
    reward, scored, policy_version, finish_reason = [], [], [], []
    for i, (group, sample, prompt_ids, response_ids, logprobs) in enumerate(rows):
        n_prompt, n_response = len(prompt_ids), len(response_ids)
        if n_prompt:
            prompts[i, p_len - n_prompt:] = prompt_ids
            prompt_mask[i, p_len - n_prompt:] = 1
        if n_response:
            responses[i, :n_response] = response_ids
            response_mask[i, :n_response] = 1
            advantages[i, :n_response] = sample["advantage"]
            if sample["scored"] and sample.get("reward") is not None:
                scores[i, n_response - 1] = sample["reward"]
            if have_logprobs:
                logprobs_out[i, :n_response] = logprobs
        task = group["task"]
        uid.append(group["groupId"])
        generation_id.append(sample["generationId"])
        prompt_id.append(group["promptId"])
        data_source.append(task["dataSource"])
        ability.append(task["kind"].lower())
        reward.append(sample.get("reward") if sample["scored"] else None)
        scored.append(bool(sample["scored"]))
        policy_version.append(sample["policy"]["policyVersion"])
        finish_reason.append(sample["finishReason"])

    attention_mask = np.concatenate([prompt_mask, response_mask], axis=1)
    position_ids = np.maximum(np.cumsum(attention_mask, axis=1) - 1, 0)
    tensors = {
        "prompts": prompts,
        "responses": responses,
        "input_ids": np.concatenate([prompts, responses], axis=1),
        "attention_mask": attention_mask,
        "response_mask": response_mask,
        "position_ids": position_ids,
        "advantages": advantages,
        "returns": advantages.copy(),
        "token_level_scores": scores,
        "token_level_rewards": scores.copy(),
    }
    if have_logprobs:
        tensors["rollout_log_probs"] = logprobs_out
        tensors["old_log_probs"] = logprobs_out.copy()
    if torch is not None:
        tensors = {k: torch.from_numpy(v) for k, v in tensors.items()}

    def objects(values):
        array = np.empty(len(values), dtype=object)
        array[:] = values
        return array

    non_tensors = {
        "uid": objects(uid),
        "generation_id": objects(generation_id),
        "prompt_id": objects(prompt_id),
        "data_source": objects(data_source),
        "ability": objects(ability),
        "reward": objects(reward),
        "scored": objects(scored),
        "policy_version": objects(policy_version),
        "finish_reason": objects(finish_reason),
    }
    meta_info = {
        "batch_id": batch.get("batchId"),
        "model_id": batch.get("modelId"),
        "batch_sequence": batch.get("sequence"),
        "min_policy_version": batch.get("minPolicyVersion"),
        "max_policy_version": batch.get("maxPolicyVersion"),
        "trainer_policy_version": batch.get("trainerPolicyVersion"),
        "pad_token_id": pad_token_id,
        "behaviour_log_probs": have_logprobs,
    }
    return VerlBatch(tensors, non_tensors, meta_info)

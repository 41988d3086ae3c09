"""Records as the rows of ``docs/exports.md``: what the trainer-file exports write, one dict per row.

Each function gives exactly the row the pipeline's JSON Lines export holds for the same record
(keys in the same order, a missing value None), so a trainer can read Kafka or the files alike:

* RL batches: :func:`trl_rows` (TRL conversational prompt-completion, ``TrlSample``) and
  :func:`verl_rows` (verl's RL dataset columns, ``VerlSample``), one row per sample;
* preference pairs: :func:`trl_preference_row`, :func:`trl_preference_text_row`,
  :func:`openrlhf_row`, :func:`openai_dpo_row`;
* unpaired examples: :func:`kto_row`.

Training keys hold only the conversation; provenance is in the extra snake_case columns.
"""

__all__ = [
    "kto_row",
    "openai_dpo_row",
    "openrlhf_row",
    "prompt_text",
    "trl_preference_row",
    "trl_preference_text_row",
    "trl_rows",
    "verl_rows",
]

_ASSISTANT = "assistant"


def _messages(prompt):
    return [{"role": m["role"], "content": m["content"]} for m in prompt]


def _reply(text):
    return [{"role": _ASSISTANT, "content": text}]


def _list(values):
    return None if values is None else list(values)


def trl_rows(batch):
    """TRL rows (``TrlSample``) of an RL batch, in the batch's order."""
    rows = []
    for group in batch["groups"]:
        task = group["task"]
        for sample in group["samples"]:
            rows.append({
                "prompt": _messages(group["prompt"]),
                "completion": _reply(sample["response"]),
                "reward": sample["reward"] if sample["scored"] else None,
                "advantage": sample["advantage"],
                "scored": sample["scored"],
                "ground_truth": task["groundTruth"],
                "data_source": task["dataSource"],
                "policy_version": sample["policy"]["policyVersion"],
                "completion_ids": _list(sample["responseTokenIds"]),
                "old_per_token_logps": _list(sample["responseLogprobs"]),
                "batch_id": batch["batchId"],
                "group_id": group["groupId"],
                "generation_id": sample["generationId"],
            })
    return rows


def verl_rows(batch):
    """verl RL dataset rows (``VerlSample``) of an RL batch, in the batch's order."""
    rows = []
    index = 0
    for group in batch["groups"]:
        task = group["task"]
        ground_truth = task["groundTruth"]
        for sample in group["samples"]:
            rows.append({
                "data_source": task["dataSource"],
                "prompt": _messages(group["prompt"]),
                "ability": task["kind"].lower(),
                "reward_model": {"style": "model" if ground_truth is None else "rule", "ground_truth": ground_truth},
                "extra_info": {
                    "split": "train",
                    "index": index,
                    "batch_id": batch["batchId"],
                    "batch_sequence": batch["sequence"],
                    "group_id": group["groupId"],
                    "prompt_id": group["promptId"],
                    "generation_id": sample["generationId"],
                    "model_id": sample["policy"]["modelId"],
                    "estimator": group["estimator"],
                    "compat": group["estimatorParams"].get("compat"),
                    "completion": group["completion"],
                    "finish_reason": sample["finishReason"],
                    "created_at_ms": sample["createdAtMs"],
                },
                "response": sample["response"],
                "reward": sample["reward"] if sample["scored"] else None,
                "scored": sample["scored"],
                "advantage": sample["advantage"],
                "policy_version": sample["policy"]["policyVersion"],
                "prompt_token_ids": _list(group["promptTokenIds"]),
                "response_token_ids": _list(sample["responseTokenIds"]),
                "response_logprobs": _list(sample["responseLogprobs"]),
            })
            index += 1
    return rows


def _pair_metadata(pair, margin_key):
    provenance = pair["provenance"]
    return {
        "pair_id": pair["pairId"],
        "prompt_id": pair["promptId"],
        "source": pair["source"],
        "confidence": pair["confidence"],
        margin_key: pair["margin"],
        "chosen_generation_id": pair["chosenGenerationId"],
        "rejected_generation_id": pair["rejectedGenerationId"],
        "generation_ids": list(provenance["generationIds"]),
        "feedback_ids": list(provenance["feedbackIds"]),
        "model_ids": list(provenance["modelIds"]),
        "policy_versions": list(provenance["policyVersions"]),
        "pipeline_version": provenance["pipelineVersion"],
        "created_at_ms": pair["createdAtMs"],
    }


def trl_preference_row(pair):
    """TRL conversational preference row (``TrlPreference``) for ``DPOTrainer`` and ``RewardTrainer``."""
    row = {"prompt": _messages(pair["prompt"]), "chosen": _reply(pair["chosen"]), "rejected": _reply(pair["rejected"])}
    row.update(_pair_metadata(pair, "pair_margin"))
    return row


def prompt_text(prompt):
    """A prompt as plain text: a lone user message as it is, else ``role: content`` blocks and a cue."""
    if len(prompt) == 1 and prompt[0]["role"] == "user":
        return prompt[0]["content"]
    return "".join("%s: %s\n\n" % (m["role"], m["content"]) for m in prompt) + _ASSISTANT + ": "


def trl_preference_text_row(pair):
    """TRL standard (plain text) preference row (``TrlPreferenceText``)."""
    row = {"prompt": prompt_text(pair["prompt"]), "chosen": pair["chosen"], "rejected": pair["rejected"]}
    row.update(_pair_metadata(pair, "pair_margin"))
    return row


def openrlhf_row(pair):
    """OpenRLHF preference row (``OpenRlhfPreference``) for ``train_rm`` / ``train_dpo``."""
    row = {
        "prompt": _messages(pair["prompt"]),
        "chosen": _reply(pair["chosen"]),
        "rejected": _reply(pair["rejected"]),
        "margin": pair["margin"],
    }
    metadata = _pair_metadata(pair, "margin")
    del metadata["margin"]
    row.update(metadata)
    return row


def openai_dpo_row(pair):
    """OpenAI-style preference fine-tuning row (``OpenAiDpoExample``), provenance under ``metadata``."""
    return {
        "input": {"messages": _messages(pair["prompt"])},
        "preferred_output": _reply(pair["chosen"]),
        "non_preferred_output": _reply(pair["rejected"]),
        "metadata": _pair_metadata(pair, "margin"),
    }


def kto_row(example):
    """TRL conversational unpaired preference row (``KtoExample``) for ``KTOTrainer``."""
    provenance = example["provenance"]
    return {
        "prompt": _messages(example["prompt"]),
        "completion": _reply(example["completion"]),
        "label": example["label"],
        "example_id": example["exampleId"],
        "prompt_id": example["promptId"],
        "source": example["source"],
        "confidence": example["confidence"],
        "generation_id": example["generationId"],
        "generation_ids": list(provenance["generationIds"]),
        "feedback_ids": list(provenance["feedbackIds"]),
        "model_ids": list(provenance["modelIds"]),
        "policy_versions": list(provenance["policyVersions"]),
        "pipeline_version": provenance["pipelineVersion"],
        "created_at_ms": example["createdAtMs"],
    }

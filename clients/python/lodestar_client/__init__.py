"""Lodestar's trainer-side client: read RL batches and preference data from Kafka, announce new weights.

Typical use (see ``clients/python/README.md``)::

    from lodestar_client import TrainerReader, PolicyUpdatePublisher, to_verl

    reader = TrainerReader("lodestar.batches", group_id="grpo-run-17", bootstrap_servers="broker:9092")
    for delivery in reader:
        layout = to_verl(delivery.value, pad_token_id=tokenizer.pad_token_id)
        ...  # the optimiser step
        reader.ack(delivery)  # only now is the batch's offset committed
"""

from .codec import AVRO, JSON, Decoded, RecordCodec
from .kafka import CorruptRecord, Delivery, PolicyUpdatePublisher, PublishError, TrainerReader
from .rows import (
    kto_row,
    openai_dpo_row,
    openrlhf_row,
    trl_preference_row,
    trl_preference_text_row,
    trl_rows,
    verl_rows,
)
from .schemas import SchemaLibrary, SchemaSourceError
from .verl import MissingTokenIds, VerlBatch, to_verl

__all__ = [
    "AVRO",
    "JSON",
    "CorruptRecord",
    "Decoded",
    "Delivery",
    "MissingTokenIds",
    "PolicyUpdatePublisher",
    "PublishError",
    "RecordCodec",
    "SchemaLibrary",
    "SchemaSourceError",
    "TrainerReader",
    "VerlBatch",
    "kto_row",
    "openai_dpo_row",
    "openrlhf_row",
    "to_verl",
    "trl_preference_row",
    "trl_preference_text_row",
    "trl_rows",
    "verl_rows",
]

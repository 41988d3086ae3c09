"""Reading Lodestar's outputs from Kafka, and announcing new policy weights.

:class:`TrainerReader` reads one record type (RL batches, preference pairs, unpaired examples) with
``isolation.level=read_committed``, so a record of a transaction the pipeline aborted is never
seen. Offsets are committed only when the trainer acknowledges a record (:meth:`TrainerReader.ack`),
after its optimiser step: a trainer that crashes, or is killed, gets every unacknowledged record
again from the same consumer group. Each trainer uses its own consumer group.

A record that cannot be decoded is reported (a warning on the ``lodestar_client`` logger and the
``on_corrupt`` callback), counted (:attr:`TrainerReader.stats`) and skipped; it never reaches the
training loop and never holds the committed offset back.

:class:`PolicyUpdatePublisher` writes a ``PolicyUpdate`` to ``topics.policy-updates`` with an
idempotent producer, keyed by model id, and returns once the broker has it.
"""

import logging
import time

import confluent_kafka

from .codec import AVRO, JSON, RecordCodec
from .schemas import SchemaLibrary

__all__ = [
    "CorruptRecord",
    "Delivery",
    "PolicyUpdatePublisher",
    "PublishError",
    "TrainerReader",
]

log = logging.getLogger("lodestar_client")

# Settings the acknowledgement guarantee depends on; a caller may not change them.
_FIXED_CONSUMER_SETTINGS = {
    "isolation.level": "read_committed",
    "enable.auto.commit": False,
    "enable.auto.offset.store": False,
}


class Delivery:
    """One decoded record: ``value`` (a dict in the record's current schema) and where it came from."""

    __slots__ = ("value", "topic", "partition", "offset", "key", "timestamp_ms", "wire_format", "_epoch")

    def __init__(self, value, topic, partition, offset, key, timestamp_ms, wire_format, epoch):
        self.value = value
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.timestamp_ms = timestamp_ms
        self.wire_format = wire_format
        self._epoch = epoch

    def __repr__(self):
        return "Delivery(%s[%d]@%d)" % (self.topic, self.partition, self.offset)


class CorruptRecord:
    """A record that could not be decoded: where it is, the error kind and reason, never its bytes."""

    __slots__ = ("topic", "partition", "offset", "kind", "reason", "size")

    def __init__(self, topic, partition, offset, kind, reason, size):
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.kind = kind
        self.reason = reason
        self.size = size

    def __repr__(self):
        return "CorruptRecord(%s[%d]@%d %s: %s)" % (self.topic, self.partition, self.offset, self.kind, self.reason)


class TrainerReader:
    """Reads Lodestar records for a trainer; commits only what the trainer acknowledged.

    ``topics``: a topic name or a list (``lodestar.batches`` for RL batches). ``group_id``: this
    trainer's consumer group; give each trainer (each training run that must see every batch) its
    own. ``record``: the record type on the topics, ``RLBatch``, ``PreferencePair`` or
    ``UnpairedExample``. ``config``: further librdkafka settings (security, ``auto.offset.reset``,
    which defaults to ``earliest``, ``max.poll.interval.ms``, which defaults to an hour: longer
    than any optimiser step between two polls); the settings acknowledgement relies on cannot be
    changed. Not thread-safe: read and acknowledge from one thread.
    ``on_corrupt``: called with a :class:`CorruptRecord` for each record that does not decode.
    """

    def __init__(
        self,
        topics,
        group_id,
        record="RLBatch",
        bootstrap_servers=None,
        config=None,
        schemas=None,
        on_corrupt=None,
        max_bytes=None,
        consumer_factory=confluent_kafka.Consumer,
    ):
        if not group_id:
            raise ValueError("group_id is required: each trainer reads with its own consumer group")
        # An optimiser step between two polls can take minutes; librdkafka's default of 5 minutes
        # would take the partitions away mid-step and have the batch read again.
        settings = {"auto.offset.reset": "earliest", "max.poll.interval.ms": 3600000}
        for key, value in (config or {}).items():
            if key in _FIXED_CONSUMER_SETTINGS and _setting(value) != _setting(_FIXED_CONSUMER_SETTINGS[key]):
                raise ValueError(
                    "config %s=%r is not allowed: the reader needs %s=%s (offsets are committed only "
                    "on acknowledgement, and only committed transactions are read)"
                    % (key, value, key, _setting(_FIXED_CONSUMER_SETTINGS[key]))
                )
            settings[key] = value
        if bootstrap_servers is not None:
            settings["bootstrap.servers"] = bootstrap_servers
        if "bootstrap.servers" not in settings:
            raise ValueError("bootstrap_servers (or config['bootstrap.servers']) is required")
        settings["group.id"] = group_id
        settings.update(_FIXED_CONSUMER_SETTINGS)

        self.topics = [topics] if isinstance(topics, str) else list(topics)
        self.group_id = group_id
        self.schemas = schemas if schemas is not None else SchemaLibrary()
        codec_args = {} if max_bytes is None else {"max_bytes": max_bytes}
        self.codec = RecordCodec(self.schemas, record, **codec_args)
        self.on_corrupt = on_corrupt
        self.stats = {"delivered": 0, "acknowledged": 0, "committed": 0, "corrupt": 0, "corrupt_by_kind": {}}

        # (topic, partition) -> {offset: acknowledged}, in delivery order, for the current assignment.
        self._pending = {}
        self._epoch = {}
        self._closed = False
        self._consumer = consumer_factory(settings)
        self._consumer.subscribe(self.topics, on_assign=self._assigned, on_revoke=self._revoked, on_lost=self._revoked)

    # ------------------------------------------------------------------ reading

    def poll(self, timeout=1.0):
        """The next decoded record, or None when none arrived within ``timeout`` seconds.

        Records that do not decode are reported, counted and skipped here; they are never returned.
        """
        deadline = time.monotonic() + timeout
        while not self._closed:
            remaining = max(0.0, deadline - time.monotonic())
            message = self._consumer.poll(remaining)
            if message is None:
                return None
            error = message.error()
            if error is not None:
                if error.fatal():
                    raise confluent_kafka.KafkaException(error)
                if error.code() != confluent_kafka.KafkaError._PARTITION_EOF:
                    log.warning("kafka reports %s for group %s", error, self.group_id)
                if time.monotonic() >= deadline:
                    return None
                continue
            delivery = self._decode(message)
            if delivery is not None:
                return delivery
            # A corrupt record was passed over: go on with whatever the consumer already holds.
        return None

    def __iter__(self):
        """Yields records until :meth:`close`; waits as long as it takes for the next one."""
        while not self._closed:
            delivery = self.poll(1.0)
            if delivery is not None:
                yield delivery

    def _decode(self, message):
        tp = (message.topic(), message.partition())
        offset = message.offset()
        pending = self._pending.setdefault(tp, {})
        payload = message.value()
        decoded = self.codec.decode(payload)
        if not decoded.ok:
            self._report(CorruptRecord(tp[0], tp[1], offset, decoded.kind, decoded.reason, len(payload or b"")))
            # Skipped is as good as acknowledged: a bad record must not hold the offset back.
            pending[offset] = True
            self._commit_ready(tp)
            return None
        pending[offset] = False
        self.stats["delivered"] += 1
        key = message.key()
        _, timestamp = message.timestamp()
        return Delivery(decoded.value, tp[0], tp[1], offset, key, timestamp, decoded.wire_format, self._epoch.get(tp, 0))

    def _report(self, corrupt):
        self.stats["corrupt"] += 1
        by_kind = self.stats["corrupt_by_kind"]
        by_kind[corrupt.kind] = by_kind.get(corrupt.kind, 0) + 1
        log.warning(
            "record of %s[%d] at offset %d does not decode as %s, passed over: %s: %s",
            corrupt.topic, corrupt.partition, corrupt.offset, self.codec.full_name, corrupt.kind, corrupt.reason,
        )
        if self.on_corrupt is not None:
            try:
                self.on_corrupt(corrupt)
            except Exception:  # the callback's own failure must not reach the training loop either
                log.exception("the on_corrupt callback failed for %s[%d] at offset %d",
                              corrupt.topic, corrupt.partition, corrupt.offset)

    # ------------------------------------------------------------------ acknowledgement

    def ack(self, delivery):
        """Acknowledges ``delivery`` (call it after the optimiser step that used it).

        Commits, synchronously, the offset after the last record of its partition that was delivered
        and acknowledged with every record before it; records acknowledged out of order are committed
        once the gap before them is closed. Returns True when the committed offset moved, False when
        nothing could be committed yet or the commit failed (it is retried with the next
        acknowledgement; until then the record would be delivered again after a crash). A record of a
        partition this reader no longer owns (after a rebalance) is not committed.
        """
        tp = (delivery.topic, delivery.partition)
        pending = self._pending.get(tp)
        if pending is None or self._epoch.get(tp, 0) != delivery._epoch or delivery.offset not in pending:
            log.warning(
                "acknowledgement of %s[%d] at offset %d ignored: the partition was reassigned since",
                delivery.topic, delivery.partition, delivery.offset,
            )
            return False
        if not pending[delivery.offset]:
            pending[delivery.offset] = True
            self.stats["acknowledged"] += 1
        return self._commit_ready(tp)

    def _commit_ready(self, tp):
        pending = self._pending[tp]
        done = None
        for offset, acknowledged in pending.items():
            if not acknowledged:
                break
            done = offset
        if done is None:
            return False
        try:
            self._consumer.commit(
                offsets=[confluent_kafka.TopicPartition(tp[0], tp[1], done + 1)], asynchronous=False
            )
        except confluent_kafka.KafkaException as e:
            log.warning("commit of %s[%d] up to offset %d failed, retried with the next acknowledgement: %s",
                        tp[0], tp[1], done + 1, e)
            return False
        while pending:
            first = next(iter(pending))
            if first > done:
                break
            del pending[first]
        self.stats["committed"] += 1
        return True

    def unacknowledged(self):
        """How many delivered records of the current assignment wait for an acknowledgement."""
        return sum(1 for p in self._pending.values() for acked in p.values() if not acked)

    # ------------------------------------------------------------------ rebalancing

    def _assigned(self, consumer, partitions):
        for p in partitions:
            tp = (p.topic, p.partition)
            self._epoch[tp] = self._epoch.get(tp, 0) + 1
            self._pending[tp] = {}

    def _revoked(self, consumer, partitions):
        # Acknowledged progress is already committed; what is still pending is read again by the
        # partition's next owner.
        for p in partitions:
            tp = (p.topic, p.partition)
            self._epoch[tp] = self._epoch.get(tp, 0) + 1
            self._pending.pop(tp, None)

    def close(self):
        """Leaves the group. Unacknowledged records are delivered again to the group's next reader."""
        if not self._closed:
            self._closed = True
            self._consumer.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _setting(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip().lower()


class PublishError(RuntimeError):
    """The broker did not take a PolicyUpdate."""


class PolicyUpdatePublisher:
    """Announces a trainer's new policy version on ``topics.policy-updates``.

    Call :meth:`publish` once the trainer has loaded the new weights. Records are keyed by model id
    and written by an idempotent producer (``acks=all``), so a retried send is never duplicated.
    ``wire_format``: ``"avro"`` (single-object encoding) or ``"json"``; the pipeline reads both.
    """

    def __init__(
        self,
        topic,
        bootstrap_servers=None,
        config=None,
        schemas=None,
        wire_format=AVRO,
        trainer_id=None,
        producer_factory=confluent_kafka.Producer,
    ):
        if wire_format not in (AVRO, JSON):
            raise ValueError("wire_format must be %r or %r, was %r" % (AVRO, JSON, wire_format))
        settings = dict(config or {})
        if bootstrap_servers is not None:
            settings["bootstrap.servers"] = bootstrap_servers
        if "bootstrap.servers" not in settings:
            raise ValueError("bootstrap_servers (or config['bootstrap.servers']) is required")
        if _setting(settings.get("enable.idempotence", True)) != "true":
            raise ValueError("config enable.idempotence=%r is not allowed: updates are sent idempotently"
                             % (settings["enable.idempotence"],))
        settings["enable.idempotence"] = True
        settings["acks"] = "all"
        self.topic = topic
        self.wire_format = wire_format
        self.trainer_id = trainer_id
        self.codec = RecordCodec(schemas if schemas is not None else SchemaLibrary(), "PolicyUpdate")
        self._producer = producer_factory(settings)

    def publish(self, model_id, policy_version, training_step=None, checkpoint_uri=None,
                published_at_ms=None, timeout=30.0):
        """Sends one PolicyUpdate and waits until the broker has it; returns the record as a dict.

        ``published_at_ms`` (default: now) is the update's event time: the pipeline counts the new
        version for groups that close at or after it. Raises :class:`PublishError` when the broker
        does not take it within ``timeout`` seconds.
        """
        update = {
            "modelId": model_id,
            "policyVersion": int(policy_version),
            "publishedAtMs": int(time.time() * 1000) if published_at_ms is None else int(published_at_ms),
            "trainerId": self.trainer_id,
            "trainingStep": None if training_step is None else int(training_step),
            "checkpointUri": checkpoint_uri,
        }
        payload = self.codec.encode(update, self.wire_format)
        outcome = []

        def delivered(error, message):
            outcome.append(error)

        self._producer.produce(self.topic, payload, key=model_id.encode("utf-8"), on_delivery=delivered)
        deadline = time.monotonic() + timeout
        while not outcome and time.monotonic() < deadline:
            self._producer.poll(min(0.1, max(0.0, deadline - time.monotonic())))
        if not outcome:
            raise PublishError("PolicyUpdate for %s version %d not acknowledged by the broker within %.1f s"
                               % (model_id, update["policyVersion"], timeout))
        if outcome[0] is not None:
            raise PublishError("PolicyUpdate for %s version %d was refused: %s"
                               % (model_id, update["policyVersion"], outcome[0]))
        return update

    def close(self, timeout=30.0):
        self._producer.flush(timeout)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

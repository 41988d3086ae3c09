"""What the tests share: the fixtures and broker the integration test hands over, and small helpers."""

import json
import os
import time
import uuid

from lodestar_client import RecordCodec, SchemaLibrary

_SCHEMAS = None


def _env(name):
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(
            "%s is not set: these tests run from PythonClientITCase (./mvnw verify), which starts the "
            "broker and writes the fixtures" % name
        )
    return value


def bootstrap():
    return _env("LODESTAR_TEST_BOOTSTRAP")


def fixture_path(name):
    return os.path.join(_env("LODESTAR_TEST_FIXTURES"), name)


def fixture_bytes(name):
    with open(fixture_path(name), "rb") as f:
        return f.read()


def fixture_lines(name):
    with open(fixture_path(name), "rb") as f:
        return [line for line in f.read().split(b"\n") if line.strip()]


def topics():
    with open(fixture_path("topics.json"), encoding="utf-8") as f:
        return json.load(f)


def schemas():
    global _SCHEMAS
    if _SCHEMAS is None:
        _SCHEMAS = SchemaLibrary()
    return _SCHEMAS


def decoded(record, data):
    """``data`` decoded as ``record`` by the client's codec; fails the test when it does not decode."""
    result = RecordCodec(schemas(), record).decode(data)
    if not result.ok:
        raise AssertionError("fixture does not decode as %s: %s: %s" % (record, result.kind, result.reason))
    return result.value


def expected_batch(batch_id):
    return decoded("RLBatch", fixture_bytes("expected/%s.json" % batch_id))


def new_group(prefix):
    """A consumer group of its own: each trainer, and each test, reads with its own group."""
    return "%s-%s" % (prefix, uuid.uuid4().hex[:12])


def drain(reader, count, timeout=120.0):
    """The next ``count`` deliveries of ``reader``; fails when fewer arrive within ``timeout`` seconds."""
    deliveries = []
    deadline = time.monotonic() + timeout
    while len(deliveries) < count and time.monotonic() < deadline:
        delivery = reader.poll(0.5)
        if delivery is not None:
            deliveries.append(delivery)
    if len(deliveries) < count:
        raise AssertionError("%d of %d records arrived within %.0f s: %r" % (len(deliveries), count, timeout, deliveries))
    return deliveries

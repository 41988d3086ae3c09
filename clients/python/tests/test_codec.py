"""Both wire formats, as Lodestar's Java codec writes them, and every way a message can be unreadable."""

import json
import math
import random
import unittest

import avro.schema

from lodestar_client import AVRO, JSON, RecordCodec
from lodestar_client.codec import _write_long
from lodestar_client.codec import EMPTY, MALFORMED, OVERSIZED, UNKNOWN_SCHEMA, UNRECOGNIZED_ENCODING
from lodestar_client.schemas import canonical_form, fingerprint64

from tests import support


class BothWireFormatsTest(unittest.TestCase):
    def setUp(self):
        self.batches = RecordCodec(support.schemas(), "RLBatch")

    def test_a_batch_decodes_to_the_same_dict_from_avro_and_from_json(self):
        for name in ("known-batch", "large-batch"):
            avro = self.batches.decode(support.fixture_bytes(name + ".avro"))
            plain = self.batches.decode(support.fixture_bytes(name + ".json"))
            self.assertTrue(avro.ok, avro)
            self.assertTrue(plain.ok, plain)
            self.assertEqual((avro.wire_format, plain.wire_format), (AVRO, JSON))
            self.assertEqual(avro.value, plain.value)
            self.assertEqual(list(avro.value), [f.name for f in support.schemas().reader("RLBatch").fields])

    def test_pairs_and_unpaired_examples_decode_alike_from_both_formats(self):
        for record, name in (("PreferencePair", "pair"), ("UnpairedExample", "unpaired")):
            codec = RecordCodec(support.schemas(), record)
            avro = codec.decode(support.fixture_bytes(name + ".avro"))
            plain = codec.decode(support.fixture_bytes(name + ".json"))
            self.assertTrue(avro.ok and plain.ok, (avro, plain))
            self.assertEqual(avro.value, plain.value)

    def test_decoded_values_are_plain_python(self):
        batch = self.batches.decode(support.fixture_bytes("known-batch.avro")).value
        sample = batch["groups"][0]["samples"][0]
        self.assertEqual(batch["batchId"], "policy-7b-known")
        self.assertEqual(batch["trainerPolicyVersion"], 5)
        self.assertEqual(sample["responseTokenIds"], [21, 22])
        self.assertEqual(sample["responseLogprobs"], [-0.5, -0.25])
        self.assertEqual(sample["finishReason"], "STOP")
        self.assertEqual(batch["groups"][0]["task"]["kind"], "MATH")
        self.assertEqual(batch["groups"][0]["estimatorParams"], {"compat": "verl", "eps": "1e-6"})
        self.assertIsNone(batch["groups"][1]["samples"][0]["reward"])

    def test_fingerprints_are_those_of_the_java_build(self):
        with open(support.fixture_path("fingerprints.json"), encoding="utf-8") as f:
            java = json.load(f)
        library = support.schemas()
        for name, fingerprint in java["current"].items():
            self.assertEqual("%016X" % fingerprint64(library.reader(name)), fingerprint, name)
        for version, names in java.items():
            if version == "current":
                continue
            for name, fingerprint in names.items():
                self.assertIn(int(fingerprint, 16), library.writer_versions(name), "%s of %s" % (name, version))

    def test_a_primitive_with_extra_attributes_has_the_canonical_form_of_the_bare_primitive(self):
        # The Java build's own schema text carries {"type": "string", "avro.java.string": "String"}.
        plain = avro.schema.parse('{"type": "record", "name": "r.R", "fields": [{"name": "s", "type": "string"}]}')
        marked = avro.schema.parse('{"type": "record", "name": "r.R", "fields": [{"name": "s", "type": '
                                   '{"type": "string", "avro.java.string": "String"}}]}')
        self.assertEqual(canonical_form(marked), '{"name":"r.R","type":"record","fields":[{"name":"s","type":"string"}]}')
        self.assertEqual(fingerprint64(marked), fingerprint64(plain))

    def test_encoding_gives_the_bytes_the_java_codec_writes(self):
        for record, name in (("RLBatch", "known-batch"), ("RLBatch", "large-batch"), ("PolicyUpdate", "policy-update"),
                             ("PreferencePair", "pair"), ("UnpairedExample", "unpaired")):
            codec = RecordCodec(support.schemas(), record)
            java = support.fixture_bytes(name + ".avro")
            value = codec.decode(java).value
            self.assertEqual(codec.encode(value, AVRO), java, name)
            self.assertEqual(codec.decode(codec.encode(value, JSON)).value, value, name)

    def test_integer_arrays_of_every_length_and_range_round_trip(self):
        # Short arrays are read item by item, long ones all at once: both must agree with the encoding.
        batch = self.batches.decode(support.fixture_bytes("known-batch.avro")).value
        sample = batch["groups"][0]["samples"][0]
        extremes = [0, 1, -1, 63, -64, 64, 2**31 - 1, -(2**31), 8191, -8192, 150000]
        pair_codec = RecordCodec(support.schemas(), "PreferencePair")
        pair = pair_codec.decode(support.fixture_bytes("pair.avro")).value
        for length in (0, 1, 47, 48, 49, 500):
            ids = [extremes[i % len(extremes)] for i in range(length)]
            sample["responseTokenIds"] = ids
            sample["responseLogprobs"] = [-0.5] * length
            again = self.batches.decode(self.batches.encode(batch, AVRO)).value
            self.assertEqual(again["groups"][0]["samples"][0]["responseTokenIds"], ids, length)
            versions = [2**63 - 1, -(2**63), 0, 5] * (length // 4 + 1)
            pair["provenance"]["policyVersions"] = versions
            self.assertEqual(pair_codec.decode(pair_codec.encode(pair, AVRO)).value["provenance"]["policyVersions"],
                             versions)

    def test_json_may_leave_out_fields_with_defaults_and_carry_unknown_ones(self):
        codec = RecordCodec(support.schemas(), "PolicyUpdate")
        result = codec.decode(b'{"modelId": "m", "policyVersion": 3, "publishedAtMs": 1, "addedLater": [1, 2]}')
        self.assertTrue(result.ok, result)
        self.assertEqual(result.value, {"modelId": "m", "policyVersion": 3, "publishedAtMs": 1, "trainerId": None,
                                        "trainingStep": None, "checkpointUri": None})

    def test_json_reads_an_unknown_enum_symbol_as_the_enums_default(self):
        value = json.loads(support.fixture_bytes("known-batch.json"))
        value["groups"][0]["samples"][0]["finishReason"] = "CONTENT_FILTER"
        result = self.batches.decode(json.dumps(value).encode())
        self.assertTrue(result.ok, result)
        self.assertEqual(result.value["groups"][0]["samples"][0]["finishReason"], "UNKNOWN")

    def test_json_non_finite_doubles_are_strings_and_floats_are_float32(self):
        value = json.loads(support.fixture_bytes("known-batch.json"))
        sample = value["groups"][0]["samples"][0]
        sample["reward"] = "NaN"
        sample["advantage"] = "-Infinity"
        sample["responseLogprobs"] = [0.1, -1e-3]
        result = self.batches.decode(json.dumps(value).encode())
        self.assertTrue(result.ok, result)
        decoded = result.value["groups"][0]["samples"][0]
        self.assertTrue(math.isnan(decoded["reward"]))
        self.assertEqual(decoded["advantage"], -math.inf)
        self.assertEqual(decoded["responseLogprobs"], [0.10000000149011612, -0.0010000000474974513])
        again = self.batches.decode(self.batches.encode(result.value, AVRO)).value["groups"][0]["samples"][0]
        self.assertEqual(again["responseLogprobs"], decoded["responseLogprobs"])


class UnreadableMessagesTest(unittest.TestCase):
    """Every failure is a result with a kind and a reason; decode never raises."""

    def setUp(self):
        self.batches = RecordCodec(support.schemas(), "RLBatch")
        self.avro = support.fixture_bytes("known-batch.avro")
        self.json = support.fixture_bytes("known-batch.json")

    def failure(self, data, codec=None):
        result = (codec or self.batches).decode(data)
        self.assertFalse(result.ok, "decoded although it should not: %r" % (data and data[:40],))
        self.assertNotIn("MARKER", result.reason)
        return result

    def test_no_bytes(self):
        for data in (None, b""):
            self.assertEqual(self.failure(data).kind, EMPTY)

    def test_a_message_over_the_limit_is_not_parsed(self):
        small = RecordCodec(support.schemas(), "RLBatch", max_bytes=len(self.avro) - 1)
        result = self.failure(self.avro, small)
        self.assertEqual(result.kind, OVERSIZED)
        self.assertEqual(result.reason, "message of %d bytes exceeds the limit of %d bytes" % (len(self.avro), len(self.avro) - 1))

    def test_neither_avro_nor_json(self):
        result = self.failure(b"MARKER plain text")
        self.assertEqual(result.kind, UNRECOGNIZED_ENCODING)
        self.assertIn("first byte is 0x4D", result.reason)
        self.assertIn("Confluent Schema Registry", self.failure(b"\x00\x00\x00\x00\x07abc").reason)

    def test_an_unknown_fingerprint_names_it(self):
        data = bytearray(self.avro)
        data[2:10] = (0x0123456789ABCDEF).to_bytes(8, "little")
        result = self.failure(bytes(data))
        self.assertEqual(result.kind, UNKNOWN_SCHEMA)
        self.assertIn("0x0123456789ABCDEF", result.reason)
        self.assertIn("io.lodestar.schema.RLBatch", result.reason)

    def test_a_record_of_another_type_is_an_unknown_schema(self):
        self.assertEqual(self.failure(support.fixture_bytes("pair.avro")).kind, UNKNOWN_SCHEMA)

    def test_cut_short_or_followed_by_more_bytes(self):
        self.assertIn("header is cut short", self.failure(self.avro[:6]).reason)
        truncated = self.failure(self.avro[:-3])
        self.assertEqual(truncated.kind, MALFORMED)
        self.assertIn("truncated", truncated.reason)
        self.assertEqual(self.failure(self.avro + b"\x00").reason, "1 bytes left over after the end of the Avro record")

    def test_a_length_or_count_larger_than_the_message_is_refused_before_anything_is_allocated(self):
        header = self.avro[:10]
        huge = b"\xfe\xff\xff\xff\xff\xff\xff\x7f"  # zig-zag varint of a very large positive number
        self.assertIn("runs past the end", self.failure(header + huge + b"abc").reason)

    def test_invalid_json(self):
        cases = {
            b'{"batchId": ': "not valid JSON at line 1",
            b'{"a": 1, "a": 2}': "same key twice",
            b'{"batchId": NaN}': "not a JSON value",
            b'{} {}': "not valid JSON",
            b'{"x": "\xff\xfe"}': "not valid JSON",
        }
        for data, reason in cases.items():
            result = self.failure(data)
            self.assertEqual(result.kind, MALFORMED, data)
            self.assertIn(reason, result.reason, data)

    def test_json_that_does_not_fit_the_schema_names_the_path(self):
        def broken(change):
            value = json.loads(self.json)
            change(value)
            return json.dumps(value).encode()

        cases = [
            (lambda v: v["groups"][0]["samples"][1].pop("generationId"),
             "groups[0].samples[1].generationId: required field is missing"),
            (lambda v: v.__setitem__("sequence", 3.0),
             "sequence: expected an integer for long, found a number with a fraction or exponent"),
            (lambda v: v.__setitem__("sampleCount", 2**31), "sampleCount: integer out of range for int"),
            (lambda v: v.__setitem__("batchId", None), "batchId: expected a string for string, found null"),
            (lambda v: v.__setitem__("sequence", True), "sequence: expected an integer for long, found a boolean"),
            (lambda v: v["groups"][0]["estimatorParams"].__setitem__("MARKER", 1),
             "groups[0].estimatorParams[*]: expected a string for string, found a number"),
            (lambda v: v["groups"][0]["samples"][0].__setitem__("reward", "lots"),
             'expected a number or one of "NaN", "Infinity", "-Infinity" for double'),
            (lambda v: v["groups"][0]["samples"][0]["responseLogprobs"].__setitem__(0, 1e39),
             "number out of range for float"),
        ]
        for change, reason in cases:
            result = self.failure(broken(change))
            self.assertEqual(result.kind, MALFORMED)
            self.assertIn(reason, result.reason)

    def test_an_int_array_item_beyond_32_bits_is_malformed(self):
        batch = self.batches.decode(self.avro).value
        for length in (3, 100):
            batch["groups"][0]["samples"][0]["responseTokenIds"] = [5] * length
            data = self.batches.encode(batch, AVRO)
            # The same record with its first id made too large for an int.
            body = bytearray(data)
            count = bytearray()
            _write_long(length, count)
            marker = bytes(count) + bytes([10]) * length  # block count, then the zig-zag 5s
            at = bytes(body).index(marker) + len(count)
            body[at:at + 1] = b"\x80\x80\x80\x80\x80\x01"  # 2**35 as a zig-zag varint
            result = self.failure(bytes(body))
            self.assertEqual(result.reason, "invalid int encoding")

    def test_nesting_too_deep_for_the_parser_is_malformed(self):
        self.assertEqual(self.failure(b'{"a":' + b"[" * 200000 + b"]" * 200000 + b"}").kind, MALFORMED)

    def test_no_mutation_of_a_real_message_makes_decode_raise(self):
        rng = random.Random(20240601)
        large = support.fixture_bytes("large-batch.avro")
        for source, rounds in ((self.avro, 3000), (self.json, 3000), (large, 300)):
            for _ in range(rounds):
                data = bytearray(source)
                for _ in range(rng.randint(1, 4)):
                    action = rng.random()
                    at = rng.randrange(0 if source is self.json else 2, len(data))
                    if action < 0.5:
                        data[at] = rng.randrange(256)
                    elif action < 0.75:
                        del data[at:at + rng.randint(1, 8)]
                    else:
                        data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
                result = self.batches.decode(bytes(data))  # must not raise
                self.assertTrue(result.ok or result.kind in (MALFORMED, UNKNOWN_SCHEMA, UNRECOGNIZED_ENCODING))


if __name__ == "__main__":
    unittest.main()

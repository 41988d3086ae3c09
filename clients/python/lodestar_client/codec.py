"""Lodestar's two wire formats, read and written the way the Java side does.

* Avro single-object encoding: ``C3 01``, the 8-byte little-endian CRC-64-AVRO fingerprint of the
  writer schema, then the Avro binary body. The writer schema is found by fingerprint in the
  :class:`~lodestar_client.schemas.SchemaLibrary` and resolved to the client's current schema.
* Plain JSON: one JSON object in the shape of the schema, without Avro's union wrappers. A missing
  field takes its default, unknown fields are ignored, an unknown enum symbol reads as the enum's
  default, ``long``/``int`` values must be written as integers, NaN and the infinities are the
  strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"``, bytes are base64.

Both give the same plain Python values: records and maps are dicts, arrays lists, enums strings,
bytes ``bytes``, and an Avro ``float`` is the float32 value as a Python float (also when read from
JSON), so a record decodes to equal dicts whichever format carried it.

:meth:`RecordCodec.decode` never raises for any input: a message that cannot be read is a
:class:`Decoded` with ``ok`` False, an error kind (the Java side's names: ``EMPTY``, ``OVERSIZED``,
``UNRECOGNIZED_ENCODING``, ``UNKNOWN_SCHEMA``, ``MALFORMED``) and a reason that never quotes the
payload.
"""

import base64
import binascii
import copy
import json
import math
import struct

import numpy as np

__all__ = [
    "AVRO",
    "JSON",
    "Decoded",
    "RecordCodec",
    "EMPTY",
    "OVERSIZED",
    "UNRECOGNIZED_ENCODING",
    "UNKNOWN_SCHEMA",
    "MALFORMED",
]

AVRO = "avro"
JSON = "json"

EMPTY = "EMPTY"
OVERSIZED = "OVERSIZED"
UNRECOGNIZED_ENCODING = "UNRECOGNIZED_ENCODING"
UNKNOWN_SCHEMA = "UNKNOWN_SCHEMA"
MALFORMED = "MALFORMED"

DEFAULT_MAX_BYTES = 8 * 1024 * 1024
_MAX_REASON = 300
_AVRO_PREFIX = 10
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1
_F32 = struct.Struct("<f")
_F64 = struct.Struct("<d")


class Decoded:
    """One decoded message: ``value`` when ``ok``, else ``kind`` and ``reason``."""

    __slots__ = ("ok", "value", "kind", "reason", "wire_format", "fingerprint")

    def __init__(self, ok, value=None, kind=None, reason=None, wire_format=None, fingerprint=None):
        self.ok = ok
        self.value = value
        self.kind = kind
        self.reason = reason
        self.wire_format = wire_format
        self.fingerprint = fingerprint

    def __repr__(self):
        if self.ok:
            return "Decoded(ok, %s)" % self.wire_format
        return "Decoded(%s: %s)" % (self.kind, self.reason)


class _Bad(Exception):
    """Content that does not fit; ``path`` is filled in on the way out (JSON only)."""

    def __init__(self, problem, path=()):
        super().__init__(problem)
        self.problem = problem
        self.path = list(path)

    def where(self):
        text = ""
        for part in reversed(self.path):
            if isinstance(part, int):
                text += "[%d]" % part
            elif part is None:
                text += "[*]"
            else:
                text += ("." if text else "") + part
        return text + ": " + self.problem if text else self.problem


class _Incompatible(Exception):
    """A writer schema the reader schema cannot read."""


class RecordCodec:
    """Encodes and decodes one Lodestar record type, e.g. ``RecordCodec(schemas, "RLBatch")``.

    Not thread-safe only in the sense that its caches grow on first use; decoding itself keeps no
    state between messages.
    """

    def __init__(self, schemas, record, max_bytes=DEFAULT_MAX_BYTES):
        if max_bytes <= 0:
            raise ValueError("max_bytes must be positive, was %r" % (max_bytes,))
        self.schemas = schemas
        self.full_name = schemas.full_name(record)
        self.schema = schemas.reader(self.full_name)
        self.max_bytes = max_bytes
        self._resolved = {}  # fingerprint -> reader function, or the reason it cannot resolve
        self._json_reader = _JsonReaders().compile(self.schema)
        self._avro_writer = _AvroWriters().compile(self.schema)
        from .schemas import fingerprint64

        self._header = b"\xc3\x01" + fingerprint64(self.schema).to_bytes(8, "little")

    # ------------------------------------------------------------------ decode

    def decode(self, data):
        """Decodes one message; never raises for any input, None and empty included."""
        if not data:
            return Decoded(False, kind=EMPTY, reason="message has no bytes")
        if len(data) > self.max_bytes:
            return Decoded(
                False,
                kind=OVERSIZED,
                reason="message of %d bytes exceeds the limit of %d bytes" % (len(data), self.max_bytes),
            )
        try:
            data = bytes(data)
            if data[0] == 0xC3 and len(data) > 1 and data[1] == 0x01:
                return self._decode_avro(data)
            if data.lstrip(b" \t\r\n")[:1] == b"{":
                return self._decode_json(data)
            hint = " (Confluent Schema Registry framing?)" if data[0] == 0 else ""
            return Decoded(
                False,
                kind=UNRECOGNIZED_ENCODING,
                reason="neither Avro single-object encoding (C3 01) nor a JSON object; "
                "first byte is 0x%02X%s" % (data[0], hint),
            )
        except RecursionError:
            return Decoded(False, kind=MALFORMED, reason="message is nested too deeply to decode")
        except MemoryError:
            raise
        except Exception as e:  # decoding must never fail the caller
            return Decoded(False, kind=MALFORMED, reason=_short("%s: %s" % (type(e).__name__, e)))

    def _decode_avro(self, data):
        if len(data) < _AVRO_PREFIX:
            return Decoded(
                False,
                kind=MALFORMED,
                reason="Avro single-object header is cut short: %d of %d bytes" % (len(data), _AVRO_PREFIX),
            )
        fingerprint = int.from_bytes(data[2:10], "little")
        reader = self._resolved.get(fingerprint)
        if reader is None:
            reader = self._resolve(fingerprint)
        if isinstance(reader, Decoded):
            return reader
        try:
            value, end = reader(data, _AVRO_PREFIX)
        except _Bad as e:
            return Decoded(False, kind=MALFORMED, reason=_short(e.problem), fingerprint=fingerprint)
        except (IndexError, struct.error):
            return Decoded(
                False, kind=MALFORMED, reason="message ends before the record does (truncated?)", fingerprint=fingerprint
            )
        if end != len(data):
            return Decoded(
                False,
                kind=MALFORMED,
                reason="%d bytes left over after the end of the Avro record" % (len(data) - end),
                fingerprint=fingerprint,
            )
        return Decoded(True, value=value, wire_format=AVRO, fingerprint=fingerprint)

    def _resolve(self, fingerprint):
        writer = self.schemas.writer(self.full_name, fingerprint)
        if writer is None:
            failure = Decoded(
                False,
                kind=UNKNOWN_SCHEMA,
                reason="no known version of %s has writer schema fingerprint 0x%016X"
                % (self.full_name, fingerprint),
                fingerprint=fingerprint,
            )
            # Not cached: the library is fixed, but an unbounded number of made-up fingerprints
            # must not grow the cache.
            return failure
        try:
            reader = _AvroReaders().compile(writer, self.schema)
        except _Incompatible as e:
            reader = Decoded(
                False,
                kind=MALFORMED,
                reason=_short("writer schema 0x%016X of %s cannot be read as the current one: %s"
                              % (fingerprint, self.full_name, e)),
                fingerprint=fingerprint,
            )
        self._resolved[fingerprint] = reader
        return reader

    def _decode_json(self, data):
        try:
            tree = json.loads(data, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
        except json.JSONDecodeError as e:
            return Decoded(False, kind=MALFORMED, reason="not valid JSON at line %d, column %d" % (e.lineno, e.colno))
        except _Bad as e:
            return Decoded(False, kind=MALFORMED, reason=e.where())
        except UnicodeDecodeError:
            return Decoded(False, kind=MALFORMED, reason="not valid JSON: the text is not UTF-8")
        try:
            value = self._json_reader(tree)
        except _Bad as e:
            return Decoded(False, kind=MALFORMED, reason=_short(e.where()))
        return Decoded(True, value=value, wire_format=JSON)

    # ------------------------------------------------------------------ encode

    def encode(self, value, wire_format=AVRO):
        """``value`` (a dict in the record's shape) as Avro single-object bytes or plain JSON.

        Fields the dict leaves out take their schema default. Raises ValueError naming the field
        when a value does not fit the schema.
        """
        if wire_format == AVRO:
            out = bytearray(self._header)
            try:
                self._avro_writer(value, out)
            except _Bad as e:
                raise ValueError("cannot encode %s: %s" % (self.full_name, e.where())) from None
            return bytes(out)
        if wire_format == JSON:
            try:
                tree = _to_json(self.schema, value)
            except _Bad as e:
                raise ValueError("cannot encode %s: %s" % (self.full_name, e.where())) from None
            return json.dumps(tree, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
        raise ValueError("wire_format must be %r or %r, was %r" % (AVRO, JSON, wire_format))


def _short(reason):
    reason = " ".join(str(reason).split())
    return reason if len(reason) <= _MAX_REASON else reason[: _MAX_REASON - 3] + "..."


def _no_duplicates(pairs):
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _Bad("not valid JSON: an object has the same key twice")
    return obj


def _no_constants(name):
    raise _Bad("not valid JSON: %s is not a JSON value" % ("a non-finite number literal",))


def _f32(x):
    return _F32.unpack(_F32.pack(x))[0]


# ---------------------------------------------------------------------- Avro binary


def _read_varint(b, p, max_shift, what):
    """A zig-zag varint of more than one byte, from its first byte at p."""
    n = 0
    shift = 0
    while True:
        x = b[p]
        p += 1
        n |= (x & 0x7F) << shift
        if x < 0x80:
            return (n >> 1) ^ -(n & 1), p
        shift += 7
        if shift > max_shift:
            raise _Bad("invalid " + what + " encoding")


def _read_long(b, p):
    x = b[p]
    if x < 0x80:  # one byte: the common case, kept inline
        return (x >> 1) ^ -(x & 1), p + 1
    return _read_varint(b, p, 63, "long")


def _read_int(b, p):
    x = b[p]
    if x < 0x80:
        return (x >> 1) ^ -(x & 1), p + 1
    value, p = _read_varint(b, p, 28, "int")
    if not _INT_MIN <= value <= _INT_MAX:
        raise _Bad("invalid int encoding")
    return value, p


def _read_null(b, p):
    return None, p


def _read_boolean(b, p):
    # As Avro's Java decoder: 1 is true, any other byte false.
    return b[p] == 1, p + 1


def _read_float(b, p):
    return _F32.unpack_from(b, p)[0], p + 4


def _read_double(b, p):
    return _F64.unpack_from(b, p)[0], p + 8


def _length(b, p):
    n, p = _read_long(b, p)
    if n < 0:
        raise _Bad("negative length %d" % n)
    if n > len(b) - p:
        raise _Bad("a length of %d bytes runs past the end of the message" % n)
    return n, p


def _read_string(b, p):
    n, p = _length(b, p)
    return b[p : p + n].decode("utf-8", "replace"), p + n


def _read_bytes(b, p):
    n, p = _length(b, p)
    return b[p : p + n], p + n


def _block_count(b, p):
    n, p = _read_long(b, p)
    if n < 0:
        n = -n
        _, p = _read_long(b, p)  # the block's size in bytes, which a reader may use to skip it
    if n > len(b) - p:
        raise _Bad("a block of %d items runs past the end of the message" % n)
    return n, p


def _ints_python(b, p, n, append):
    for _ in range(n):
        x = b[p]
        p += 1
        if x < 0x80:
            append((x >> 1) ^ -(x & 1))
            continue
        v = x & 0x7F
        shift = 7
        while True:
            x = b[p]
            p += 1
            v |= (x & 0x7F) << shift
            if x < 0x80:
                break
            shift += 7
            if shift > 63:
                raise _Bad("invalid long encoding")
        append((v >> 1) ^ -(v & 1))
    return p


def _ints_numpy(b, p, n, out):
    """``n`` zig-zag varints from ``b[p:]`` at once: the last byte of each is the one below 0x80."""
    window = np.frombuffer(b, dtype=np.uint8, count=min(len(b) - p, 10 * n), offset=p)
    ends = np.flatnonzero(window < 0x80)
    if len(ends) < n:
        raise IndexError("varints run past the end of the message")
    ends = ends[:n]
    starts = np.empty(n, dtype=np.int64)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    lengths = ends - starts + 1
    if int(lengths.max()) > 10:
        raise _Bad("invalid long encoding")
    size = int(ends[-1]) + 1
    position = np.arange(size, dtype=np.int64) - np.repeat(starts, lengths)
    groups = (window[:size].astype(np.uint64) & np.uint64(0x7F)) << (position * 7).astype(np.uint64)
    raw = np.add.reduceat(groups, starts)  # the 7-bit groups never overlap, so adding is or-ing
    values = (raw >> np.uint64(1)).astype(np.int64) ^ -(raw & np.uint64(1)).astype(np.int64)
    out.extend(values.tolist())
    return p + size


# Below this many items a plain loop is cheaper than setting up the array operations.
_NUMPY_MIN_ITEMS = 48


def _array_of_ints(int32):
    def read(b, p):
        out = []
        while True:
            n, p = _block_count(b, p)
            if n == 0:
                break
            if n >= _NUMPY_MIN_ITEMS:
                p = _ints_numpy(b, p, n, out)
            else:
                p = _ints_python(b, p, n, out.append)
        if int32 and out and not (_INT_MIN <= min(out) and max(out) <= _INT_MAX):
            raise _Bad("invalid int encoding")
        return out, p

    return read


def _array_of_packed(size, code, promote=None):
    def read(b, p):
        out = []
        while True:
            n, p = _block_count(b, p)
            if n == 0:
                return out, p
            values = struct.unpack_from("<%d%s" % (n, code), b, p)
            out.extend(values if promote is None else map(promote, values))
            p += n * size

    return read


_PRIMITIVE_READERS = {
    "null": _read_null,
    "boolean": _read_boolean,
    "int": _read_int,
    "long": _read_long,
    "float": _read_float,
    "double": _read_double,
    "string": _read_string,
    "bytes": _read_bytes,
}

# writer type -> reader type -> conversion of the value read with the writer's reader
_PROMOTIONS = {
    ("int", "long"): None,
    ("int", "float"): _f32,
    ("int", "double"): float,
    ("long", "float"): _f32,
    ("long", "double"): float,
    ("float", "double"): None,
    ("string", "bytes"): lambda s: s.encode("utf-8"),
    ("bytes", "string"): lambda b: b.decode("utf-8", "replace"),
}


def _then(read, convert):
    if convert is None:
        return read

    def converted(b, p):
        v, p = read(b, p)
        return convert(v), p

    return converted


def _type(schema):
    return schema.type


def _names_match(writer, reader):
    simple = writer.fullname.rsplit(".", 1)[-1]
    if writer.fullname == reader.fullname or simple == reader.fullname.rsplit(".", 1)[-1]:
        return True
    aliases = reader.get_prop("aliases") or []
    return writer.fullname in aliases or simple in aliases


class _AvroReaders:
    """Compiles a (writer, reader) schema pair into a function ``read(bytes, pos) -> (value, pos)``."""

    def __init__(self):
        self._cache = {}

    def compile(self, writer, reader):
        key = (id(writer), id(reader))
        if key in self._cache:
            return self._cache[key]
        named = writer.type in ("record", "error")
        if named:
            # A record may contain itself: hand out a forwarder until the real reader exists.
            cell = []
            self._cache[key] = lambda b, p: cell[0](b, p)
        read = self._build(writer, reader)
        if named:
            cell.append(read)
        self._cache[key] = read
        return read

    def _build(self, writer, reader):
        wt, rt = writer.type, reader.type
        if wt == "union":
            branches = []
            for branch in writer.schemas:
                try:
                    branches.append(self.compile(branch, reader))
                except _Incompatible as e:
                    branches.append(_fails("a union branch cannot be read: %s" % e))
            count = len(branches)

            def read_union(b, p):
                i, p = _read_long(b, p)
                if not 0 <= i < count:
                    raise _Bad("union branch %d of %d does not exist" % (i, count))
                return branches[i](b, p)

            return read_union
        if rt == "union":
            return self.compile(writer, _reader_branch(writer, reader))
        if wt in _PRIMITIVE_READERS:
            if wt == rt:
                return _PRIMITIVE_READERS[wt]
            if (wt, rt) in _PROMOTIONS:
                return _then(_PRIMITIVE_READERS[wt], _PROMOTIONS[(wt, rt)])
            raise _Incompatible("%s cannot be read as %s" % (wt, rt))
        if wt != rt:
            raise _Incompatible("%s cannot be read as %s" % (wt, rt))
        if wt in ("record", "error"):
            return self._record(writer, reader)
        if wt == "enum":
            return self._enum(writer, reader)
        if wt == "array":
            return self._array(writer.items, reader.items)
        if wt == "map":
            return self._map(writer.values, reader.values)
        if wt == "fixed":
            if not _names_match(writer, reader) or writer.size != reader.size:
                raise _Incompatible("fixed %s cannot be read as fixed %s" % (writer.fullname, reader.fullname))
            size = writer.size

            def read_fixed(b, p):
                if p + size > len(b):
                    raise IndexError
                return b[p : p + size], p + size

            return read_fixed
        raise _Incompatible("unsupported Avro type %s" % wt)

    def _record(self, writer, reader):
        if not _names_match(writer, reader):
            raise _Incompatible("record %s cannot be read as record %s" % (writer.fullname, reader.fullname))
        reader_fields = {}
        for field in reader.fields:
            reader_fields[field.name] = field
            for alias in field.get_prop("aliases") or []:
                reader_fields.setdefault(alias, field)
        steps = []
        seen = set()
        for field in writer.fields:
            target = reader_fields.get(field.name)
            if target is None:
                steps.append((None, self.compile(field.type, field.type)))
            else:
                try:
                    steps.append((target.name, self.compile(field.type, target.type)))
                except _Incompatible as e:
                    raise _Incompatible("%s.%s: %s" % (reader.name, target.name, e))
                seen.add(target.name)
        defaults = []
        for field in reader.fields:
            if field.name not in seen:
                if not field.has_default:
                    raise _Incompatible(
                        "%s.%s is missing from the writer's schema and has no default" % (reader.name, field.name)
                    )
                defaults.append((field.name, _default_factory(field.type, field.default)))
        order = [f.name for f in reader.fields]
        reorder = [name for name, _ in steps if name is not None] + [n for n, _ in defaults] != order
        steps = tuple(steps)
        defaults = tuple(defaults)

        def read_record(b, p):
            record = {}
            for name, read in steps:
                value, p = read(b, p)
                if name is not None:
                    record[name] = value
            for name, make in defaults:
                record[name] = make()
            if reorder:
                record = {name: record[name] for name in order}
            return record, p

        return read_record

    def _enum(self, writer, reader):
        if not _names_match(writer, reader):
            raise _Incompatible("enum %s cannot be read as enum %s" % (writer.fullname, reader.fullname))
        reader_symbols = set(reader.symbols)
        default = reader.get_prop("default")
        symbols = []
        for symbol in writer.symbols:
            if symbol in reader_symbols:
                symbols.append(symbol)
            elif default is not None:
                symbols.append(default)
            else:
                symbols.append(None)
        count = len(symbols)
        name = reader.fullname

        def read_enum(b, p):
            i, p = _read_int(b, p)
            if not 0 <= i < count:
                raise _Bad("enum index %d of %d does not exist in %s" % (i, count, name))
            symbol = symbols[i]
            if symbol is None:
                raise _Bad("a symbol unknown to enum %s, which has no default symbol" % name)
            return symbol, p

        return read_enum

    def _array(self, writer_items, reader_items):
        # Token ids and log-probs are most of an RL batch's bytes: read them without a call per item.
        wt, rt = writer_items.type, reader_items.type
        if (wt, rt) in (("int", "int"), ("int", "long")):
            return _array_of_ints(int32=True)
        if (wt, rt) == ("long", "long"):
            return _array_of_ints(int32=False)
        if (wt, rt) in (("float", "float"), ("float", "double")):
            return _array_of_packed(4, "f")
        if (wt, rt) == ("double", "double"):
            return _array_of_packed(8, "d")
        read_item = self.compile(writer_items, reader_items)

        def read_array(b, p):
            out = []
            while True:
                n, p = _block_count(b, p)
                if n == 0:
                    return out, p
                for _ in range(n):
                    value, p = read_item(b, p)
                    out.append(value)

        return read_array

    def _map(self, writer_values, reader_values):
        read_value = self.compile(writer_values, reader_values)

        def read_map(b, p):
            out = {}
            while True:
                n, p = _block_count(b, p)
                if n == 0:
                    return out, p
                for _ in range(n):
                    key, p = _read_string(b, p)
                    out[key], p = read_value(b, p)

        return read_map


def _fails(problem):
    def read(b, p):
        raise _Bad(problem)

    return read


def _reader_branch(writer, union):
    """The reader union's branch for a non-union writer: an exact match first, then a promotion."""
    wt = writer.type
    for branch in union.schemas:
        if branch.type == wt and (wt not in ("record", "error", "enum", "fixed") or _names_match(writer, branch)):
            return branch
    for branch in union.schemas:
        if (wt, branch.type) in _PROMOTIONS:
            return branch
    raise _Incompatible("%s fits no branch of the reader's union" % (getattr(writer, "fullname", wt),))


def _default_factory(schema, default):
    value = _default_value(schema, default)
    if isinstance(value, (list, dict)):
        return lambda: copy.deepcopy(value)
    return lambda: value


def _default_value(schema, default):
    t = schema.type
    if t == "union":
        return _default_value(schema.schemas[0], default)
    if t == "null":
        return None
    if t == "boolean":
        return bool(default)
    if t in ("int", "long"):
        return int(default)
    if t == "float":
        return _f32(float(default))
    if t == "double":
        return float(default)
    if t in ("bytes", "fixed"):
        return default.encode("latin-1")
    if t in ("string", "enum"):
        return default
    if t == "array":
        return [_default_value(schema.items, v) for v in default]
    if t == "map":
        return {k: _default_value(schema.values, v) for k, v in default.items()}
    if t in ("record", "error"):
        out = {}
        for field in schema.fields:
            if field.name in default:
                out[field.name] = _default_value(field.type, default[field.name])
            elif field.has_default:
                out[field.name] = _default_value(field.type, field.default)
            else:
                raise _Incompatible("default of %s lacks field %s" % (schema.fullname, field.name))
        return out
    raise _Incompatible("unsupported default for %s" % t)


# ---------------------------------------------------------------------- plain JSON, read


_JSON_TYPE_NAMES = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    type(None): "null",
}

_EXPECTED = {
    "record": "an object",
    "map": "an object",
    "array": "an array",
    "enum": "a symbol string",
    "string": "a string",
    "bytes": "a base64 string",
    "fixed": "a base64 string",
    "int": "an integer",
    "long": "an integer",
    "float": "a number",
    "double": "a number",
    "boolean": "true or false",
    "null": "null",
}


def _describe(schema):
    t = schema.type
    if t in ("record", "error", "enum", "fixed"):
        return "%s %s" % (t, schema.fullname)
    if t == "array":
        return "array of " + _describe(schema.items)
    if t == "map":
        return "map of " + _describe(schema.values)
    if t == "union":
        return "union [" + ", ".join(_describe(s) for s in schema.schemas) + "]"
    return t


def _mismatch(schema, value):
    return _Bad("expected %s for %s, found %s" % (_EXPECTED.get(schema.type, "null"), _describe(schema),
                                                   _JSON_TYPE_NAMES.get(type(value), "a value")))


def _json_number_array(item_type):
    """A converter of a whole JSON array of ``item_type`` numbers, returning None when it needs a closer look."""
    if item_type in ("int", "long"):
        low, high = (_INT_MIN, _INT_MAX) if item_type == "int" else (_LONG_MIN, _LONG_MAX)

        def integers(v):
            if not all(type(x) is int for x in v):
                return None
            if v and (min(v) < low or max(v) > high):
                return None
            return v

        return integers
    if item_type in ("float", "double"):
        dtype = np.float32 if item_type == "float" else np.float64

        def reals(v):
            if not all(type(x) is float or type(x) is int for x in v):
                return None
            try:
                with np.errstate(over="ignore"):  # a float32 overflow shows as inf, refused below
                    values = np.array(v, dtype=np.float64).astype(dtype)
            except OverflowError:
                return None
            if not np.isfinite(values).all():
                return None
            return values.astype(np.float64).tolist()

        return reals
    return None


class _JsonReaders:
    """Compiles a reader schema into ``read(json_value) -> value``, with the Java side's rules."""

    def __init__(self):
        self._cache = {}

    def compile(self, schema):
        key = id(schema)
        if key in self._cache:
            return self._cache[key]
        named = schema.type in ("record", "error")
        if named:
            cell = []
            self._cache[key] = lambda v: cell[0](v)
        read = self._build(schema)
        if named:
            cell.append(read)
        self._cache[key] = read
        return read

    def _build(self, schema):
        t = schema.type
        if t in ("record", "error"):
            return self._record(schema)
        if t == "union":
            return self._union(schema)
        if t == "array":
            read_item = self.compile(schema.items)

            def read_array(v):
                if type(v) is not list:
                    raise _mismatch(schema, v)
                out = []
                for i, item in enumerate(v):
                    try:
                        out.append(read_item(item))
                    except _Bad as e:
                        e.path.append(i)
                        raise
                return out

            fast = _json_number_array(schema.items.type)
            if fast is None:
                return read_array

            def read_numbers(v):
                # Token ids and log-probs: checked and converted all at once when every item is a
                # plain number in range, item by item (for the error's path) otherwise.
                if type(v) is list:
                    numbers = fast(v)
                    if numbers is not None:
                        return numbers
                return read_array(v)

            return read_numbers
        if t == "map":
            read_value = self.compile(schema.values)

            def read_map(v):
                if type(v) is not dict:
                    raise _mismatch(schema, v)
                out = {}
                for key, item in v.items():
                    try:
                        out[key] = read_value(item)
                    except _Bad as e:
                        e.path.append(None)  # map keys are payload
                        raise
                return out

            return read_map
        if t == "enum":
            symbols = frozenset(schema.symbols)
            default = schema.get_prop("default")

            def read_enum(v):
                if type(v) is not str:
                    raise _mismatch(schema, v)
                if v in symbols:
                    return v
                if default is not None:
                    return default
                raise _Bad("unknown symbol for enum %s, which has no default symbol" % schema.fullname)

            return read_enum
        if t == "string":

            def read_string(v):
                if type(v) is not str:
                    raise _mismatch(schema, v)
                return v

            return read_string
        if t in ("int", "long"):
            low, high = (_INT_MIN, _INT_MAX) if t == "int" else (_LONG_MIN, _LONG_MAX)

            def read_integral(v):
                kind = type(v)
                if kind is int:
                    if low <= v <= high:
                        return v
                    raise _Bad("integer out of range for %s" % t)
                if kind is float:
                    raise _Bad("expected an integer for %s, found a number with a fraction or exponent" % t)
                raise _mismatch(schema, v)

            return read_integral
        if t in ("float", "double"):
            narrow = t == "float"

            def read_number(v):
                kind = type(v)
                if kind is str:
                    if v == "NaN":
                        return math.nan
                    if v == "Infinity":
                        return math.inf
                    if v == "-Infinity":
                        return -math.inf
                    raise _Bad('expected a number or one of "NaN", "Infinity", "-Infinity" for %s, '
                               "found another string" % t)
                if kind is not int and kind is not float:
                    raise _mismatch(schema, v)
                try:
                    x = float(v)
                    if narrow:
                        x = _f32(x)
                except (OverflowError, struct.error):
                    raise _Bad("number out of range for %s" % t)
                if math.isinf(x) or math.isnan(x):
                    raise _Bad("number out of range for %s" % t)
                return x

            return read_number
        if t == "boolean":

            def read_boolean(v):
                if type(v) is not bool:
                    raise _mismatch(schema, v)
                return v

            return read_boolean
        if t == "null":

            def read_null(v):
                if v is not None:
                    raise _mismatch(schema, v)
                return None

            return read_null
        if t in ("bytes", "fixed"):
            size = schema.size if t == "fixed" else None

            def read_base64(v):
                if type(v) is not str:
                    raise _mismatch(schema, v)
                try:
                    # Like Java's decoder, the padding may be left out.
                    raw = base64.b64decode(v + "=" * (-len(v) % 4), validate=True)
                except (binascii.Error, ValueError):
                    raise _Bad("expected base64 text for %s, found a string that is not base64" % _describe(schema))
                if size is not None and len(raw) != size:
                    raise _Bad("expected %d bytes for %s, found %d" % (size, _describe(schema), len(raw)))
                return raw

            return read_base64
        raise _Incompatible("unsupported Avro type %s" % t)

    def _record(self, schema):
        fields = []
        for field in schema.fields:
            default = _default_factory(field.type, field.default) if field.has_default else None
            fields.append((field.name, self.compile(field.type), default))
        fields = tuple(fields)

        def read_record(v):
            if type(v) is not dict:
                raise _mismatch(schema, v)
            out = {}
            for name, read, default in fields:
                if name in v:
                    try:
                        out[name] = read(v[name])
                    except _Bad as e:
                        e.path.append(name)
                        raise
                elif default is not None:
                    out[name] = default()
                else:
                    raise _Bad("required field is missing", [name])
            return out

        return read_record

    def _union(self, schema):
        nullable = any(s.type == "null" for s in schema.schemas)
        candidates = [self.compile(s) for s in schema.schemas if s.type != "null"]
        if len(candidates) == 1:
            only = candidates[0]

            def read_optional(v):
                if v is None and nullable:
                    return None
                return only(v)

            return read_optional

        def read_union(v):
            if v is None and nullable:
                return None
            for read in candidates:
                try:
                    return read(v)
                except _Bad:
                    pass
            raise _Bad("%s fits no branch of %s" % (_JSON_TYPE_NAMES.get(type(v), "a value"), _describe(schema)))

        return read_union


# ---------------------------------------------------------------------- writing


def _write_long(n, out):
    n = (n << 1) ^ (n >> 63)
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def _fits(schema, value):
    """Whether a Python value belongs to a union branch (for choosing the branch to write)."""
    t = schema.type
    if t == "null":
        return value is None
    if t == "boolean":
        return type(value) is bool
    if t == "int":
        return type(value) is int and _INT_MIN <= value <= _INT_MAX
    if t == "long":
        return type(value) is int and _LONG_MIN <= value <= _LONG_MAX
    if t in ("float", "double"):
        return type(value) in (int, float)
    if t in ("string", "enum"):
        return type(value) is str and (t == "string" or value in schema.symbols)
    if t in ("bytes", "fixed"):
        return isinstance(value, (bytes, bytearray)) and (t == "bytes" or len(value) == schema.size)
    if t in ("record", "error", "map"):
        return isinstance(value, dict)
    if t == "array":
        return isinstance(value, (list, tuple))
    return False


def _branch_for(schema, value):
    for i, branch in enumerate(schema.schemas):
        if _fits(branch, value):
            return i, branch
    raise _Bad("a %s fits no branch of %s" % (type(value).__name__, _describe(schema)))


class _AvroWriters:
    """Compiles a schema into ``write(value, bytearray)`` for Avro binary."""

    def __init__(self):
        self._cache = {}

    def compile(self, schema):
        key = id(schema)
        if key in self._cache:
            return self._cache[key]
        cell = []
        self._cache[key] = lambda v, out: cell[0](v, out)
        write = self._build(schema)
        cell.append(write)
        self._cache[key] = write
        return write

    def _build(self, schema):
        t = schema.type
        if t in ("record", "error"):
            fields = []
            for field in schema.fields:
                default = _default_factory(field.type, field.default) if field.has_default else None
                fields.append((field.name, self.compile(field.type), default))

            def write_record(v, out):
                if not isinstance(v, dict):
                    raise _Bad("expected a dict for %s" % _describe(schema))
                for name, write, default in fields:
                    if name in v:
                        item = v[name]
                    elif default is not None:
                        item = default()
                    else:
                        raise _Bad("required field is missing", [name])
                    try:
                        write(item, out)
                    except _Bad as e:
                        e.path.append(name)
                        raise

            return write_record
        if t == "union":
            writers = [self.compile(s) for s in schema.schemas]

            def write_union(v, out):
                i, _ = _branch_for(schema, v)
                _write_long(i, out)
                writers[i](v, out)

            return write_union
        if t == "array":
            write_item = self.compile(schema.items)

            def write_array(v, out):
                if not isinstance(v, (list, tuple)):
                    raise _Bad("expected a list for %s" % _describe(schema))
                if v:
                    _write_long(len(v), out)
                    for i, item in enumerate(v):
                        try:
                            write_item(item, out)
                        except _Bad as e:
                            e.path.append(i)
                            raise
                out.append(0)

            return write_array
        if t == "map":
            write_value = self.compile(schema.values)

            def write_map(v, out):
                if not isinstance(v, dict):
                    raise _Bad("expected a dict for %s" % _describe(schema))
                if v:
                    _write_long(len(v), out)
                    for key, item in v.items():
                        _write_string(key, out)
                        write_value(item, out)
                out.append(0)

            return write_map

        def write_checked(v, out):
            if not _fits(schema, v):
                raise _Bad("a %s cannot be written as %s" % (type(v).__name__, _describe(schema)))
            _write_primitive(schema, v, out)

        return write_checked


def _write_string(s, out):
    raw = s.encode("utf-8")
    _write_long(len(raw), out)
    out += raw


def _write_primitive(schema, v, out):
    t = schema.type
    if t == "null":
        return
    if t == "boolean":
        out.append(1 if v else 0)
    elif t in ("int", "long"):
        _write_long(v, out)
    elif t == "float":
        out += _F32.pack(v)
    elif t == "double":
        out += _F64.pack(v)
    elif t == "string":
        _write_string(v, out)
    elif t == "bytes":
        _write_long(len(v), out)
        out += v
    elif t == "fixed":
        out += v
    elif t == "enum":
        _write_long(schema.symbols.index(v), out)


def _to_json(schema, v):
    """``v`` as plain JSON (no union wrappers), fields in schema order, defaults for missing ones."""
    t = schema.type
    if t in ("record", "error"):
        if not isinstance(v, dict):
            raise _Bad("expected a dict for %s" % _describe(schema))
        out = {}
        for field in schema.fields:
            if field.name in v:
                item = v[field.name]
            elif field.has_default:
                item = _default_value(field.type, field.default)
            else:
                raise _Bad("required field is missing", [field.name])
            try:
                out[field.name] = _to_json(field.type, item)
            except _Bad as e:
                e.path.append(field.name)
                raise
        return out
    if t == "union":
        _, branch = _branch_for(schema, v)
        return _to_json(branch, v)
    if t == "array":
        if not isinstance(v, (list, tuple)):
            raise _Bad("expected a list for %s" % _describe(schema))
        return [_to_json(schema.items, item) for item in v]
    if t == "map":
        if not isinstance(v, dict):
            raise _Bad("expected a dict for %s" % _describe(schema))
        return {str(k): _to_json(schema.values, item) for k, item in v.items()}
    if not _fits(schema, v):
        raise _Bad("a %s cannot be written as %s" % (type(v).__name__, _describe(schema)))
    if t in ("float", "double"):
        x = float(v)
        if math.isnan(x):
            return "NaN"
        if math.isinf(x):
            return "Infinity" if x > 0 else "-Infinity"
        return x
    if t in ("bytes", "fixed"):
        return base64.b64encode(bytes(v)).decode("ascii")
    return v

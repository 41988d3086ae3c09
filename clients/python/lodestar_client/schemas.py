"""The Avro schemas the client resolves writers' data with.

Lodestar ships its schemas in two places, and the client reads either:

* a source checkout: ``schemas/src/main/avro`` (the current version) and
  ``schemas/src/main/resources/lodestar/schemas/history/<version>/`` (every released version);
* the ``lodestar-schemas`` jar of a build, which holds the same files under
  ``lodestar/schemas/current/`` and ``lodestar/schemas/history/``.

The *current* version is the client's reader schema: every record comes out in its shape, whichever
version wrote it. Writer schemas are looked up by the CRC-64-AVRO fingerprint that Avro
single-object encoding puts in front of each record. A producer newer than the client writes with a
schema the client has never seen; give the client that schema (``extra`` paths: the newer
release's jar, its ``schemas/src/main/avro`` directory, or single ``.avsc`` files) and its records
resolve to the current shape, new fields dropped and unknown enum symbols read as the enum's default.
Without it such records are reported as ``UNKNOWN_SCHEMA``, skipped and counted.
"""

import json
import os
import zipfile

import avro.name
import avro.schema

__all__ = ["SchemaLibrary", "SchemaSourceError", "canonical_form", "fingerprint64"]

CHECKOUT_CURRENT = os.path.join("schemas", "src", "main", "avro")
CHECKOUT_HISTORY = os.path.join("schemas", "src", "main", "resources", "lodestar", "schemas", "history")
JAR_ROOT = "lodestar/schemas/"

ENV_SCHEMAS = "LODESTAR_SCHEMAS"
ENV_EXTRA_SCHEMAS = "LODESTAR_EXTRA_SCHEMAS"

_PRIMITIVES = frozenset(["null", "boolean", "int", "long", "float", "double", "bytes", "string"])
_NAMED = frozenset(["record", "error", "enum", "fixed"])

_EMPTY64 = 0xC15D213AA4D7A795


def _crc64_table():
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (_EMPTY64 & -(fp & 1))
        table.append(fp)
    return table


_CRC64_TABLE = _crc64_table()


def fingerprint64(schema):
    """The CRC-64-AVRO fingerprint of ``schema``'s parsing canonical form, as an unsigned int."""
    fp = _EMPTY64
    table = _CRC64_TABLE
    for byte in canonical_form(schema).encode("utf-8"):
        fp = (fp >> 8) ^ table[(fp ^ byte) & 0xFF]
    return fp


def canonical_form(schema):
    """Avro's parsing canonical form of ``schema``, as the specification (and the Java library) has it.

    Written here rather than taken from the avro package, whose version in Debian 12 keeps a
    primitive with extra attributes (``{"type": "string", "avro.java.string": "String"}``, which
    the Java build writes) as an object instead of reducing it to ``"string"``.
    """
    parts = []
    _canonical(schema, set(), parts)
    return "".join(parts)


def _quoted(text):
    return json.dumps(text, ensure_ascii=False)


def _canonical(schema, seen, out):
    kind = schema.type
    if kind in _PRIMITIVES:
        out.append(_quoted(kind))
    elif kind == "union":
        out.append("[")
        for i, branch in enumerate(schema.schemas):
            if i:
                out.append(",")
            _canonical(branch, seen, out)
        out.append("]")
    elif kind == "array":
        out.append('{"type":"array","items":')
        _canonical(schema.items, seen, out)
        out.append("}")
    elif kind == "map":
        out.append('{"type":"map","values":')
        _canonical(schema.values, seen, out)
        out.append("}")
    elif schema.fullname in seen:
        out.append(_quoted(schema.fullname))
    else:
        seen.add(schema.fullname)
        out.append('{"name":%s,"type":' % _quoted(schema.fullname))
        if kind in ("record", "error"):
            out.append('"record","fields":[')
            for i, field in enumerate(schema.fields):
                out.append('%s{"name":%s,"type":' % ("," if i else "", _quoted(field.name)))
                _canonical(field.type, seen, out)
                out.append("}")
            out.append("]}")
        elif kind == "enum":
            out.append('"enum","symbols":[%s]}' % ",".join(_quoted(s) for s in schema.symbols))
        elif kind == "fixed":
            out.append('"fixed","size":%d}' % schema.size)
        else:
            raise SchemaSourceError("unsupported Avro type %s" % kind)


class SchemaSourceError(ValueError):
    """A schema path that cannot be read, named in the message."""


class SchemaLibrary:
    """Reader schemas (the current version) and every writer schema the client knows, by fingerprint.

    ``source``: a Lodestar checkout, a ``lodestar-schemas`` jar, or a directory laid out like the
    jar's ``lodestar/schemas/`` (``current/``, ``history/``). Default: the ``LODESTAR_SCHEMAS``
    environment variable, else the checkout this package sits in.

    ``extra``: paths to further *writer* schemas (a newer release's jar or schema directory, single
    ``.avsc`` files), and the ``LODESTAR_EXTRA_SCHEMAS`` environment variable (paths separated by
    ``os.pathsep``). They never change the shape records are read into.
    """

    def __init__(self, source=None, extra=None):
        if source is None:
            source = os.environ.get(ENV_SCHEMAS) or _default_checkout()
        extra_paths = list(extra or [])
        from_env = os.environ.get(ENV_EXTRA_SCHEMAS, "")
        extra_paths.extend(p for p in from_env.split(os.pathsep) if p.strip())

        current_texts, history = _read_source(str(source))
        self.source = str(source)
        self._current = _parse_set(current_texts, "current version in " + self.source)
        self.versions = ["current"]
        self._writers = {}
        self._add_writers(self._current, "current")
        for version, texts in history:
            parsed = _parse_set(texts, "released version " + version + " in " + self.source)
            self._add_writers(parsed, version)
            self.versions.append(version)
        for path in extra_paths:
            for label, texts in _read_extra(str(path)):
                parsed = _parse_set(texts, label, fallback=current_texts)
                self._add_writers(parsed, label)
                self.versions.append(label)

    def _add_writers(self, parsed, label):
        for full_name, schema in parsed.items():
            self._writers.setdefault(full_name, {}).setdefault(fingerprint64(schema), (schema, label))

    def reader(self, name):
        """The current schema of record ``name`` (full name, or the simple name of a Lodestar record)."""
        full_name = self.full_name(name)
        return self._current[full_name]

    def full_name(self, name):
        if name in self._current:
            return name
        for prefix in ("io.lodestar.schema.", "io.lodestar.schema.export."):
            if prefix + name in self._current:
                return prefix + name
        raise KeyError("no record named %s in the current schemas of %s" % (name, self.source))

    def writer(self, name, fingerprint):
        """The writer schema of record ``name`` with ``fingerprint``, or None when no version has it."""
        found = self._writers.get(self.full_name(name), {}).get(fingerprint)
        return None if found is None else found[0]

    def writer_versions(self, name):
        """Fingerprint -> where the schema came from ("current", a release, an extra path)."""
        return {fp: label for fp, (_, label) in self._writers.get(self.full_name(name), {}).items()}


def _default_checkout():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, os.pardir, os.pardir, os.pardir))
    if os.path.isdir(os.path.join(root, CHECKOUT_CURRENT)):
        return root
    raise SchemaSourceError(
        "no schemas found: set %s to a Lodestar checkout or a lodestar-schemas jar "
        "(the client looked for %s)" % (ENV_SCHEMAS, os.path.join(root, CHECKOUT_CURRENT))
    )


def _read_source(path):
    """(current texts, [(version, texts), ...]) of a checkout, a schemas jar or a jar-layout dir."""
    if os.path.isfile(path) and zipfile.is_zipfile(path):
        return _read_jar(path)
    if os.path.isdir(os.path.join(path, CHECKOUT_CURRENT)):
        current = _avsc_files(os.path.join(path, CHECKOUT_CURRENT))
        return current, _read_history_dir(os.path.join(path, CHECKOUT_HISTORY))
    for root in (path, os.path.join(path, "lodestar", "schemas")):
        if os.path.isdir(os.path.join(root, "current")):
            current = _avsc_files(os.path.join(root, "current"))
            return current, _read_history_dir(os.path.join(root, "history"))
    raise SchemaSourceError(
        "%s is neither a Lodestar checkout, a lodestar-schemas jar nor a directory with current/ "
        "and history/ schema folders" % path
    )


def _read_jar(path):
    with zipfile.ZipFile(path) as jar:
        names = jar.namelist()
        current = {
            n: jar.read(n).decode("utf-8")
            for n in names
            if n.startswith(JAR_ROOT + "current/") and n.endswith(".avsc")
        }
        if not current:
            raise SchemaSourceError("%s has no %scurrent/*.avsc entries" % (path, JAR_ROOT))
        history = []
        versions_entry = JAR_ROOT + "history/VERSIONS"
        if versions_entry in names:
            for version in _lines(jar.read(versions_entry).decode("utf-8")):
                prefix = JAR_ROOT + "history/" + version + "/"
                texts = {
                    n: jar.read(n).decode("utf-8")
                    for n in names
                    if n.startswith(prefix) and n.endswith(".avsc")
                }
                history.append((version, texts))
        return current, history


def _read_history_dir(history):
    versions_file = os.path.join(history, "VERSIONS")
    if not os.path.isfile(versions_file):
        return []
    with open(versions_file, encoding="utf-8") as f:
        versions = _lines(f.read())
    return [(v, _avsc_files(os.path.join(history, v))) for v in versions]


def _read_extra(path):
    """[(label, texts)]: every schema version a writer-schema path holds."""
    if os.path.isfile(path) and path.endswith(".avsc"):
        with open(path, encoding="utf-8") as f:
            return [(path, {path: f.read()})]
    try:
        current, history = _read_source(path)
    except SchemaSourceError:
        if not os.path.isdir(path):
            raise SchemaSourceError("writer schemas %s: no such .avsc file, jar or directory" % path)
        texts = _avsc_files(path)
        if not texts:
            raise SchemaSourceError("writer schemas %s: the directory holds no .avsc files" % path)
        return [(path, texts)]
    return [(path, current)] + [(path + " " + v, texts) for v, texts in history]


def _avsc_files(directory):
    texts = {}
    for root, dirs, files in os.walk(directory):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".avsc"):
                full = os.path.join(root, name)
                with open(full, encoding="utf-8") as f:
                    texts[full] = f.read()
    return texts


def _lines(text):
    return [l.strip() for l in text.splitlines() if l.strip() and not l.strip().startswith("#")]


def _qualify(name, namespace):
    if "." in name or not namespace:
        return name
    return namespace + "." + name


def _scan(node, namespace, defined, referenced):
    """Collects the named types a schema JSON defines and the names it refers to."""
    if isinstance(node, str):
        if node not in _PRIMITIVES:
            referenced.add(_qualify(node, namespace))
    elif isinstance(node, list):
        for branch in node:
            _scan(branch, namespace, defined, referenced)
    elif isinstance(node, dict):
        kind = node.get("type")
        if kind in _NAMED:
            name = str(node.get("name"))
            space = name.rsplit(".", 1)[0] if "." in name else node.get("namespace", namespace)
            defined.add(_qualify(name, space))
            for field in node.get("fields", []) if kind in ("record", "error") else []:
                _scan(field.get("type"), space, defined, referenced)
        elif kind == "array":
            _scan(node.get("items"), namespace, defined, referenced)
        elif kind == "map":
            _scan(node.get("values"), namespace, defined, referenced)
        else:
            _scan(kind, namespace, defined, referenced)


def _parse_set(texts, label, fallback=None):
    """Parses one version's .avsc files, each after the files defining names it uses.

    A name no file of the set defines is taken from ``fallback`` (the client's current files), so a
    newer writer schema may come as a single file that refers to unchanged common records.
    """
    files = {}
    for path, text in texts.items():
        try:
            files[path] = json.loads(text)
        except ValueError as e:
            raise SchemaSourceError("%s: %s is not JSON (%s)" % (label, path, e))
    fallback_files = {}
    if fallback:
        for path, text in fallback.items():
            fallback_files[path] = json.loads(text)

    def names_of(doc):
        defined, referenced = set(), set()
        _scan(doc, None, defined, referenced)
        return defined, referenced

    info = {path: names_of(doc) for path, doc in files.items()}
    definers = {}
    for path, (defined, _) in info.items():
        for name in defined:
            definers[name] = path
    fallback_definers = {}
    for path, doc in fallback_files.items():
        for name in names_of(doc)[0]:
            fallback_definers[name] = path
    # Pull in the fallback files this set needs, transitively.
    pending = [n for _, (d, r) in list(info.items()) for n in r - d]
    while pending:
        name = pending.pop()
        if name in definers:
            continue
        path = fallback_definers.get(name)
        if path is None:
            raise SchemaSourceError("%s: no schema defines %s" % (label, name))
        files[path] = fallback_files[path]
        info[path] = names_of(files[path])
        for defined_name in info[path][0]:
            definers.setdefault(defined_name, path)
        pending.extend(info[path][1] - info[path][0])

    ordered, state = [], {}

    def visit(path, trail):
        if state.get(path) == "done":
            return
        if state.get(path) == "visiting":
            raise SchemaSourceError("%s: schema files refer to each other in a cycle: %s" % (label, trail))
        state[path] = "visiting"
        defined, referenced = info[path]
        for name in sorted(referenced - defined):
            visit(definers[name], trail + [os.path.basename(definers[name])])
        state[path] = "done"
        ordered.append(path)

    for path in sorted(files):
        visit(path, [os.path.basename(path)])

    names = avro.name.Names()
    for path in ordered:
        try:
            avro.schema.make_avsc_object(files[path], names)
        except Exception as e:  # the library raises several unrelated types
            raise SchemaSourceError("%s: cannot parse %s: %s" % (label, path, e))
    return dict(names.names)

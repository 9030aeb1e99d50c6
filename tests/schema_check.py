#!/usr/bin/env python3
"""schema_check.py - validate EVE JSON lines against output/eve.schema.json.

The app-layer records' definitions live beside it, one file per event type
(output/schema/<type>.json, each {"$defs": {"<type>_record": ..., ...}}):
they are merged in, and each <type>_record becomes an event_type.

    schema_check.py [--schema FILE] [--max-errors N] EVE_JSON [EVE_JSON ...]

Every line of every file must be one JSON object that the schema accepts.
Lines are read as bytes and must be UTF-8; an object with a duplicate key
is an error (JSON readers disagree on which value wins).  On success prints
"schema_check: N records valid" and exits 0; otherwise prints the first
errors as FILE:LINE: PATH: MESSAGE and exits 1.  Exit 2 on usage errors or
an unreadable file or schema.

Needs python3-jsonschema (draft 2020-12 support: jsonschema >= 4.0).
"""

import argparse
import json
import os
import sys

try:
    import jsonschema
except ImportError:  # pragma: no cover
    sys.stderr.write("schema_check: needs python3-jsonschema\n")
    sys.exit(2)

PER_RECORD = 4  # errors shown per record, so that later lines get a say

DEFAULT_SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              os.pardir, "output", "eve.schema.json")


class DuplicateKey(ValueError):
    pass


def no_duplicates(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise DuplicateKey("duplicate key %r" % k)
        obj[k] = v
    return obj


def json_path(err):
    path = "".join("[%d]" % p if isinstance(p, int) else ".%s" % p
                   for p in err.absolute_path)
    return "$" + path


def best_errors(validator, record):
    """The most specific errors (jsonschema's relevance order), deepest first."""
    errs = list(validator.iter_errors(record))
    out = []
    for e in sorted(errs, key=jsonschema.exceptions.relevance):
        # descend into if/then, allOf, anyOf to the leaf that explains it
        leaf = e
        while leaf.context:
            leaf = min(leaf.context, key=jsonschema.exceptions.relevance)
        out.append(leaf)
    return out


def merge_parts(schema, folder):
    """Adds output/schema/<type>.json's $defs and an event_type per <type>_record."""
    if not os.path.isdir(folder):
        return
    types = schema["properties"]["event_type"]["enum"]
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(folder, name), "rb") as fh:
            part = json.load(fh)
        for key, val in part.get("$defs", {}).items():
            if key in schema["$defs"]:
                raise ValueError("%s: $defs.%s already defined" % (name, key))
            schema["$defs"][key] = val
            if key.endswith("_record"):
                etype = key[:-len("_record")]
                if etype not in types:
                    types.append(etype)
                schema["allOf"].append({
                    "if": {"properties": {"event_type": {"const": etype}}},
                    "then": {"$ref": "#/$defs/" + key}})


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--schema", default=DEFAULT_SCHEMA)
    ap.add_argument("--max-errors", type=int, default=10)
    ap.add_argument("files", nargs="+", metavar="EVE_JSON")
    opts = ap.parse_args()

    try:
        with open(opts.schema, "rb") as fh:
            schema = json.load(fh)
        merge_parts(schema, os.path.join(os.path.dirname(os.path.abspath(opts.schema)), "schema"))
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
    except (OSError, ValueError, jsonschema.exceptions.SchemaError) as exc:
        sys.stderr.write("schema_check: bad schema %s: %s\n" % (opts.schema, exc))
        return 2
    validator = cls(schema)

    records = 0
    lines = bad_lines = 0
    errors = []
    for name in opts.files:
        try:
            fh = open(name, "rb")
        except OSError as exc:
            sys.stderr.write("schema_check: %s: %s\n" % (name, exc.strerror))
            return 2
        with fh:
            data = fh.read()
        if data and not data.endswith(b"\n"):
            errors.append("%s:%d: last line does not end in a newline"
                          % (name, data.count(b"\n") + 1))
            bad_lines += 1
        body = data[:-1] if data.endswith(b"\n") else data
        for lineno, raw in enumerate(body.split(b"\n") if data else [], 1):
            where = "%s:%d" % (name, lineno)
            lines += 1
            before = len(errors)
            if b"\r" in raw:                    # never written outside strings
                errors.append("%s: carriage return in the line" % where)
            try:
                text = raw.decode("utf-8")
                record = json.loads(text, object_pairs_hook=no_duplicates)
            except (UnicodeDecodeError, ValueError) as exc:
                errors.append("%s: not a JSON line: %s" % (where, exc))
            else:
                records += 1
                if not isinstance(record, dict):
                    errors.append("%s: $: not an object" % where)
                else:
                    for err in best_errors(validator, record)[:PER_RECORD]:
                        errors.append("%s: %s: %s" % (where, json_path(err), err.message))
            if len(errors) > before:
                bad_lines += 1
            if len(errors) >= opts.max_errors:
                break
        if len(errors) >= opts.max_errors:
            break

    if errors:
        for line in errors[:opts.max_errors]:
            print(line)
        stop = " (stopped after %d errors)" % opts.max_errors if len(errors) >= opts.max_errors else ""
        print("schema_check: FAILED: %d of %d line(s) invalid%s" % (bad_lines, lines, stop))
        return 1
    print("schema_check: %d records valid" % records)
    return 0


if __name__ == "__main__":
    sys.exit(main())

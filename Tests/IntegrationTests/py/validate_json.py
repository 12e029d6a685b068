"""Validates JSON documents against a wstune schema with the `jsonschema` package (the independent validator).

Usage: validate_json.py SCHEMA [--lines] < document
Reads one JSON document from standard input (with --lines: one per non-empty line, JSON Lines). Checks the schema
itself against draft 2020-12 first. Prints every error with its JSON path; exit 0 valid, 1 invalid, 2 bad usage.
"""
import json
import pathlib
import sys

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource


def main() -> int:
    paths = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(paths) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    with open(paths[0], encoding="utf-8") as f:
        schema = json.load(f)
    Draft202012Validator.check_schema(schema)
    # The other schemas of the same directory, by their $id, for cross-file $ref (check → load).
    resources = []
    for other in pathlib.Path(paths[0]).resolve().parent.glob("*.schema.json"):
        doc = json.loads(other.read_text(encoding="utf-8"))
        resources.append((doc["$id"], Resource.from_contents(doc)))
    registry = Registry().with_resources(resources)
    validator = Draft202012Validator(schema, format_checker=FormatChecker(), registry=registry)
    text = sys.stdin.read()
    docs = [json.loads(l) for l in text.splitlines() if l.strip()] if "--lines" in sys.argv else [json.loads(text)]
    if not docs:
        print("no document on standard input", file=sys.stderr)
        return 1
    bad = 0
    for n, doc in enumerate(docs, 1):
        for e in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
            bad += 1
            print(f"document {n}: {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""validate.py SCHEMA FILE...: checks that each FILE holds JSON documents
valid under SCHEMA (JSON Schema draft 2020-12, python3-jsonschema). A file
is one document, or with --lines one document per line (truemem --jsonl).
Prints one line per failing document with the first errors and their
paths; exits 1 if any failed, 2 on bad usage."""
import json
import sys

import jsonschema


def main(argv):
    lines = "--lines" in argv
    args = [a for a in argv[1:] if a != "--lines"]
    if len(args) < 2:
        print("usage: validate.py [--lines] SCHEMA FILE...", file=sys.stderr)
        return 2
    with open(args[0], encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)
    bad = 0
    for path in args[1:]:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        docs = [l for l in text.splitlines() if l.strip()] if lines else [text]
        if not docs:
            print("%s: no JSON document" % path)
            bad += 1
        for i, doc in enumerate(docs):
            where = "%s:%d" % (path, i + 1) if lines else path
            try:
                inst = json.loads(doc)
            except ValueError as e:
                print("%s: not JSON: %s" % (where, e))
                bad += 1
                continue
            errs = sorted(validator.iter_errors(inst), key=lambda e: list(e.absolute_path))
            if errs:
                bad += 1
                for e in errs[:3]:
                    if e.context:   # oneOf/anyOf: the branch that came closest
                        e = jsonschema.exceptions.best_match(e.context)
                    loc = "/".join(str(p) for p in e.absolute_path) or "(document)"
                    print("%s: %s: %s" % (where, loc, e.message[:300]))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

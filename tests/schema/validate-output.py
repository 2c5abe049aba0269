#!/usr/bin/python3
"""Checks vfio-bind --json documents against schema/vfio-bind-output.schema.json.

    validate-output.py SCHEMA FILE...      one line per file: "ok FILE" or "bad FILE PATH: MESSAGE"
    validate-output.py --fields SCHEMA DEFINITION   the properties of a definition, one a line

Needs Debian's python3-jsonschema.
"""
import json
import sys

import jsonschema


def main(argv):
    if len(argv) >= 4 and argv[1] == "--fields":
        with open(argv[2], encoding="utf-8") as f:
            schema = json.load(f)
        for name in schema["definitions"][argv[3]]["properties"]:
            print(name)
        return 0
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    status = 0
    for name in argv[2:]:
        try:
            with open(name, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            print(f"bad {name} (load): {e}")
            status = 1
            continue
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        if errors:
            path = "/" + "/".join(str(p) for p in errors[0].absolute_path)
            print(f"bad {name} {path}: {errors[0].message}")
            status = 1
        else:
            print(f"ok {name}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))

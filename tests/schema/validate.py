#!/usr/bin/python3
"""Checks YAML files against schema/vfio-bind.schema.json; one line per file on stdout:

    ok FILE
    bad FILE PATH...: MESSAGE      (PATH: JSON pointer of each failing instance, "/" = root)

vfio-bind reads every scalar as text, then decides. PyYAML's default (YAML 1.1) resolution
would turn 0000:01:00.0 into 60.0 (sexagesimal), 0300 into 192 (octal) and 'yes' into true,
none of which vfio-bind does. This loader resolves only what the schema types need, as the
parser reads them: decimal integers without leading zeros, the words true and false, and an
empty value as null ("devices:" with nothing after it). Everything else stays a string.
Duplicate keys are refused, as vfio-bind refuses them.
Needs Debian's python3-yaml and python3-jsonschema.
"""
import json
import re
import sys

import jsonschema
import yaml


class Loader(yaml.SafeLoader):
    yaml_implicit_resolvers = {}


Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^(?:0|[1-9][0-9]*)$"),
                             list("0123456789"))
Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))
Loader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^$"), [""])


def construct_mapping(loader, node):
    keys = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in keys:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}",
                                                    key_node.start_mark)
        keys.add(key)
    return loader.construct_mapping(node, deep=True)


Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)


def pointer(error):
    return "/" + "/".join(str(p) for p in error.absolute_path)


def main(argv):
    if len(argv) < 3:
        print("usage: validate.py SCHEMA FILE...", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    status = 0
    for name in argv[2:]:
        try:
            with open(name, encoding="utf-8") as f:
                doc = yaml.load(f, Loader=Loader)
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
            print(f"bad {name} (load): {' '.join(str(e).split())}")
            status = 1
            continue
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        if errors:
            paths = sorted({pointer(e) for e in errors})
            print(f"bad {name} {' '.join(paths)}: {errors[0].message}")
            status = 1
        else:
            print(f"ok {name}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))

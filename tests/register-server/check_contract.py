#!/usr/bin/env python3
"""Checks the register gateway contract (docs/api/registers.openapi.yaml):
the document is valid OpenAPI 3.1 (and so is the portal's own API,
docs/api/obcan.openapi.yaml, which refers to it), and every fixture the contract tests serve
or send, and every example in the document, fits the schema of its operation.

Usage: check_contract.py [FIXTURES_DIR]   (default: fixtures/ beside this file)
"""

import json
import sys
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

HERE = Path(__file__).resolve().parent
CONTRACT = HERE.parent.parent / "docs" / "api" / "registers.openapi.yaml"
CONTRACT_URI = "urn:obcan:registers-contract"
API = CONTRACT.parent / "obcan.openapi.yaml"

# Each fixture and what it is: the request body of an operation, or the answer
# of an operation with a status. A fixture missing from this table fails the
# check, so that none escapes it.
FIXTURES = {
    "match-request-identifier.json": ("/persons/match", "post", "request"),
    "match-request-name.json": ("/persons/match", "post", "request"),
    "match.json": ("/persons/match", "post", "200"),
    "personal-data.json": ("/persons/{reference}/personal-data", "get", "200"),
    "identity-documents.json": ("/persons/{reference}/identity-documents", "get", "200"),
    "driver.json": ("/persons/{reference}/driver", "get", "200"),
    "driver-none.json": ("/persons/{reference}/driver", "get", "200"),
    "vehicles.json": ("/persons/{reference}/vehicles", "get", "200"),
    "trade-licences.json": ("/persons/{reference}/trade-licences", "get", "200"),
    "data-usage.json": ("/persons/{reference}/data-usage", "get", "200"),
    "contacts-request.json": ("/persons/{reference}/contacts", "put", "request"),
}

METHODS = ("get", "put", "post", "delete", "patch")


def pointer(*parts):
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def schema_pointer(document, path, method, what):
    operation = document["paths"][path][method]
    if what == "request":
        return pointer("paths", path, method, "requestBody", "content", "application/json", "schema")
    response = operation["responses"][what]
    if "content" not in response:
        raise KeyError(f"{method.upper()} {path} {what} has no JSON body")
    return pointer("paths", path, method, "responses", what, "content", "application/json", "schema")


def leaves(errors):
    """The errors that say what is wrong: inside "any of" a value or null,
    the value's own errors rather than "not null"."""
    for error in errors:
        if error.context:
            yield from leaves(
                child for child in error.context if not (child.validator == "type" and child.validator_value == "null")
            )
        else:
            yield error


def shorten(message, limit=200):
    return message if len(message) <= limit else message[: limit - 1] + "…"


def examples_of(media):
    if "example" in media:
        yield "example", media["example"]
    for name, example in media.get("examples", {}).items():
        yield f"examples/{name}", example["value"]


def main():
    fixtures_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "fixtures"
    document = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))
    failures = []
    passed = 0

    try:
        validate(document)
        passed += 1
        print(f"ok    {CONTRACT.name} is valid OpenAPI {document['openapi']}")
    except Exception as error:  # the validator raises several kinds
        failures.append(f"{CONTRACT.name} is not valid OpenAPI: {error}")

    # The portal's own API refers to the contract's schemas by relative file.
    api = yaml.safe_load(API.read_text(encoding="utf-8"))
    try:
        validate(api, base_uri=API.as_uri())
        passed += 1
        print(f"ok    {API.name} is valid OpenAPI {api['openapi']}, its references resolve")
    except Exception as error:  # the validator raises several kinds
        failures.append(f"{API.name} is not valid OpenAPI: {error}")

    registry = Registry().with_resource(CONTRACT_URI, Resource(contents=document, specification=DRAFT202012))

    def check(label, schema_ref, instance):
        nonlocal passed
        validator = Draft202012Validator(
            {"$ref": CONTRACT_URI + schema_ref},
            registry=registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        errors = sorted(leaves(validator.iter_errors(instance)), key=lambda e: list(e.absolute_path))
        if errors:
            for error in errors:
                where = "/".join(str(p) for p in error.absolute_path) or "(top)"
                failures.append(f"{label}: at {where}: {shorten(error.message)}")
        else:
            passed += 1
            print(f"ok    {label}")

    # Every fixture fits the schema of its operation.
    on_disk = {path.name for path in fixtures_dir.glob("*.json")}
    for name in sorted(on_disk - FIXTURES.keys()):
        failures.append(f"fixture {name} is not in check_contract.py's table")
    for name in sorted(FIXTURES.keys() - on_disk):
        failures.append(f"fixture {name} is missing from {fixtures_dir}")
    for name, (path, method, what) in sorted(FIXTURES.items()):
        if name not in on_disk:
            continue
        try:
            instance = json.loads((fixtures_dir / name).read_text(encoding="utf-8"))
            schema_ref = schema_pointer(document, path, method, what)
        except (ValueError, KeyError) as error:
            failures.append(f"fixture {name}: {error}")
            continue
        check(f"fixture {name} as {method.upper()} {path} {what}", schema_ref, instance)

    # Every JSON body of the contract has a fixture, and every example fits.
    covered = set(FIXTURES.values())
    for path, item in document["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            bodies = []
            request = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if request is not None:
                bodies.append(("request", request))
            for status, response in operation["responses"].items():
                media = response.get("content", {}).get("application/json")
                if media is not None:
                    bodies.append((status, media))
            for what, media in bodies:
                if (path, method, what) not in covered:
                    failures.append(f"{method.upper()} {path} {what} has no fixture")
                schema_ref = schema_pointer(document, path, method, what)
                for label, example in examples_of(media):
                    check(f"{method.upper()} {path} {what} {label}", schema_ref, example)

    for failure in failures:
        print(f"FAIL  {failure}")
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""Pack configuration mistakes as one line each, never a traceback.

The CLI (or the Pulumi Cloud, for a policy group) sends the pack its configuration through the
analyzer's `Configure` call: per policy an enforcement level and the policy's properties. A
typo there must not silently switch a check off, nor surface as a stack trace in someone's
preview. `configure_errors` names every mistake: a policy the pack does not have (with the
closest name), an enforcement level outside the accepted ones, a property the policy does not
take (with the closest name), and a value of the wrong type for the policy's published schema.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

LEVELS = ("advisory", "mandatory", "remediate", "disabled")

_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "array": "an array",
    "object": "an object",
}


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _is(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":  # numbers arrive as floats through protobuf's Struct
        return (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and float(value).is_integer()
        )
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, Mapping)
    return True


_PLURALS = {"string": "strings", "integer": "integers", "number": "numbers",
            "boolean": "booleans", "array": "arrays", "object": "objects"}  # fmt: skip


def _bounds(schema: Mapping[str, Any]) -> str:
    bounds = [f"≥ {schema['minimum']}" if "minimum" in schema else "",
              f"≤ {schema['maximum']}" if "maximum" in schema else ""]  # fmt: skip
    text = " and ".join(b for b in bounds if b)
    if "enum" in schema:
        text += (" " if text else "") + "(one of " + ", ".join(map(repr, schema["enum"])) + ")"
    return text


def _expected(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    text = _TYPE_NAMES.get(str(kind), str(kind)) if kind else "a value"
    items = schema.get("items")
    if kind == "array" and isinstance(items, Mapping) and items.get("type"):
        text = f"an array of {_PLURALS.get(str(items['type']), str(items['type']))}"
        if _bounds(items):
            text += f" (each {_bounds(items)})"
    elif _bounds(schema):
        text += f" {_bounds(schema)}"
    return text


def value_error(value: Any, schema: Mapping[str, Any], where: str) -> str | None:
    """What is wrong with `value` under a (small) JSON schema, or None if it fits."""
    kind = schema.get("type")
    if isinstance(kind, str) and not _is(value, kind):
        return f"{where} must be {_expected(schema)}, got {value!r} ({_kind(value)})"
    if "enum" in schema and value not in schema["enum"]:
        return f"{where} must be {_expected(schema)}, got {value!r}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            return f"{where} must be {_expected(schema)}, got {value!r}"
        if "maximum" in schema and value > schema["maximum"]:
            return f"{where} must be {_expected(schema)}, got {value!r}"
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for i, item in enumerate(value):
            if value_error(item, schema["items"], f"{where}[{i}]"):
                return (
                    f"{where} must be {_expected(schema)}, got {value!r} ({where}[{i}] is "
                    f"{item!r}, {_kind(item)})"
                )
    return None


def property_errors(
    policy: str, properties: Mapping[str, Any], schema: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    out = []
    for key, value in properties.items():
        if key not in schema:
            out.append(
                f"policy '{policy}' takes no property '{key}'"
                f"{did_you_mean(key, schema)}; it takes: {', '.join(sorted(schema))}"
            )
            continue
        problem = value_error(value, schema[key], f"'{policy}'.{key}")
        if problem:
            out.append(problem)
    return out


def unknown_policy(name: str, known: Iterable[str]) -> str:
    return (
        f"the policy pack config names '{name}', which is no policy of this pack"
        f"{did_you_mean(name, known)}"
    )


def unknown_level(policy: str, level: Any) -> str:
    return f"'{policy}': unknown enforcement level {level!r}; accepted: {', '.join(LEVELS)}"


def configure_errors(
    config: Mapping[str, tuple[str | None, Mapping[str, Any]]],
    schemas: Mapping[str, Mapping[str, Mapping[str, Any]]],
) -> list[str]:
    """Every mistake of a Configure request, one line each.

    `config` maps a policy name to (level name, or None when the level value is not one the
    protocol defines; its properties); `schemas` maps each policy of the pack to its published
    config schema properties.
    """
    out = []
    for name, (level, properties) in config.items():
        if name not in schemas:
            out.append(unknown_policy(name, schemas))
            continue
        if level is None:
            out.append(unknown_level(name, "(not an enforcement level)"))
        out += property_errors(name, properties, schemas[name])
    return out

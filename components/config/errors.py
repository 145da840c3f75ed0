"""Error rendering: one line per problem, with the key path, the bad value and what is accepted."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

import pulumi
from pydantic import BaseModel, ValidationError

from components.config.models import StackConfig
from components.config.values import (
    CACHE_NODE_TYPE,
    DB_INSTANCE_CLASS,
    DNS_NAME,
    EMAIL,
    INSTANCE_TYPE,
    PROJECT,
    RECORD_LABEL,
    REGION,
    WEEKLY_WINDOW,
    WINDOW,
    quoted,
)


class ConfigError(pulumi.RunError):
    """A configuration problem, reported without a Python traceback."""


def unknown_key_message(path: str, key: str, valid: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"{path} is not a known setting{hint} Accepted keys: {', '.join(valid)}"


def describe(exc: ValidationError, document: Mapping[str, Any]) -> str:
    """One line per problem: key path, bad value, what is accepted."""
    lines = []
    for error in exc.errors():
        location = [str(part) for part in error["loc"]]
        path = ".".join(location)
        value = error.get("input")
        if error["type"] == "extra_forbidden":
            section_model = _model_at(location[:-1])
            valid = (
                tuple((f.alias or name) for name, f in section_model.model_fields.items())
                if section_model
                else ()
            )
            lines.append(unknown_key_message(f"{PROJECT}:{path}", location[-1], valid))
            continue
        if error["type"] == "value_error" and isinstance(value, Mapping):
            message = str(error["msg"]).removeprefix("Value error, ")
            lines.append(f"{PROJECT}:{path}.{message}" if path else message)
            continue
        accepted = _accepted(error)
        shown = quoted(value) if not isinstance(value, Mapping) else "the section"
        # The primary region is Pulumi's aws:region, not a webstack: key.
        key = "aws:region" if path == "region" else f"{PROJECT}:{path}"
        lines.append(f"{key} is {shown}; accepted: {accepted}")
    return "\n".join(lines)


def _model_at(location: list[str]) -> type[BaseModel] | None:
    model: type[BaseModel] | None = StackConfig
    for part in location:
        if model is None:
            return None
        field = next((f for n, f in model.model_fields.items() if part in (n, f.alias)), None)
        if field is None:
            return None
        annotation = field.annotation
        candidates = getattr(annotation, "__args__", (annotation,))
        model = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
        if model is None:
            # tuple[Model, ...] and similar containers
            for c in candidates:
                inner = getattr(c, "__args__", ())
                model = next(
                    (i for i in inner if isinstance(i, type) and issubclass(i, BaseModel)), None
                )
                if model:
                    break
    return model


def _accepted(error: Any) -> str:
    ctx = error.get("ctx") or {}
    kind = error["type"]
    if kind == "enum":
        return str(ctx.get("expected", "")).replace("'", "")
    if kind == "literal_error":
        return str(ctx.get("expected", ""))
    if kind == "string_pattern_mismatch":
        return _PATTERN_EXAMPLES.get(
            ctx.get("pattern", ""), f"a value matching {ctx.get('pattern')}"
        )
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return str(error["msg"]).replace("Input should be ", "a number ")
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return str(error["msg"]).replace("Input should be ", "").split(",")[0]
    return str(error["msg"]).removeprefix("Value error, ")


_PATTERN_EXAMPLES = {
    INSTANCE_TYPE: "an EC2 instance type such as t4g.small or m7i.large",
    DB_INSTANCE_CLASS: "an RDS instance class such as db.r6g.large or db.t4g.medium",
    CACHE_NODE_TYPE: "an ElastiCache node type such as cache.t4g.small or cache.r7g.large",
    REGION: "an AWS region such as us-east-1 or eu-west-1",
    WINDOW: "a UTC window hh:mm-hh:mm such as 03:00-04:00",
    WEEKLY_WINDOW: "a weekly UTC window ddd:hh:mm-ddd:hh:mm such as sun:05:00-sun:06:00",
    EMAIL: "an e-mail address such as ops@example.com",
    DNS_NAME: "a lower-case DNS zone name such as example.com",
    RECORD_LABEL: "a record label such as www, or @ for the zone apex",
}

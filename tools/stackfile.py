"""``Pulumi.yaml`` and ``Pulumi.<stack>.yaml`` read the way the Pulumi CLI reads them.

The offline preview stands in for ``pulumi preview``, so the config it hands the program must be
the config the CLI would hand it. The CLI's documented behaviour (Pulumi's "Stack settings file
reference" and "Configuration" pages; ``ValidateStackConfigAndApplyProjectConfig`` in the CLI's
workspace package and its tests), and what this module does for each:

* A stack file's top-level attributes are ``secretsprovider``, ``encryptedkey``,
  ``encryptionsalt``, ``config`` and ``environment``. Any other key is refused, named, with its
  line.
* A ``config`` key without a namespace (``web:``) belongs to the project (``webstack:web``).
* The CLI parses YAML with a YAML 1.2 resolver: only ``true``/``false`` are booleans, so ``yes``,
  ``no``, ``on`` and ``off`` reach the program as strings (PyYAML's YAML 1.1 would make them
  booleans). Scalars are passed as strings, objects and arrays as JSON.
* ``Pulumi.yaml`` config: an un-namespaced key declared with a ``default`` (or a bare value)
  supplies that default; a ``value`` is used as is; a key declared with a ``type`` but neither is
  required in every stack: ``Stack 'dev' is missing configuration value 'alarmEmail'``.
* A stack value of a declared key must have the declared type:
  ``Stack 'dev' with configuration key 'alarmEmail' must be of type 'string'``.
* A malformed file is an error naming the file and line, never a parser traceback.

Errors are ``StackFileError``; their text is what the preview prints after ``error:``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

STACK_FILE_ATTRIBUTES = (
    "secretsprovider",
    "encryptedkey",
    "encryptionsalt",
    "config",
    "environment",
)
_YAML12_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


class StackFileError(Exception):
    """A stack or project file the CLI would refuse; the message names the file and line."""


class CliYamlLoader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 booleans, as the CLI's YAML parser resolves them."""


CliYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
CliYamlLoader.add_implicit_resolver("tag:yaml.org,2002:bool", _YAML12_BOOL, list("tTfF"))


@dataclass(frozen=True)
class _Located:
    """A parsed document and the line of each top-level and ``config`` key in it."""

    document: Any
    key_lines: dict[str, int]


def _parse(path: Path) -> _Located:
    text = path.read_text()
    try:
        node = yaml.compose(text, Loader=CliYamlLoader)
        document = yaml.load(text, Loader=CliYamlLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f" line {mark.line + 1}" if mark is not None else ""
        problem = exc.problem or exc.context or "not valid YAML"
        raise StackFileError(f"{path.name}{line}: {problem}") from None
    except yaml.YAMLError as exc:
        raise StackFileError(f"{path.name}: {exc}") from None
    key_lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key_lines[str(key_node.value)] = key_node.start_mark.line + 1
            if key_node.value == "config" and isinstance(value_node, yaml.MappingNode):
                for config_key, _ in value_node.value:
                    key_lines[f"config.{config_key.value}"] = config_key.start_mark.line + 1
    return _Located(document, key_lines)


def _mapping(located: _Located, path: Path, what: str) -> dict[str, Any]:
    if located.document is None:
        return {}
    if not isinstance(located.document, Mapping):
        raise StackFileError(
            f"{path.name} line 1: expected {what} to be a mapping of keys to values, "
            f"got {type(located.document).__name__}"
        )
    return dict(located.document)


def full_key(key: str, project: str) -> str:
    """The CLI's namespacing: ``web`` is ``<project>:web``; ``aws:region`` stays as it is."""
    return key if ":" in key else f"{project}:{key}"


def as_config_string(value: Any) -> str:
    """How the CLI passes a config value to the program: scalars as text, the rest as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value)


@dataclass(frozen=True)
class Declaration:
    """One ``config`` entry of ``Pulumi.yaml``."""

    key: str
    type: str | None
    items: str | None
    default: Any
    has_default: bool

    @property
    def required(self) -> bool:
        return self.type is not None and not self.has_default

    @property
    def type_name(self) -> str:
        return f"array<{self.items}>" if self.type == "array" and self.items else str(self.type)

    def accepts(self, value: Any) -> bool:
        checks: dict[str, type | tuple[type, ...]] = {
            "string": str,
            "integer": int,
            "boolean": bool,
            "array": list,
        }
        expected = checks.get(self.type or "")
        if expected is None:
            return True
        if self.type == "integer" and isinstance(value, bool):
            return False
        if not isinstance(value, expected):
            return False
        if isinstance(value, list) and self.items in checks:
            return all(isinstance(item, checks[self.items or ""]) for item in value)
        return True


@dataclass(frozen=True)
class Project:
    name: str
    declarations: tuple[Declaration, ...]


def load_project(project_dir: Path) -> Project:
    path = project_dir / "Pulumi.yaml"
    document = _mapping(_parse(path), path, "the project file")
    name = document.get("name")
    if not isinstance(name, str) or not name:
        raise StackFileError(f"{path.name}: project is missing a 'name' attribute")
    declarations = []
    for key, declared in (document.get("config") or {}).items():
        if isinstance(declared, Mapping) and {"type", "default", "value", "description"} & set(
            declared
        ):
            has_default = "default" in declared or "value" in declared
            default = declared.get("default", declared.get("value"))
            items = declared.get("items")
            declarations.append(
                Declaration(
                    key=str(key),
                    type=declared.get("type"),
                    items=items.get("type") if isinstance(items, Mapping) else None,
                    default=default,
                    has_default=has_default,
                )
            )
        else:  # the short form: `key: value` is the default
            declarations.append(Declaration(str(key), None, None, declared, True))
    return Project(name=name, declarations=tuple(declarations))


def known_stacks(project_dir: Path) -> list[str]:
    return sorted(
        p.name.removeprefix("Pulumi.").removesuffix(".yaml")
        for p in project_dir.glob("Pulumi.*.yaml")
    )


def load_stack_config(
    stack: str,
    project_dir: Path,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, str]:
    """The config map the CLI hands the program for ``stack``: project defaults, the stack file,
    then ``overrides`` (as ``pulumi config set`` would have written them), values as strings.

    Raises ``StackFileError`` for anything the CLI would refuse.
    """
    project = load_project(project_dir)
    path = project_dir / f"Pulumi.{stack}.yaml"
    stack_config: dict[str, Any] = {}
    lines: dict[str, int] = {}
    if path.exists():
        located = _parse(path)
        document = _mapping(located, path, "the stack file")
        for attribute in document:
            if attribute not in STACK_FILE_ATTRIBUTES:
                raise StackFileError(
                    f"{path.name} line {located.key_lines.get(str(attribute), 1)}: unknown "
                    f"attribute '{attribute}'; a stack file may hold only "
                    + ", ".join(f"'{a}'" for a in STACK_FILE_ATTRIBUTES)
                    + " (did you mean to put it under 'config:'?)"
                )
        config = document.get("config") or {}
        if not isinstance(config, Mapping):
            raise StackFileError(
                f"{path.name} line {located.key_lines.get('config', 1)}: 'config' must be a "
                "mapping of keys to values"
            )
        for key, value in config.items():
            namespaced = full_key(str(key), project.name)
            if namespaced in stack_config:
                raise StackFileError(
                    f"{path.name} line {located.key_lines.get(f'config.{key}', 1)}: "
                    f"'{namespaced}' is set twice (as '{namespaced}' and as '{key}')"
                )
            stack_config[namespaced] = value
            lines[namespaced] = located.key_lines.get(f"config.{key}", 1)
    elif overrides is None:
        raise StackFileError(
            f"no stack file {path.name}; stacks here: {', '.join(known_stacks(project_dir))}"
        )
    stack_config.update({full_key(k, project.name): v for k, v in (overrides or {}).items()})

    merged: dict[str, Any] = {}
    missing: list[str] = []
    for declaration in project.declarations:
        key = full_key(declaration.key, project.name)
        if key in stack_config:
            value = stack_config[key]
            if not declaration.accepts(value):
                where = f"{path.name} line {lines[key]}: " if key in lines else ""
                raise StackFileError(
                    f"{where}Stack '{stack}' with configuration key '{declaration.key}' must be "
                    f"of type '{declaration.type_name}'"
                )
        elif declaration.required:
            missing.append(declaration.key)
        elif declaration.default is not None:
            merged[key] = declaration.default
    if missing:
        raise StackFileError(_missing_message(stack, missing))
    merged.update(stack_config)
    return {key: as_config_string(value) for key, value in merged.items() if value is not None}


def _missing_message(stack: str, missing: list[str]) -> str:
    quoted = [f"'{key}'" for key in sorted(missing)]
    if len(quoted) == 1:
        return f"Stack '{stack}' is missing configuration value {quoted[0]}"
    listed = ", ".join(quoted[:-1]) + f" and {quoted[-1]}"
    return f"Stack '{stack}' is missing configuration values {listed}"


def environment_of(stack: str, project_dir: Path) -> str:
    """The stack's ``webstack:environment`` (the project default when unset): the policy pack's
    config is chosen per environment (``policies/config/<environment>.json``)."""
    project = load_project(project_dir)
    config = load_stack_config(stack, project_dir)
    return config.get(f"{project.name}:environment", "dev")


def pack_config_path(stack: str, project_dir: Path) -> Path | None:
    """The policy pack config the stack is checked with: its environment's, when shipped."""
    path = project_dir / "policies" / "config" / f"{environment_of(stack, project_dir)}.json"
    return path if path.exists() else None


def main(argv: list[str] | None = None) -> int:
    """``python -m tools.stackfile environment|pack-config STACK``: print the stack's
    environment, or the path of its policy pack config (nothing when there is none)."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] not in ("environment", "pack-config"):
        print("usage: python -m tools.stackfile environment|pack-config STACK", file=sys.stderr)
        return 2
    try:
        if args[0] == "environment":
            print(environment_of(args[1], Path.cwd()))
        else:
            path = pack_config_path(args[1], Path.cwd())
            print(path.relative_to(Path.cwd()) if path else "")
    except StackFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

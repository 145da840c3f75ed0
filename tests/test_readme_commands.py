"""Every command the docs give that can be checked offline works as written: the stack names
`pulumi stack init` creates pass the program's stack-name check, `make` targets exist, `python -m`
modules exist, and each `pulumi config set` of a concrete value, applied to the stack file it is
meant for (dev, or prod for production-only values), gives a configuration the program accepts."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from components.config.errors import ConfigError
from components.config.loader import load
from tools.mockcloud import load_stack_config
from tools.preview import _parse_path_override, apply_paths

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", ROOT / "policies" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _code(text: str) -> list[str]:
    """The docs' code: each line of a fenced block; the inline code spans of each table row, and
    of each paragraph (spans wrap across lines), together: a row's commands are meant together."""
    lines: list[str] = []
    fenced = False
    paragraph: list[str] = []

    def spans(prose: str) -> None:
        found = re.findall(r"`([^`]+)`", prose)
        if found:
            lines.append("  ;  ".join(" ".join(span.split()) for span in found))

    for line in [*text.splitlines(), ""]:
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            lines.append(line)
        elif line.lstrip().startswith("|"):
            spans(line)
        elif line.strip():
            paragraph.append(line)
            continue
        spans("\n".join(paragraph))
        paragraph = []
    return lines


CODE = [line for path in DOCS for line in _code(path.read_text())]
TEXT = "\n".join(CODE)

STACK_INIT = re.compile(r"pulumi stack init ([A-Za-z0-9_.-]+)")
MAKE = re.compile(r"(?:^|;|&&)\s*make (?:-s )?([a-z][a-z-]*)", re.MULTILINE)
PYTHON_M = re.compile(r"python -m ([a-z_][a-z_.]*)")
# `pulumi config set [--path] ['webstack:<key>'] <value>` with a concrete value (no <placeholder>).
CONFIG_SET = re.compile(
    r"pulumi config set (--path )?(--type string )?'?(webstack:[A-Za-z0-9_.\[\]]+)'? "
    r"([^\s`<>|;]+)"
)


def _makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text()
    return set(re.findall(r"^([a-z][a-z-]*):", text, re.MULTILINE))


def test_the_docs_give_commands_to_check() -> None:
    # The patterns still find what they are meant to (a change of wording would empty them).
    assert STACK_INIT.findall(TEXT) and MAKE.findall(TEXT) and PYTHON_M.findall(TEXT)
    assert len(CONFIG_SET.findall(TEXT)) >= 10


@pytest.mark.parametrize("stack", sorted(set(STACK_INIT.findall(TEXT))))
def test_every_stack_the_docs_create_has_a_name_the_program_accepts(stack: str) -> None:
    raw = {"environment": "dev"}
    try:
        load(raw, stack=stack, region="us-east-1")
    except ConfigError as exc:
        pytest.fail(f"`pulumi stack init {stack}` in the docs: {exc}")


@pytest.mark.parametrize("target", sorted(set(MAKE.findall(TEXT))))
def test_every_make_target_the_docs_name_exists(target: str) -> None:
    assert target in _makefile_targets(), f"`make {target}` in the docs: no such target"


@pytest.mark.parametrize("module", sorted(set(PYTHON_M.findall(TEXT))))
def test_every_python_module_the_docs_run_exists(module: str) -> None:
    if module in ("pip", "venv", "pytest"):
        return
    assert importlib.util.find_spec(module) is not None, f"`python -m {module}` in the docs"


def _applied(
    stack: str, overrides: dict[str, object], path: bool, as_string: bool, key: str, value: str
) -> dict[str, object]:
    """``overrides`` with one `pulumi config set` applied, as the CLI stores it: with ``--path``
    parsed and typed as the offline preview's ``--config-path`` does (true/false booleans,
    integers numbers), the value kept a string with ``--type string``."""
    if not path:
        return {**overrides, key: value}
    section, parts, typed = _parse_path_override(f"{key}={value}")
    return apply_paths(stack, overrides, [(section, parts, value if as_string else typed)])


# The config commands of each line, applied together (e.g. a domain's zone and record).
CONFIG_EDITS = sorted(
    {tuple((bool(p), bool(t), k, v) for p, t, k, v in CONFIG_SET.findall(line)) for line in CODE}
    - {()}
)


@pytest.mark.parametrize("edits", CONFIG_EDITS, ids=lambda e: " + ".join(k for _, _, k, _ in e))
def test_every_config_set_the_docs_give_is_accepted(
    edits: tuple[tuple[bool, bool, str, str], ...],
) -> None:
    # Production-only values (a DR mirror needs prod's sizes) are tried on prod, the rest on dev.
    stack = "prod" if any(key.startswith("webstack:dr.") for _, _, key, _ in edits) else "dev"
    overrides: dict[str, object] = {}
    for path, as_string, key, value in edits:
        overrides = _applied(stack, overrides, path, as_string, key, value)
    config = load_stack_config(stack, overrides)
    raw = {k.partition(":")[2]: v for k, v in config.items() if k.startswith("webstack:")}
    try:
        load(raw, stack=stack, region=config.get("aws:region", "us-east-1"))
    except ConfigError as exc:
        shown = "; ".join(
            f"pulumi config set {'--path ' * p}{'--type string ' * t}{k} {v}"
            for p, t, k, v in edits
        )
        pytest.fail(f"`{shown}`: {exc}")

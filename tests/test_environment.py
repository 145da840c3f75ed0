"""The program's environment is reproducible: every installed package is pinned."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# pip's own tooling is not part of what `make venv` installs from the requirements.
TOOLING = {"pip", "setuptools", "wheel"}


def _name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def _pins(path: Path) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith(("-r", "-c")):
            continue
        name, separator, version = line.partition("==")
        assert separator, f"{path.name}: {line!r} is not pinned with =="
        pins[_name(name.split("[", 1)[0])] = version.strip()
    return pins


def test_every_installed_package_is_pinned_in_the_constraints() -> None:
    constraints = _pins(ROOT / "constraints.txt")
    installed = {_name(d.metadata["Name"]): d.version for d in importlib.metadata.distributions()}
    unpinned = {n: v for n, v in installed.items() if n not in constraints and n not in TOOLING}
    assert unpinned == {}, "run `make constraints` after changing a requirements file"
    drifted = {
        n: (v, constraints[n])
        for n, v in installed.items()
        if n in constraints and v != constraints[n]
    }
    assert drifted == {}


def test_the_requirements_agree_with_the_constraints() -> None:
    constraints = _pins(ROOT / "constraints.txt")
    for requirements in ("requirements.txt", "requirements-dev.txt"):
        for name, version in _pins(ROOT / requirements).items():
            assert constraints.get(name) == version, f"{requirements}: {name}=={version}"

"""The mock harness runs only under the pulumi SDK it was written against
(tools/mockcloud/sdk_guard.py): it uses private internals of the SDK, which can change in any
release."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest

from tools.mockcloud.sdk_guard import (
    REQUIREMENTS,
    SdkVersionMismatch,
    check_installed_sdk,
    check_sdk_version,
    pinned_version,
)

ROOT = Path(__file__).resolve().parents[1]
PINNED = pinned_version(REQUIREMENTS.read_text())


def test_the_pin_is_the_root_requirements_exact_pin_of_pulumi() -> None:
    assert REQUIREMENTS == ROOT / "requirements.txt"
    assert pinned_version((ROOT / "constraints.txt").read_text()) == PINNED
    assert pinned_version("pulumi-aws==7.51.1\nPulumi == 3.1.0  # the SDK\n") == "3.1.0"


def test_a_mismatched_sdk_is_refused_with_a_one_line_message() -> None:
    with pytest.raises(SdkVersionMismatch) as refused:
        check_sdk_version("3.0.0", PINNED)
    message = str(refused.value)
    assert "\n" not in message
    assert f"private internals of pulumi {PINNED}" in message
    assert "but 3.0.0 is installed" in message
    assert "tools/mockcloud/sdk_guard.py" in message and "make venv" in message


def test_the_pinned_sdk_is_accepted() -> None:
    check_sdk_version(PINNED, PINNED)
    assert importlib.metadata.version("pulumi") == PINNED
    check_installed_sdk()


def test_a_requirements_file_without_an_exact_pin_is_refused() -> None:
    with pytest.raises(SdkVersionMismatch, match="pins no exact version of pulumi"):
        pinned_version("pulumi>=3\npulumi-aws==7.51.1\n")


def test_the_package_refuses_to_load_under_another_sdk() -> None:
    # The guard runs before any private import: a different SDK may not have those names.
    program = (
        "import importlib.metadata as m, sys\n"
        "real = m.version\n"
        "m.version = lambda name: '0.0.1' if name == 'pulumi' else real(name)\n"
        "try:\n"
        "    import tools.mockcloud\n"
        "except Exception as error:\n"
        "    print(f'{type(error).__name__}: {error}')\n"
        "print('tools.mockcloud.run' in sys.modules, 'tools.mockcloud.monitor' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    refusal, imported = result.stdout.splitlines()
    assert refusal.startswith("SdkVersionMismatch: tools.mockcloud synthesizes through private")
    assert "but 0.0.1 is installed" in refusal
    assert imported == "False False"

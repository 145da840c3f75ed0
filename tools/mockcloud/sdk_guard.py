"""Refuse to synthesize under a Pulumi SDK other than the one the mock harness was written against.

``tools.mockcloud`` drives the program through private internals of the ``pulumi`` SDK, which can
change in any release:

- ``pulumi.runtime.sync_await._sync_await`` (run.py: runs the program and reads stack outputs);
- ``pulumi.runtime.stack.run_pulumi_func`` and ``pulumi.runtime.settings.ROOT`` /
  ``settings.get_root_resource`` (run.py: a fresh root stack per synthesis, its outputs);
- ``pulumi.runtime.rpc._special_sig_key`` and ``rpc._special_secret_sig`` (monitor.py: secrets and
  unknowns in the serialized Struct);
- ``pulumi.runtime.mocks.MockMonitor``'s ``RegisterResource`` and the URNs it builds (monitor.py:
  ``RecordingMonitor`` wraps it; ``_alias_urns`` rebuilds alias URNs the same way).

So the package refuses to load unless the installed ``pulumi`` is exactly the version pinned in the
repository's ``requirements.txt``: a pin bump must come with a re-read of those internals and a run
of the tests that use the harness (tests/test_preview.py, tests/test_preview_snapshot.py,
tests/test_cli_parity.py, tests/ops/test_world.py). The same guard as the policy pack's
(policies/guardrails/server.py), written again here: the pack is standalone and tools do not
import it.
"""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

SDK_DISTRIBUTION = "pulumi"
REQUIREMENTS = Path(__file__).resolve().parents[2] / "requirements.txt"


class SdkVersionMismatch(RuntimeError):
    """The installed pulumi SDK is not the version the mock harness was written against."""


def _normalized(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


def pinned_version(requirements: str, distribution: str = SDK_DISTRIBUTION) -> str:
    """The exact ``name==version`` pin of ``distribution`` in a requirements file's text."""
    wanted = _normalized(distribution)
    for line in requirements.splitlines():
        match = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*==\s*([^\s#;]+).*", line)
        if match and _normalized(match[1]) == wanted:
            return match[2]
    raise SdkVersionMismatch(f"{REQUIREMENTS.name} pins no exact version of {distribution}")


def check_sdk_version(installed: str, pinned: str) -> None:
    if installed != pinned:
        raise SdkVersionMismatch(
            f"tools.mockcloud synthesizes through private internals of {SDK_DISTRIBUTION} "
            f"{pinned} (listed in tools/mockcloud/sdk_guard.py), but {installed} is installed: "
            f"reinstall .venv from requirements.txt (make venv), or re-check tools/mockcloud "
            f"against {installed} and update the pin"
        )


def check_installed_sdk() -> None:
    """Raise ``SdkVersionMismatch`` unless the installed pulumi is the pinned one."""
    check_sdk_version(
        importlib.metadata.version(SDK_DISTRIBUTION), pinned_version(REQUIREMENTS.read_text())
    )

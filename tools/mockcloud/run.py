"""Run: synthesize a stack under the mocks and return what it registered, exported and warned.

``synthesize(stack)`` loads ``Pulumi.yaml`` and ``Pulumi.<stack>.yaml`` and hands their config to
the program the way the CLI does (structured values as JSON strings), installs
``pulumi.runtime.set_mocks`` with a ``RecordingMonitor`` and a ``MockCloud``, runs the real
``__main__.py`` and returns a ``Synthesis``. The Pulumi runtime is process-global: one synthesis
at a time (``_RUNTIME_LOCK``).

Private SDK internals used here (guarded by ``tools.mockcloud.sdk_guard``):
``pulumi.runtime.sync_await._sync_await``, ``pulumi.runtime.stack.run_pulumi_func``,
``pulumi.runtime.settings.ROOT`` and ``settings.get_root_resource``.
"""

from __future__ import annotations

import json
import logging
import runpy
import sys
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi.runtime
from pulumi.runtime import settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from components.naming import PROJECT
from tools import stackfile
from tools.mockcloud.account import ACCOUNT_ID
from tools.mockcloud.monitor import Invoke, MockCloud, RecordedResource, RecordingMonitor

# The repository root: tools/mockcloud/run.py -> tools/mockcloud -> tools -> the root.
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Synthesis:
    """What one run of the program registered, exported, warned and failed with."""

    stack: str
    preview: bool
    resources: list[RecordedResource]
    outputs: dict[str, Any]
    unknown_outputs: set[str]
    warnings: list[str]
    error: str | None
    invokes: list[Invoke] = field(default_factory=list)
    # Exported values that are secrets (``pulumi stack output`` shows them as [secret]).
    secret_outputs: set[str] = field(default_factory=set)

    def of_type(self, type_token: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == type_token]

    def named(self, name: str) -> RecordedResource:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources are named {name!r}")
        return matches[0]

    def by_urn(self, urn: str) -> RecordedResource:
        for resource in self.resources:
            if resource.urn == urn:
                return resource
        raise KeyError(urn)

    def by_id(self, id_: str) -> RecordedResource:
        """Follow a reference (deployed mode): the resource whose id is ``id_``."""
        matches = [r for r in self.resources if r.custom and id_ and r.id == id_]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources have id {id_!r}")
        return matches[0]

    def by_arn(self, arn: str) -> RecordedResource:
        """Follow an ARN reference (deployed mode)."""
        matches = [r for r in self.resources if arn and r.outputs.get("arn") == arn]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources have ARN {arn!r}")
        return matches[0]

    @property
    def cloud_resources(self) -> list[RecordedResource]:
        """Resources a deployment would create in AWS (not components, not providers)."""
        return [r for r in self.resources if r.custom and not r.type.startswith("pulumi:")]

    def children(self, parent_urn: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.parent == parent_urn]

    def descendants(self, ancestor_urn: str) -> Iterator[RecordedResource]:
        for child in self.children(ancestor_urn):
            yield child
            yield from self.descendants(child.urn)

    def count_by_type(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for resource in self.resources:
            counts[resource.type] = counts.get(resource.type, 0) + 1
        return dict(sorted(counts.items()))


# --------------------------------------------------------------------------------------------
# Stack configuration, as the CLI passes it to the program
# --------------------------------------------------------------------------------------------
def load_stack_config(
    stack: str, overrides: Mapping[str, Any] | None = None, project_dir: Path = ROOT
) -> dict[str, str]:
    """The config map the CLI would hand the program (see ``tools.stackfile``)."""
    return stackfile.load_stack_config(stack, project_dir, overrides)


class _WarningCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno == logging.WARNING:
            self.messages.append(record.getMessage())


ALLOWED_ACCOUNTS = f"{PROJECT}:allowedAccountIds"


def needs_an_account(config: Mapping[str, str]) -> bool:
    """Whether ``config`` (as the CLI hands it over) is a production stack naming no allowed
    account: an update of it is refused until one is set (see ``synthesize``)."""
    named = json.loads(config.get(ALLOWED_ACCOUNTS) or "[]")
    return config.get(f"{PROJECT}:environment") == "prod" and not named


# The Pulumi runtime is process-global: one synthesis at a time.
_RUNTIME_LOCK = threading.Lock()


def synthesize(
    stack: str = "dev",
    *,
    overrides: Mapping[str, Any] | None = None,
    preview: bool = True,
    project_dir: Path = ROOT,
    mock_account: bool = True,
) -> Synthesis:
    """Run the program for ``stack`` under mocks and return everything it registered.

    ``overrides`` maps full config keys (``"webstack:network"``) to values (objects allowed) and
    is applied over the stack file. A configuration error (``pulumi.RunError``) is returned in
    ``Synthesis.error``; any other exception is a bug and propagates.

    ``mock_account``: an update (``preview=False``) stands for a deployment by an operator, who
    must name a production stack's account first (the program refuses ``pulumi up`` of one
    without): a production stack that names none is given the mock cloud's (``ACCOUNT_ID``).
    ``tools.preview --deployed`` (``make up``) passes False, and refuses as ``pulumi up`` does.
    """
    config = load_stack_config(stack, overrides, project_dir)
    if not preview and mock_account and needs_an_account(config):
        overrides = {**(overrides or {}), ALLOWED_ACCOUNTS: [ACCOUNT_ID]}
        config = load_stack_config(stack, overrides, project_dir)
    region = config.get("aws:region", "us-east-1")
    with _RUNTIME_LOCK:
        cloud = MockCloud(default_region=region, preview=preview)
        monitor = RecordingMonitor(cloud)
        logger = logging.getLogger(f"webstack.mockcloud.{stack}")
        logger.propagate = False
        collector = _WarningCollector()
        logger.handlers = [collector]

        settings.ROOT.set(None)
        pulumi.runtime.set_all_config(config, [])
        pulumi.runtime.set_mocks(
            cloud, project=PROJECT, stack=stack, preview=preview, logger=logger, monitor=monitor
        )
        if str(project_dir) not in sys.path:
            sys.path.insert(0, str(project_dir))

        def run_program() -> None:
            runpy.run_path(str(project_dir / "__main__.py"), run_name="__main__")

        error: str | None = None
        try:
            _sync_await(run_pulumi_func(run_program))
        except pulumi.RunError as exc:
            error = str(exc)

        outputs, unknown, secret = _stack_outputs()
        return Synthesis(
            stack=stack,
            preview=preview,
            resources=list(monitor.recorded),
            outputs=outputs,
            unknown_outputs=unknown,
            warnings=list(collector.messages),
            error=error,
            invokes=list(cloud.invokes),
            secret_outputs=secret,
        )


def _stack_outputs() -> tuple[dict[str, Any], set[str], set[str]]:
    root = settings.get_root_resource()
    exported: Mapping[str, Any] = getattr(root, "outputs", {}) or {}
    values: dict[str, Any] = {}
    unknown: set[str] = set()
    secret: set[str] = set()
    for key, value in exported.items():
        output = pulumi.Output.from_input(value)
        if _sync_await(output.is_secret()):
            secret.add(key)
        if not _sync_await(output.is_known()):
            unknown.add(key)
            values[key] = None
            continue
        values[key] = _sync_await(output.future())
    return values, unknown, secret

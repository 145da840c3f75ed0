"""Run the runbook CLI in this process and SIGKILL it at a step boundary (a test launcher).

    python -m tests.ops.kill_at STEP PHASE STATE_FILE -- failover --outputs ... --execute

PHASE ``running``: killed as the step starts (journaled as running, nothing done yet);
``done``: killed right after the step's effect, before the journal moves on. STATE_FILE is JSON
with the endpoints to use and the ElastiCache global datastores the tests answer for moto
(support.DATASTORES), written back after every change so the test process sees them.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from ops import journal
from ops.cli import main
from tests.ops import support


def _install_kill(step: str, phase: str) -> None:
    update = journal.Journal.update

    def update_then_maybe_die(self: journal.Journal, name: str, **fields: Any) -> None:
        if name == step and phase == "acted" and fields.get("status") == "done":
            os.kill(os.getpid(), signal.SIGKILL)  # the step acted; the journal never hears of it
        update(self, name, **fields)
        if name == step and phase == "running" and fields.get("status") == "running":
            os.kill(os.getpid(), signal.SIGKILL)

    journal.Journal.update = update_then_maybe_die  # type: ignore[method-assign]


def run(argv: list[str]) -> int:
    step, phase, state_file = argv[0], argv[1], Path(argv[2])
    state = json.loads(state_file.read_text())
    support.DATASTORES.groups.update(state["datastores"])
    session = support.fresh_session()

    def save(**_: Any) -> None:
        state["datastores"] = support.DATASTORES.groups
        state_file.write_text(json.dumps(state))

    session.events.register("after-call.elasticache.FailoverGlobalReplicationGroup", save)
    aws = support.make_aws(state["endpoints"], boto_session=session)
    if step != "-":
        _install_kill(step, phase)
    return main(argv[argv.index("--") + 1 :], aws=aws)


if __name__ == "__main__":
    raise SystemExit(run(sys.argv[1:]))

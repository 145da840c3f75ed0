"""The journal: what a failover/failback run did, step by step, so a re-run resumes."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

VERSION = 1
STATUSES = ("pending", "running", "done", "failed", "interrupted", "skipped")


class JournalError(Exception):
    """A journal the runbook refuses to use; the message names the path."""


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@dataclass
class Journal:
    path: Path
    data: dict[str, Any]

    @classmethod
    def open(
        cls, path: Path, *, project: str, stack: str, strategy: str, verb: str, steps: list[str]
    ) -> Journal:
        """Load the journal at `path` (or start one). Refuses a journal of another stack,
        strategy or verb; archives a completed one and starts afresh."""
        identity = {"project": project, "stack": stack, "strategy": strategy, "verb": verb}
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as err:
                raise JournalError(f"journal {path}: unreadable ({err}); move it away") from None
            if not isinstance(data, dict):
                raise JournalError(f"journal {path}: not a webstack ops journal; move it away")
            theirs = {key: data.get(key) for key in identity}
            if theirs != identity:
                raise JournalError(
                    f"journal {path} belongs to {theirs['project']}/{theirs['stack']} "
                    f"({theirs['verb']}, strategy {theirs['strategy']}), not "
                    f"{project}/{stack} ({verb}, strategy {strategy}): pass another --journal "
                    "or move it away"
                )
            if data.get("completed"):
                done = path.with_name(f"{path.name}.{int(time.time())}.done")
                path.rename(done)
            else:
                known = [step["name"] for step in data.get("steps", [])]
                if known != steps:
                    raise JournalError(
                        f"journal {path} records steps {known}, this run plans {steps}: "
                        "the outputs changed since it was written; move it away"
                    )
                journal = cls(path, data)
                journal.data["runs"].append({"startedAt": _now(), "startedEpoch": time.time()})
                journal.save()
                return journal
        data = {
            "version": VERSION,
            **identity,
            "completed": False,
            "firstStartedEpoch": time.time(),
            "runs": [{"startedAt": _now(), "startedEpoch": time.time()}],
            "facts": {},
            "steps": [{"name": name, "status": "pending"} for name in steps],
        }
        journal = cls(path, data)
        journal.save()
        return journal

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(self.data, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, self.path)

    def step(self, name: str) -> dict[str, Any]:
        for step in self.data["steps"]:
            if step["name"] == name:
                return dict(step)
        raise KeyError(name)

    def update(self, name: str, **fields: Any) -> None:
        for step in self.data["steps"]:
            if step["name"] == name:
                step.update(fields)
                if "status" in fields:
                    step[f"{fields['status']}At"] = _now()
        self.save()

    @property
    def facts(self) -> dict[str, Any]:
        facts: dict[str, Any] = self.data["facts"]
        return facts

    def remember(self, **facts: Any) -> None:
        self.data["facts"].update(facts)
        self.save()

    def finish(self, completed: bool) -> None:
        self.data["completed"] = completed
        self.data["runs"][-1]["endedAt"] = _now()
        self.save()

    @property
    def first_started(self) -> float:
        return float(self.data["firstStartedEpoch"])

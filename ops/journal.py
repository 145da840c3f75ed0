"""The journal: what a failover/failback run did, step by step, so a re-run resumes.

One file per stack and verb, in ``$WEBSTACK_OPS_HOME`` (default ``~/.webstack-ops``) whatever
directory the operator runs from, validated field by field when read. A lock beside it (per
stack) makes a second operator's run refuse while one is under way; the kernel drops the lock
when the holding process dies, even by SIGKILL.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

VERSION = 1
Status = Literal["pending", "running", "done", "failed", "interrupted", "skipped"]
STATUSES: tuple[str, ...] = Status.__args__  # type: ignore[attr-defined]


class JournalError(Exception):
    """A journal the runbook refuses to use; the message names the path."""


class AlreadyComplete(Exception):
    """The verb's journal says it completed: nothing to do without --again."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path, self.data = path, data
        super().__init__(str(path))


def home() -> Path:
    """Where journals live by default."""
    configured = os.environ.get("WEBSTACK_OPS_HOME")
    return Path(configured).expanduser() if configured else Path.home() / ".webstack-ops"


def default_path(project: str, stack: str, verb: str) -> Path:
    return home() / f"{project}-{stack}-{verb}.json"


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class _Run(BaseModel):
    model_config = ConfigDict(extra="allow")
    startedAt: str
    startedEpoch: float


class _Step(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str
    status: Status


class _Journal(BaseModel):
    """Every field the runbook reads: a journal missing one is refused, never half-used."""

    model_config = ConfigDict(extra="allow")
    version: Literal[1]
    project: str
    stack: str
    strategy: str
    verb: str
    completed: bool
    firstStartedEpoch: float
    runs: list[_Run] = Field(min_length=1)
    facts: dict[str, Any]
    steps: list[_Step]


def _problem(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "(top level)"
    return f"'{where}' {'is missing' if first['type'] == 'missing' else first['msg'].lower()}"


@dataclass
class Journal:
    path: Path
    data: dict[str, Any]
    # The step a previous run was in when it stopped without recording an end (killed).
    stopped_during: str | None = None
    _lock: IO[str] | None = field(default=None, repr=False)

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        project: str,
        stack: str,
        strategy: str,
        verb: str,
        steps: list[str],
        again: bool = False,
    ) -> Journal:
        """Load the journal at `path` (or start one) and hold the stack's lock. Refuses a journal
        of another stack, strategy or verb, a malformed one, and a run while another holds the
        lock; a completed one raises AlreadyComplete unless `again` (then it is archived)."""
        lock = _take_lock(path, project, stack, verb)
        identity = {"project": project, "stack": stack, "strategy": strategy, "verb": verb}
        if path.exists():
            data = _read(path)
            theirs = {key: data.get(key) for key in identity}
            if theirs != identity:
                raise JournalError(
                    f"journal {path} belongs to {theirs['project']}/{theirs['stack']} "
                    f"({theirs['verb']}, strategy {theirs['strategy']}), not "
                    f"{project}/{stack} ({verb}, strategy {strategy}): pass another --journal "
                    "or move it away"
                )
            try:
                _Journal.model_validate(data)
            except ValidationError as err:
                raise JournalError(
                    f"journal {path}: not a complete webstack ops journal ({_problem(err)}); "
                    "move it away and re-run (every step checks AWS before it acts)"
                ) from None
            if data["completed"] and not again:
                raise AlreadyComplete(path, data)
            if data["completed"]:
                path.rename(path.with_name(f"{path.name}.{int(time.time())}.done"))
            else:
                known = [step["name"] for step in data["steps"]]
                if known != steps:
                    raise JournalError(
                        f"journal {path} records steps {known}, this run plans {steps}: "
                        "the outputs changed since it was written; move it away"
                    )
                running = [s["name"] for s in data["steps"] if s["status"] == "running"]
                journal = cls(path, data, running[0] if running else None, lock)
                journal.data["runs"].append(_run())
                journal.save()
                return journal
        data = {
            "version": VERSION,
            **identity,
            "completed": False,
            "firstStartedEpoch": time.time(),
            "runs": [_run()],
            "facts": {},
            "steps": [{"name": name, "status": "pending"} for name in steps],
        }
        journal = cls(path, data, None, lock)
        journal.save()
        return journal

    def save(self) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            tmp.write_text(json.dumps(self.data, indent=2) + "\n", encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as err:
            raise JournalError(f"journal {self.path}: cannot write ({err.strerror})") from None

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

    def close(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None


def _run() -> dict[str, Any]:
    return {"startedAt": _now(), "startedEpoch": time.time(), "pid": os.getpid()}


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as err:
        raise JournalError(f"journal {path}: unreadable ({err}); move it away") from None
    if not isinstance(data, dict):
        raise JournalError(f"journal {path}: not a webstack ops journal; move it away")
    return data


def _take_lock(path: Path, project: str, stack: str, verb: str) -> IO[str]:
    """The stack's lock beside its journals: one failover or failback at a time."""
    lock_path = path.with_name(f"{project}-{stack}.lock")
    blocking = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise JournalError(
            f"journal {path}: cannot create it ({blocking} is a file, not a directory); pass "
            "--journal with a writable path"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = lock_path.open("a+", encoding="utf-8")
    except OSError as err:
        raise JournalError(
            f"journal {path}: cannot create it ({err.strerror}); pass --journal with a "
            "writable path"
        ) from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise JournalError(
            f"another run holds {lock_path} ({holder}): one {project}/{stack} failover or "
            "failback at a time; wait for it to finish, then re-run"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{verb} pid {os.getpid()} since {_now()}")
    handle.flush()
    return handle

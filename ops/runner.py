"""Running steps: progress, timing, journal, waits with timeouts, Ctrl-C."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from ops.aws import AWS_FAILURES, Aws, describe_error
from ops.journal import Journal
from ops.outputs import StackOutputs


class StepFailed(Exception):
    """A step that cannot finish; the message says why and what to do."""


class Refused(Exception):
    """Bad input or a precondition that forbids any change (exit 2, nothing changed)."""


@dataclass
class Options:
    execute: bool = False
    force_reason: str | None = None
    timeout: float = 900.0
    poll: float = 15.0
    confirm_minutes: int = 3


@dataclass
class Context:
    outputs: StackOutputs
    aws: Aws
    options: Options
    out: TextIO = field(default_factory=lambda: sys.stderr)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    journal: Journal | None = None
    activity: str = ""
    quiet: bool = False

    @property
    def tty(self) -> bool:
        return bool(getattr(self.out, "isatty", lambda: False)())

    def client(self, service: str, region: str) -> Any:
        return self.aws.client(service, region)

    def say(self, line: str) -> None:
        if not self.quiet:
            print(line, file=self.out, flush=True)

    def wait_until(
        self, what: str, probe: Callable[[], tuple[bool, str]], timeout: float | None = None
    ) -> str:
        """Poll `probe` until it reports done; StepFailed after `timeout` seconds."""
        limit = self.options.timeout if timeout is None else timeout
        start = self.clock()
        self.activity = what
        while True:
            done, state = probe()
            elapsed = self.clock() - start
            if done:
                if self.tty and not self.quiet:
                    self.out.write("\r\033[K")
                return state
            if elapsed >= limit:
                raise StepFailed(f"timed out after {limit:.0f}s waiting for {what} (last: {state})")
            if self.tty and not self.quiet:
                self.out.write(f"\r\033[K  ... {what}: {state} ({elapsed:.0f}s/{limit:.0f}s)")
                self.out.flush()
            self.sleep(self.options.poll)


@dataclass(frozen=True)
class Step:
    name: str
    title: str
    run: Callable[[Context], str]
    changes: bool = False  # whether --execute is needed (it acts on AWS)
    # A decision taken once and kept in the journal; every other step runs again on a re-run
    # and reads the world before it acts, so an earlier run's record is never trusted blindly.
    once: bool = False


@dataclass
class StepResult:
    name: str
    title: str
    status: str
    seconds: float = 0.0
    detail: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "status": self.status,
            "seconds": round(self.seconds, 3),
            "detail": self.detail,
        }


@dataclass
class RunReport:
    verb: str
    steps: list[StepResult]
    seconds: float
    completed: bool
    interrupted: bool = False
    measured_rto: float | None = None
    journal: str | None = None

    @property
    def undone(self) -> list[str]:
        return [step.name for step in self.steps if step.status not in ("done", "skipped")]

    def as_json(self) -> dict[str, Any]:
        return {
            "verb": self.verb,
            "completed": self.completed,
            "interrupted": self.interrupted,
            "seconds": round(self.seconds, 3),
            "measuredRtoSeconds": None
            if self.measured_rto is None
            else round(self.measured_rto, 3),
            "leftUndone": self.undone,
            "journal": self.journal,
            "steps": [step.as_json() for step in self.steps],
        }


class Skip(Exception):
    """Raised by a step that does not apply (the message says why); not a failure."""


def run_steps(ctx: Context, verb: str, steps: list[Step], journal: Journal) -> RunReport:
    ctx.journal = journal
    results: list[StepResult] = []
    started = ctx.clock()
    interrupted = False
    failed = False
    if journal.stopped_during:
        ctx.say(
            f"the last run stopped during {journal.stopped_during} without recording an end "
            "(killed?); checking its state"
        )
    elif len(journal.data["runs"]) > 1:
        ctx.say(f"resuming {verb} from journal {journal.path}; every step checks AWS again")
    for index, step in enumerate(steps, 1):
        prefix = f"[{index}/{len(steps)}] {step.name}"
        if failed or interrupted:
            results.append(StepResult(step.name, step.title, "not run"))
            continue
        record = journal.step(step.name)
        if step.once and record["status"] in ("done", "skipped"):
            results.append(
                StepResult(
                    step.name,
                    step.title,
                    record["status"],
                    0.0,
                    f"decided in an earlier run: {record.get('detail', '')}",
                )
            )
            ctx.say(f"{prefix}: {record['status']} in an earlier run")
            continue
        if ctx.tty:
            ctx.say(f"{prefix}: {step.title}")
        journal.update(step.name, status="running")
        t0 = ctx.clock()
        ctx.activity = step.title
        status, detail = "done", ""
        try:
            detail = step.run(ctx)
        except KeyboardInterrupt:
            status, detail = "interrupted", f"interrupted (Ctrl-C) while {ctx.activity}"
            interrupted = True
        except Skip as skip:
            status, detail = "skipped", str(skip)
        except StepFailed as err:
            status, detail = "failed", str(err)
            failed = True
        except AWS_FAILURES as err:
            status, detail = "failed", describe_error(err).splitlines()[0][:300]
            failed = True
        seconds = ctx.clock() - t0
        journal.update(step.name, status=status, seconds=round(seconds, 3), detail=detail)
        results.append(StepResult(step.name, step.title, status, seconds, detail))
        ctx.say(f"{prefix}: {status} in {seconds:.1f}s - {detail}")
    completed = not failed and not interrupted
    journal.finish(completed)
    measured = (time.time() - journal.first_started) if completed else None
    return RunReport(
        verb=verb,
        steps=results,
        seconds=ctx.clock() - started,
        completed=completed,
        interrupted=interrupted,
        measured_rto=measured,
        journal=str(journal.path),
    )

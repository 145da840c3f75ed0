"""`python -m ops VERB --outputs FILE|-`: the webstack operations runbook.

Exit codes: 0 done; 1 something failed or is left undone (the report says what); 2 refused
before any change (bad outputs, credentials, profile, account, no DR, a journal it cannot use,
another run under way); 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

import boto3
import botocore.exceptions

from ops import checks, facts, journal, plans
from ops.aws import AWS_FAILURES, Aws, describe_error, is_regional_trouble
from ops.journal import AlreadyComplete, Journal, JournalError
from ops.outputs import OutputsError, StackOutputs, load_outputs
from ops.runner import Context, Options, Refused, RunReport, StepFailed, run_steps

EXIT_CODES = """exit codes:
  0    done (or nothing to do)
  1    something failed or is left undone: the report says what; re-run the same command
  2    refused before any change: bad outputs, credentials, profile, account, no standby,
       a journal it cannot use, another run under way
  130  interrupted (Ctrl-C): re-run the same command to resume"""

VERBS = ("status", "failover", "failback", "drill", "verify")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ops",
        description=__doc__.split("\n")[0],
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="verb", required=True)
    helps = {
        "status": "show both regions: writer, replicas, capacity, targets, health checks, DNS",
        "failover": "print the failover plan; with --execute run it",
        "failback": "return to the primary region after it is rebuilt as a secondary",
        "drill": "rehearse a failover: check every precondition and permission, change nothing",
        "verify": "check the deployed stack's invariants (post-deploy smoke test)",
    }
    for verb in VERBS:
        p = sub.add_parser(
            verb,
            help=helps[verb],
            description=helps[verb],
            epilog=EXIT_CODES,
            formatter_class=_Formatter,
        )
        p.add_argument(
            "--outputs",
            required=True,
            metavar="FILE|-",
            help="`pulumi stack output --json --show-secrets` (- for stdin)",
        )
        p.add_argument("--json", action="store_true", help="print a machine-readable report")
        p.add_argument("--profile", help="AWS profile (default: the usual boto3 chain)")
        p.add_argument(
            "--timeout", type=float, default=900.0, help="seconds for each wait (a promotion)"
        )
        p.add_argument(
            "--call-timeout",
            type=float,
            default=30.0,
            help="seconds one AWS call may take, retries included; past it the region counts "
            "as unreachable for the rest of the run",
        )
        p.add_argument("--poll-interval", type=float, default=15.0, help="seconds between polls")
        p.add_argument(
            "--confirm-minutes",
            type=int,
            default=3,
            help="minutes a health check must have failed to count the primary down",
        )
        if verb in ("failover", "failback"):
            p.add_argument("--execute", action="store_true", help="act (default: print the plan)")
            p.add_argument(
                "--force",
                metavar="REASON",
                help="proceed although the primary is healthy or the old writer still "
                "accepts writes; the reason is journaled",
            )
            p.add_argument(
                "--journal",
                type=Path,
                help="journal file (default $WEBSTACK_OPS_HOME/<project>-<stack>-<verb>.json, "
                "$WEBSTACK_OPS_HOME defaulting to ~/.webstack-ops)",
            )
            p.add_argument(
                "--again",
                action="store_true",
                help="start a new run although the journal says the last one completed",
            )
    return parser


class _Formatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Defaults in --help (where the help does not already say it), the exit-code epilog as
    written."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "default" in text or action.default in (None, False, argparse.SUPPRESS):
            return text
        return super()._get_help_string(action) or text


def _emit(out: TextIO, as_json: bool, payload: dict[str, Any], text: list[str]) -> None:
    if as_json:
        out.write(json.dumps(payload, indent=2) + "\n")
    else:
        out.write("\n".join(text) + "\n")


def _identity(o: StackOutputs) -> dict[str, Any]:
    return {
        "project": o.project,
        "stack": o.stack,
        "strategy": o.dr.strategy,
        "primaryRegion": o.primary.region,
        "drRegion": o.dr.region,
    }


def _checks_report(
    verb: str, o: StackOutputs, found: list[checks.Check], out: TextIO, as_json: bool
) -> int:
    failed = [c.name for c in found if c.status == "fail"]
    payload = {
        **_identity(o),
        "verb": verb,
        "ok": not failed,
        "failed": failed,
        "checks": [c.as_json() for c in found],
    }
    width = max((len(c.name) for c in found), default=0)
    text = [f"{verb}: {o.project}/{o.stack} ({o.dr.strategy})"]
    text += [f"  {c.status.upper():4}  {c.name:<{width}}  {c.detail}" for c in found]
    text.append(f"{verb}: {'OK' if not failed else 'FAILED: ' + ', '.join(failed)}")
    _emit(out, as_json, payload, text)
    return 1 if failed else 0


def _run_report(report: RunReport, o: StackOutputs, out: TextIO, as_json: bool) -> int:
    after = plans.closing_instructions(o, report.verb) if report.completed else []
    payload = {
        **_identity(o),
        **report.as_json(),
        "expectedRtoSeconds": o.dr.rto.seconds if o.dr.rto else None,
        "next": after,
    }
    text = [
        f"{report.verb}: {o.project}/{o.stack} ({o.dr.strategy}, "
        f"{o.primary.region} -> {o.dr.region})"
    ]
    for s in report.steps:
        text.append(f"  {s.status:<11} {s.seconds:7.1f}s  {s.name}: {s.detail}")
    text.append(f"  this run: {report.seconds:.1f}s; journal {report.journal}")
    if report.completed:
        rto = o.dr.rto
        expected = f" (expected RTO {rto.value} {rto.unit}, {rto.source})" if rto else ""
        text.append(
            f"{report.verb}: COMPLETE; measured RTO {report.measured_rto:.1f}s since the first "
            f"run of this {report.verb}{expected}"
        )
        text += after
    elif report.interrupted:
        text.append(
            f"{report.verb}: INTERRUPTED; left undone: {', '.join(report.undone)}; "
            "re-run the same command to resume"
        )
    else:
        text.append(
            f"{report.verb}: FAILED; left undone: {', '.join(report.undone)}; fix the "
            "cause and re-run the same command to resume"
        )
    _emit(out, as_json, payload, text)
    if report.completed:
        return 0
    return 130 if report.interrupted else 1


def _plan(verb: str, o: StackOutputs, steps: list[plans.Step], out: TextIO, as_json: bool) -> int:
    payload = {
        **_identity(o),
        "verb": verb,
        "executed": False,
        "plan": [{"name": s.name, "title": s.title, "changes": s.changes} for s in steps],
    }
    text = [
        f"{verb} plan for {o.project}/{o.stack} ({o.dr.strategy}, {o.primary.region} -> "
        f"{o.dr.region}); nothing was changed:"
    ]
    text += [
        f"  {i}. {s.name}: {s.title}{' [changes AWS]' if s.changes else ''}"
        for i, s in enumerate(steps, 1)
    ]
    text.append(f"run `python -m ops {verb} --outputs ... --execute` to do it")
    _emit(out, as_json, payload, text)
    return 0


def main(
    argv: Sequence[str] | None = None,
    *,
    aws: Aws | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    args = _parser().parse_args(argv)
    try:
        outputs = load_outputs(args.outputs)
    except OutputsError as error:
        print(error, file=err)
        return 2
    options = Options(
        execute=getattr(args, "execute", False),
        force_reason=getattr(args, "force", None),
        timeout=args.timeout,
        poll=args.poll_interval,
        confirm_minutes=args.confirm_minutes,
    )
    if aws is None:
        try:
            aws = Aws(session=boto3.Session(profile_name=args.profile))
        except botocore.exceptions.BotoCoreError as error:
            print(describe_error(error), file=err)
            return 2
    aws.call_timeout = args.call_timeout
    aws.progress = lambda line: print(line, file=err, flush=True)
    ctx = Context(outputs=outputs, aws=aws, options=options, out=err, sleep=sleep, quiet=False)
    try:
        return _verb(args, outputs, ctx, out, err)
    except KeyboardInterrupt:
        print("interrupted before any step ran; nothing changed", file=err)
        return 130


def _check_account(ctx: Context, verb: str) -> str:
    """Credentials and account, asked of STS in a region the verb needs: the DR region for what
    fails over to it, else the primary, and the other when that one does not answer."""
    o = ctx.outputs
    regions = [o.primary.region, o.dr.region] if verb in ("status", "verify") else [o.dr.region]
    if verb in ("failback",):
        regions = [o.dr.region, o.primary.region]
    wanted = [r for r in regions if r] or [o.primary.region]
    for region in wanted[:-1]:
        try:
            return facts.check_account(ctx, region)
        except AWS_FAILURES as err:
            if not is_regional_trouble(err):
                raise
    return facts.check_account(ctx, wanted[-1])


def _verb(
    args: argparse.Namespace, outputs: StackOutputs, ctx: Context, out: TextIO, err: TextIO
) -> int:
    options = ctx.options
    opened: Journal | None = None
    try:
        _check_account(ctx, args.verb)  # credentials and account before anything else
        if args.verb == "status":
            return _checks_report("status", outputs, checks.status(ctx), out, args.json)
        if args.verb == "verify":
            return _checks_report("verify", outputs, checks.verify(ctx), out, args.json)
        plans._dr(ctx)  # refuses stacks without a standby
        if args.verb == "drill":
            return _checks_report("drill", outputs, checks.drill(ctx), out, args.json)
        steps = (
            plans.failover_steps(outputs)
            if args.verb == "failover"
            else plans.failback_steps(outputs)
        )
        if not options.execute:
            return _plan(args.verb, outputs, steps, out, args.json)
        path = args.journal or journal.default_path(outputs.project, outputs.stack, args.verb)
        opened = Journal.open(
            path,
            project=outputs.project,
            stack=outputs.stack,
            strategy=outputs.dr.strategy,
            verb=args.verb,
            steps=[s.name for s in steps],
            again=args.again,
        )
        return _run_report(run_steps(ctx, args.verb, steps, opened), outputs, out, args.json)
    except AlreadyComplete as done:
        print(
            f"{args.verb}: already COMPLETE for {outputs.project}/{outputs.stack} (journal "
            f"{done.path}, ended {done.data['runs'][-1].get('endedAt', '?')}); nothing to do. "
            f"A new {args.verb} needs --again",
            file=err,
        )
        return 0
    except (Refused, JournalError, StepFailed) as error:
        print(error, file=err)
        return 2
    except AWS_FAILURES as error:
        print(describe_error(error), file=err)
        return 2
    finally:
        if opened is not None:
            opened.close()

"""Offline preview time and peak memory per stack (a script that prints figures, not a test).

    python -m tools.bench_preview [--stacks dev prod] [--repeat 3] [--no-pack]

Runs ``python -m tools.preview --stack <stack> --json`` (with the policy pack and the stack's
pack config, as ``make preview-json`` does) in a fresh process per run, for every stack file
(``tools.stackfile.known_stacks``), and prints per stack: resources registered, the fastest and
the median wall time of ``--repeat`` runs, and the peak resident memory of the preview process
(the policy pack runs in a process of its own; its throughput is ``tools.bench_policies``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

from tools.mockcloud import ROOT
from tools.stackfile import known_stacks, pack_config_path


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss_mb: float
    resources: int
    exit_code: int


def preview_command(stack: str, pack: bool) -> list[str]:
    command = [sys.executable, "-m", "tools.preview", "--stack", stack, "--json"]
    config = pack_config_path(stack, ROOT)
    if pack:
        command += ["--policy-pack", "policies"]
        if config is not None:
            command += ["--policy-pack-config", str(config.relative_to(ROOT))]
    return command


def run_once(stack: str, pack: bool) -> Run:
    started = time.perf_counter()
    process = subprocess.Popen(
        preview_command(stack, pack),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    document = json.loads(output) if output.strip() else {}
    return Run(
        seconds=seconds,
        peak_rss_mb=usage.ru_maxrss / 1024,  # Linux reports KiB
        resources=int(document.get("resourceCount", 0)),
        exit_code=process.returncode,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="tools.bench_preview", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--stacks", nargs="+", help="default: every Pulumi.<stack>.yaml")
    parser.add_argument("--repeat", type=int, default=3, help="runs per stack (default 3)")
    parser.add_argument("--no-pack", action="store_true", help="preview without the pack")
    args = parser.parse_args(argv)
    stacks = args.stacks or known_stacks(ROOT)
    print(
        f"offline preview per stack: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, policy pack {'off' if args.no_pack else 'on'}, "
        f"{args.repeat} runs each"
    )
    failed = False
    for stack in stacks:
        runs = [run_once(stack, not args.no_pack) for _ in range(args.repeat)]
        seconds = [r.seconds for r in runs]
        codes = sorted({r.exit_code for r in runs})
        failed = failed or codes != [0]
        print(
            f"stack={stack} resources={runs[0].resources} min_s={min(seconds):.2f} "
            f"median_s={statistics.median(seconds):.2f} "
            f"peak_rss_mb={max(r.peak_rss_mb for r in runs):.0f} exit={','.join(map(str, codes))}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

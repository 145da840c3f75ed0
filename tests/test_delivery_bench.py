"""`make bench`'s preview figures: one line per stack file, from a real preview process."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.process import run_module
from tools.bench_preview import preview_command
from tools.mockcloud import Synthesis
from tools.stackfile import environment_of, known_stacks

ROOT = Path(__file__).resolve().parents[1]


def test_each_stack_is_previewed_with_the_pack_and_its_config() -> None:
    commands = {stack: preview_command(stack, pack=True) for stack in known_stacks(ROOT)}
    assert len(commands) == len(known_stacks(ROOT))
    environments = {stack: environment_of(stack, ROOT) for stack in commands}
    assert environments["dev"] == "dev" and environments["prod"] == "prod"
    for stack, command in commands.items():
        assert command[1:] == [
            "-m",
            "tools.preview",
            "--stack",
            stack,
            "--json",
            "--policy-pack",
            "policies",
            "--policy-pack-config",
            f"policies/config/{environments[stack]}.json",
        ]
    assert preview_command("dev", pack=False)[1:] == [
        "-m",
        "tools.preview",
        "--stack",
        "dev",
        "--json",
    ]


def test_the_bench_prints_time_and_peak_memory_per_stack(dev_preview: Synthesis) -> None:
    result = run_module(
        "tools.bench_preview", "--stacks", "dev", "--repeat", "1", "--no-pack", timeout=240
    )
    assert result.returncode == 0, result.stderr
    header, line = result.stdout.splitlines()
    assert header.endswith("policy pack off, 1 runs each")
    match = re.fullmatch(
        r"stack=dev resources=(\d+) min_s=[\d.]+ median_s=[\d.]+ peak_rss_mb=(\d+) exit=0", line
    )
    assert match is not None, line
    assert int(match.group(1)) == len(dev_preview.resources)
    assert int(match.group(2)) > 50  # a Python process running the program: tens of MB at least

"""What a tired on-call engineer gets wrong, and what AWS throws at them: one line on stderr, the
exact exit code, and no AWS write call. Against moto's server on loopback, with faults from a
small proxy of our own on 127.0.0.1 (tests/ops/faults.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.ops import flows, support
from tests.ops.faults import FaultProxy
from tests.ops.flows import execute, primary_down, run

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _journals_in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WEBSTACK_OPS_HOME", str(tmp_path / "ops-home"))
    support.apply_aws_effects(monkeypatch)


def _refused(argv: list[str], aws: Any = None) -> str:
    """Run the CLI; it must exit 2 with one line on stderr, nothing on stdout, and send no write
    call to AWS. Returns that line."""
    aws = aws or support.make_aws()
    sent = flows.record_writes(aws)
    code, out, err = run(argv, aws=aws)
    assert (code, out, sent) == (2, "", []), err
    assert err.count("\n") == 1, err
    return err.rstrip("\n")


def test_an_unknown_region_is_a_config_error_not_an_outage(tmp_path: Path) -> None:
    data = support.fixture("warm-standby-rds")
    data["dr"]["region"] = data["dr"]["standby"]["region"] = "us-wset-2"
    path = tmp_path / "o.json"
    path.write_text(json.dumps(data))
    code, out, err = run(execute(path, tmp_path / "j.json"))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "outputs: 'dr.region': 'us-wset-2' is not an AWS region (did you mean us-west-2?)",
        "outputs: 'dr.standby.region': 'us-wset-2' is not an AWS region (did you mean us-west-2?)",
    ]
    assert not (tmp_path / "j.json").exists()


def test_every_problem_of_an_outputs_file_is_listed_at_once(tmp_path: Path) -> None:
    data = support.fixture("warm-standby-rds")
    del data["dr"]["failoverCapacity"]
    data["primary"]["web"]["minSize"] = -1
    data["environment"] = "qa"
    path = tmp_path / "o.json"
    path.write_text(json.dumps(data))
    code, _, err = run(["status", "--outputs", str(path)])
    assert code == 2
    assert err.splitlines() == [
        "outputs: 'environment' = \"qa\": Input should be 'dev', 'staging' or 'prod'",
        "outputs: 'primary.web.minSize' = -1: Input should be greater than or equal to 0",
        "outputs: missing 'dr.failoverCapacity' - is this a webstack stack output from "
        "`pulumi stack output --json --show-secrets`?",
    ]


def test_an_unknown_profile_is_one_line(tmp_path: Path) -> None:
    path, _ = support.seed("warm-standby-rds", tmp_path)
    env = {**os.environ, "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    done = subprocess.run(
        [sys.executable, "-m", "ops", "status", "--outputs", str(path), "--profile", "no-such"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "credentials: The config profile (no-such) could not be found "
        "(see `aws configure list-profiles`)\n"
    )


def test_a_plain_text_503_from_sts_is_one_line(tmp_path: Path) -> None:
    path, _ = support.seed("warm-standby-rds", tmp_path)
    with FaultProxy(support.moto_url()) as proxy:
        proxy.fail5xx(50)
        line = _refused(
            ["drill", "--outputs", str(path)],
            support.make_aws({"*": support.moto_url(), "us-west-2": proxy.url}),
        )
    assert line.startswith("AWS error: ") or line.startswith("AWS error in "), line
    assert "Traceback" not in line


def test_a_failing_primary_sts_is_no_reason_to_stop_status(tmp_path: Path) -> None:
    """A 5xx page from the primary's STS is the region in trouble, not a credentials problem:
    the account is asked of the DR region and status reports (one line per failing check)."""
    path, _ = support.seed("warm-standby-rds", tmp_path)
    with FaultProxy(support.moto_url()) as proxy:
        proxy.fail5xx(50)
        code, out, err = run(
            ["status", "--outputs", str(path), "--json"],
            aws=support.make_aws({"*": support.moto_url(), "us-east-1": proxy.url}),
        )
    assert code == 1, err
    report = json.loads(out)
    assert "us-west-2/database" not in report["failed"]
    assert "us-east-1/database" in report["failed"]
    assert "Traceback" not in err


@pytest.mark.parametrize("missing", ["runs", "firstStartedEpoch", "steps", "facts"])
def test_a_journal_missing_a_field_it_needs_is_refused(tmp_path: Path, missing: str) -> None:
    path, outputs = support.seed("warm-standby-rds", tmp_path)
    primary_down(outputs, (1, 1, 1))
    journal = tmp_path / "j.json"
    code, _, _ = run(execute(path, journal))  # not confirmed down: fails at step 2, journaled
    assert code == 1
    data = json.loads(journal.read_text())
    del data[missing]
    journal.write_text(json.dumps(data))
    line = _refused(execute(path, journal))
    assert line == (
        f"journal {journal}: not a complete webstack ops journal ('{missing}' is missing); "
        "move it away and re-run (every step checks AWS before it acts)"
    )


def test_a_journal_path_under_a_file_is_one_line(tmp_path: Path) -> None:
    path, _ = support.seed("warm-standby-rds", tmp_path)
    (tmp_path / "afile").write_text("")
    journal = tmp_path / "afile" / "j.json"
    line = _refused(execute(path, journal))
    assert line == (
        f"journal {journal}: cannot create it ({tmp_path / 'afile'} is a file, not a "
        "directory); pass --journal with a writable path"
    )


def test_a_completed_failover_is_not_started_again_without_again(tmp_path: Path) -> None:
    path, outputs = support.seed("warm-standby-rds", tmp_path)
    primary_down(outputs)
    journal = tmp_path / "j.json"
    assert run(execute(path, journal))[0] == 0
    first = json.loads(journal.read_text())["firstStartedEpoch"]
    aws = support.make_aws()
    sent = flows.record_writes(aws)
    code, out, err = run(execute(path, journal), aws=aws)
    assert (code, out, sent) == (0, "", [])
    assert err.startswith(
        f"failover: already COMPLETE for webstack/prod (journal {journal}, ended "
    )
    assert err.endswith("nothing to do. A new failover needs --again\n")
    assert json.loads(journal.read_text())["firstStartedEpoch"] == first
    code, out, _ = run(execute(path, journal, "--again"))
    assert code == 0  # a new incident: every step finds its work done
    assert json.loads(journal.read_text())["firstStartedEpoch"] > first
    assert len(list(tmp_path.glob("j.json.*.done"))) == 1


def test_status_after_a_failover_calls_the_promoted_database_the_writer(tmp_path: Path) -> None:
    path, outputs = support.seed("warm-standby-rds", tmp_path)
    primary_down(outputs)
    assert run(execute(path, tmp_path / "j.json"))[0] == 0
    code, out, _ = run(["status", "--outputs", str(path), "--json"])
    checks = {c["name"]: c for c in json.loads(out)["checks"]}
    # The old primary is fenced (tiers at 0) but still a standalone writer until `pulumi up`
    # rebuilds it: two writers is a FAIL, whatever else is fine.
    assert code == 1
    assert checks["writers"]["status"] == "fail"
    assert checks["writers"]["detail"].startswith(
        "TWO WRITERS: webstack-prod-db (us-east-1) available, writer; webstack-prod-dr-db "
        "(us-west-2) available, writer; tiers running over a writer in ['us-west-2']"
    )
    assert checks["us-west-2/database"]["detail"] == (
        "instance webstack-prod-dr-db available (writer)"
    )
    flows.rebuild_old_primary_as_replica(outputs)
    code, out, _ = run(["status", "--outputs", str(path), "--json"])
    checks = {c["name"]: c for c in json.loads(out)["checks"]}
    assert code == 0
    assert checks["writers"]["detail"].startswith(
        "writer in us-west-2: webstack-prod-db (us-east-1) available, replica of "
    )


def test_help_shows_defaults_and_exit_codes() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ops", "failover", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    assert "(default: 900.0)" in done.stdout
    assert "(default: 30.0)" in done.stdout
    assert "exit codes:\n  0    done (or nothing to do)" in done.stdout
    assert "130  interrupted (Ctrl-C)" in done.stdout


def test_python_m_ops_runs_from_any_directory(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ops", "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("usage: python -m ops")


def test_a_hanging_region_costs_one_bounded_wait_with_progress(tmp_path: Path) -> None:
    """The primary accepts connections and never answers: status names the region within the
    call deadline, says it is waiting meanwhile, and does not wait again for each call."""
    path, _ = support.seed("warm-standby-rds", tmp_path)
    with FaultProxy(support.moto_url(), hold_seconds=15) as proxy:
        proxy.hang()
        aws = support.make_aws({"*": support.moto_url(), "us-east-1": proxy.url})
        aws.read_timeout = 30.0  # botocore alone would wait 30 s x 3 attempts
        aws.progress_every = 1.0
        started = time.monotonic()
        code, out, err = run(
            ["status", "--outputs", str(path), "--json", "--call-timeout", "3"], aws=aws
        )
        took = time.monotonic() - started
    report = json.loads(out)
    assert took < 12, took
    failed = {c["name"]: c["detail"] for c in report["checks"] if c["status"] == "fail"}
    # the first call to us-east-1 (STS, for the account) waits once; every later one is told
    hung = "region us-east-1 unreachable: no answer to sts GetCallerIdentity within 3s"
    assert failed["us-east-1/database"] == f"{hung} (earlier in this run)"
    assert failed["us-east-1/tiers"] == f"{hung} (earlier in this run)"
    assert "  ... waiting for us-east-1 (sts GetCallerIdentity): 1s of at most 3s" in err
    assert report["checks"][0]["name"] == "strategy"
    assert code == 1


def test_two_operators_at_once_one_refuses(tmp_path: Path) -> None:
    path, outputs = support.seed("warm-standby-rds", tmp_path)
    primary_down(outputs)
    journal = tmp_path / "j.json"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from ops.journal import Journal; from pathlib import Path; "
            "j = Journal.open(Path(sys.argv[1]), project='webstack', stack='prod', "
            "strategy='warm-standby', verb='failback', steps=['preflight']); "
            "print('locked', flush=True); time.sleep(30)",
            str(tmp_path / "other.json"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        line = _refused(execute(path, journal))
    finally:
        holder.kill()
        holder.wait(timeout=10)
    assert line.startswith(f"another run holds {tmp_path / 'webstack-prod.lock'} (failback pid ")
    assert line.endswith(
        "one webstack/prod failover or failback at a time; wait for it to finish, then re-run"
    )
    # once the other process is gone (even killed), the lock is free
    assert run(execute(path, journal))[0] == 0

# ruff: noqa: E501 - rule tables read best one case per line
"""Pack config mistakes are one line, never a traceback: through Configure and the preview.

Through the analyzer's `Configure` call the pack itself refuses an unknown policy (with the
closest name), an enforcement level the protocol does not define (listing the accepted ones),
a property a policy does not take, and a value of the wrong type for its schema, with
INVALID_ARGUMENT and one line. The client (tools.analyzer, as the CLI) refuses an unknown level
name and a missing or malformed file before sending anything. The offline preview exits 2 with
that one line on stderr.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import grpc
import pytest
from pulumi.runtime.proto import analyzer_pb2
from support import REPO

from tools.analyzer import PackConfigError, load_pack_config


@pytest.fixture
def configured(pack):
    yield pack
    pack.configure({})


def _configure_raw(pack, entries):
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for name, (level, props) in entries.items():
        request.policyConfig[name].enforcementLevel = level
        request.policyConfig[name].properties.update(props)
    pack.stub.Configure(request)


def _one_line(text: str) -> str:
    assert "\n" not in text.strip() and "Traceback" not in text, text
    return text


RAW_MISTAKES = [
    (
        {"sg-world-ingres-forbidden": (analyzer_pb2.MANDATORY, {})},
        ["'sg-world-ingres-forbidden'", "did you mean 'sg-world-ingress-forbidden'?"],
    ),
    (
        {"rds-multi-az": (7, {})},
        [
            "'rds-multi-az': unknown enforcement level",
            "accepted: advisory, mandatory, remediate, disabled",
        ],
    ),
    (
        {"sg-world-ingress-allowed-ports": (analyzer_pb2.MANDATORY, {"allowedPorts": "443"})},
        [
            "'sg-world-ingress-allowed-ports'.allowedPorts must be an array of integers",
            "got '443' (a string)",
        ],
    ),
    (
        {
            "sg-world-ingress-allowed-ports": (
                analyzer_pb2.MANDATORY,
                {"allowedPorts": [443, "8443"]},
            )
        },
        ["allowedPorts[1] is '8443', a string"],
    ),
    (
        {"db-backup-retention": (analyzer_pb2.ADVISORY, {"minimumDays": 90})},
        ["'db-backup-retention'.minimumDays must be an integer ≥ 1 and ≤ 35, got 90"],
    ),
    (
        {"db-backup-retention": (analyzer_pb2.ADVISORY, {"minimumDay": 7})},
        ["takes no property 'minimumDay' (did you mean 'minimumDays'?)"],
    ),
    (
        {"rds-multi-az": (analyzer_pb2.MANDATORY, {"exemptNames": "legacy-*"})},
        ["'rds-multi-az'.exemptNames must be an array of strings"],
    ),
]


@pytest.mark.parametrize(("entries", "expected"), RAW_MISTAKES, ids=[m[1][0] for m in RAW_MISTAKES])
def test_configure_refuses_each_mistake_in_one_line(configured, entries, expected):
    with pytest.raises(grpc.RpcError) as caught:
        _configure_raw(configured, entries)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    details = _one_line(caught.value.details())
    assert details.startswith("policy pack webstack-guardrails: ")
    assert all(e in details for e in expected), details


def test_a_refused_configuration_leaves_the_previous_one_in_force(configured):
    configured.configure({"rds-multi-az": "disabled"})
    with pytest.raises(grpc.RpcError):
        _configure_raw(configured, {"rds-multi-az": (analyzer_pb2.MANDATORY, {"exemptNames": 3})})
    from tools.analyzer import StackResource

    diagnostics = configured.analyze(StackResource.of("aws:rds/instance:Instance", "db", {"multiAz": False, "storageEncrypted": True}))  # fmt: skip
    assert "rds-multi-az" not in {d.policy_name for d in diagnostics}


def test_valid_configurations_including_the_shipped_ones_are_accepted(configured):
    for path in sorted((REPO / "policies" / "config").glob("*.json")):
        configured.configure(load_pack_config(path))
    configured.configure({"sg-world-ingress-allowed-ports": {"allowedPorts": [443.0, 8443]}})


CLIENT_MISTAKES = [
    (
        {"rds-multi-az": "mandtory"},
        [
            "'rds-multi-az': unknown enforcement level 'mandtory'",
            "accepted: advisory, mandatory, remediate, disabled",
        ],
    ),
    ({"all": "strict"}, ["'all': unknown enforcement level 'strict'"]),
    (
        {"rds-multi-azz": "mandatory"},
        ["'rds-multi-azz', which is no policy", "did you mean 'rds-multi-az'?"],
    ),
    ({"rds-multi-az": {"enforcementLevel": "blocking"}}, ["unknown enforcement level 'blocking'"]),
    ({"rds-multi-az": 1}, ["'rds-multi-az': a policy's config is an enforcement level"]),
    (
        {"db-backup-retention": {"minimumDays": "14"}},
        ["minimumDays must be an integer", "got '14' (a string)"],
    ),
]


@pytest.mark.parametrize(
    ("config", "expected"), CLIENT_MISTAKES, ids=[m[1][0] for m in CLIENT_MISTAKES]
)
def test_the_client_names_each_mistake_in_one_line(configured, config, expected):
    with pytest.raises(PackConfigError) as caught:
        configured.configure(config)
    message = _one_line(str(caught.value))
    assert all(e in message for e in expected), message


def test_file_mistakes_name_the_file_and_the_line(tmp_path: Path):
    with pytest.raises(PackConfigError, match=r"no such policy pack config file"):
        load_pack_config(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "rds-multi-az": "mandatory",\n  "imdsv2-required": mandatory\n}\n')
    with pytest.raises(PackConfigError, match=rf"^{bad}:3:22: malformed JSON"):
        load_pack_config(bad)
    listed = tmp_path / "list.json"
    listed.write_text('["rds-multi-az"]')
    with pytest.raises(PackConfigError, match="a JSON object of policy names"):
        load_pack_config(listed)


# --- through the offline preview (python -m tools.preview), as a user runs it -------------

PREVIEW_CASES = [
    ("missing", None, ["no such policy pack config file"]),
    ("malformed", '{"rds-multi-az": "mandatory",}', [":1:30: malformed JSON"]),
    (
        "unknown-level",
        json.dumps({"rds-multi-az": "mandtory"}),
        ["accepted: advisory, mandatory, remediate, disabled"],
    ),
    (
        "unknown-policy",
        json.dumps({"lb-acces-logs": "mandatory"}),
        ["did you mean 'lb-access-logs'?"],
    ),
    (
        "wrong-type",
        json.dumps({"sg-world-ingress-allowed-ports": {"allowedPorts": [443, "8443"]}}),
        ["allowedPorts must be an array of integers"],
    ),
]


@pytest.mark.parametrize(
    ("case", "text", "expected"), PREVIEW_CASES, ids=[c[0] for c in PREVIEW_CASES]
)
def test_the_preview_exits_2_with_one_line(tmp_path: Path, case, text, expected):
    path = tmp_path / f"{case}.json"
    if text is not None:
        path.write_text(text)
    run = subprocess.run(
        [sys.executable, "-m", "tools.preview", "--stack", "dev", "--policy-pack", "policies", "--policy-pack-config", str(path)],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 2, (run.stdout, run.stderr)
    errors = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith(f"error: {path}"), run.stderr
    assert all(e in errors[0] for e in expected), errors[0]
    assert "Traceback" not in run.stderr + run.stdout

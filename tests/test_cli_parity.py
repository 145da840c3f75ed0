"""The offline preview behaves as the Pulumi CLI does wherever the two could differ.

Each test names the CLI's documented behaviour it holds the preview to (Pulumi's "Stack settings
file reference" and "Configuration" pages, and the CLI's own workspace tests for
``ValidateStackConfigAndApplyProjectConfig``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.support.process import run_module
from tests.support.synth import SHIPPED
from tools.mockcloud import Synthesis
from tools.stackfile import (
    CliYamlLoader,
    StackFileError,
    known_stacks,
    load_stack_config,
)

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_STACKS = known_stacks(ROOT)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return run_module("tools.preview", *args)


def preview_dev_with_pack(config: str) -> subprocess.CompletedProcess[str]:
    """The dev stack's preview with the pack in policies/, configured by the file ``config``."""
    return run("--stack", "dev", "--policy-pack", "policies", "--policy-pack-config", config)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project directory that runs the real program with a stack file of the test's own."""
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    (tmp_path / "__main__.py").symlink_to(ROOT / "__main__.py")
    (tmp_path / "components").symlink_to(ROOT / "components")
    return tmp_path


DEV_CONFIG = """\
config:
  aws:region: us-east-1
  webstack:environment: dev
"""


def test_every_shipped_stack_file_has_every_required_key() -> None:
    # CLI: a key Pulumi.yaml declares with a type and no default must be set in every stack.
    assert SHIPPED_STACKS == SHIPPED
    for stack in SHIPPED_STACKS:
        config = load_stack_config(stack, ROOT)
        assert config["aws:region"]


def test_a_declared_key_without_default_is_required_in_every_stack(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text(
        "name: demo\nruntime: python\nconfig:\n"
        "  owner:\n    type: string\n"
        "  teams:\n    type: array\n    items:\n      type: string\n"
        "  size:\n    type: integer\n    default: 2\n"
    )
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  demo:size: 3\n")
    with pytest.raises(StackFileError) as missing:
        load_stack_config("dev", tmp_path)
    assert str(missing.value) == "Stack 'dev' is missing configuration values 'owner' and 'teams'"
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  demo:owner: me\n  teams: [a]\n")
    assert load_stack_config("dev", tmp_path) == {
        "demo:owner": "me",
        "demo:teams": '["a"]',
        "demo:size": "2",
    }


def test_a_stack_value_of_the_wrong_declared_type_is_refused_with_its_line(
    project: Path,
) -> None:
    (project / "Pulumi.dev.yaml").write_text(DEV_CONFIG + "  webstack:allowedAccountIds: 12\n")
    result = run("--stack", "dev", "--cwd", str(project))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: Pulumi.dev.yaml line 4: Stack 'dev' with configuration key "
        "'allowedAccountIds' must be of type 'array<string>'"
    )


def test_an_unnamespaced_key_belongs_to_the_project(project: Path) -> None:
    # CLI: `web:` in a stack file is `webstack:web` (TestLoadingStackConfigWithoutNamespacing...).
    (project / "Pulumi.dev.yaml").write_text(
        DEV_CONFIG + "  web:\n    instanceType: t4g.micro\n    minSize: 2\n    maxSize: 5\n"
    )
    config = load_stack_config("dev", project)
    assert json.loads(config["webstack:web"])["maxSize"] == 5
    assert "web" not in config
    result = run("--stack", "dev", "--cwd", str(project), "--json")
    assert result.returncode == 0, result.stderr
    [group] = [
        r
        for r in json.loads(result.stdout)["resources"]
        if r["type"] == "aws:autoscaling/group:Group"
    ]
    assert group["inputs"]["maxSize"] == 5


def test_a_key_set_both_with_and_without_namespace_is_refused(project: Path) -> None:
    (project / "Pulumi.dev.yaml").write_text(
        DEV_CONFIG + "  web: {maxSize: 4}\n  webstack:web: {maxSize: 5}\n"
    )
    with pytest.raises(StackFileError, match="line 5: 'webstack:web' is set twice"):
        load_stack_config("dev", project)


def test_yaml_1_1_booleans_reach_the_program_as_strings_and_are_refused(project: Path) -> None:
    # The CLI's YAML parser resolves only true/false as booleans: `yes` is the string "yes".
    assert yaml_load("a: yes\nb: on\nc: true\nd: False\n") == {
        "a": "yes",
        "b": "on",
        "c": True,
        "d": False,
    }
    (project / "Pulumi.dev.yaml").write_text(DEV_CONFIG + "  webstack:cdn:\n    enabled: yes\n")
    result = run("--stack", "dev", "--cwd", str(project))
    assert result.returncode == 1
    assert "webstack:cdn.enabled is 'yes'" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def yaml_load(text: str) -> object:
    return yaml.load(text, Loader=CliYamlLoader)


def test_an_unknown_top_level_key_in_a_stack_file_is_refused_by_name(project: Path) -> None:
    (project / "Pulumi.dev.yaml").write_text(DEV_CONFIG + "webstack:web:\n  maxSize: 4\n")
    result = run("--stack", "dev", "--cwd", str(project))
    assert result.returncode == 1
    assert result.stderr.startswith(
        "error: Pulumi.dev.yaml line 4: unknown attribute 'webstack:web'; a stack file may hold "
        "only 'secretsprovider', 'encryptedkey', 'encryptionsalt', 'config', 'environment'"
    )


def test_a_malformed_stack_file_names_its_line_without_a_traceback(project: Path) -> None:
    (project / "Pulumi.dev.yaml").write_text(DEV_CONFIG + "  webstack:web: [1, 2\n")
    result = run("--stack", "dev", "--cwd", str(project))
    assert result.returncode == 1
    assert result.stderr.startswith("error: Pulumi.dev.yaml line 5: ")
    assert "Traceback" not in result.stderr
    assert result.stdout.startswith("Previewing update (dev)")


def test_preview_json_prints_only_json_through_make() -> None:
    result = subprocess.run(
        ["make", "--no-print-directory", "preview-json", "STACK=dev"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["stack"] == "dev"
    assert document["resourceCount"] == len(document["resources"])
    # Numbers stay numbers; unknowns are not strings.
    assert document["outputs"]["databasePort"] == 5432
    assert document["outputs"]["vpcId"] == {"$unknown": True}
    [group] = [r for r in document["resources"] if r["type"] == "aws:autoscaling/group:Group"]
    assert (group["inputs"]["minSize"], group["inputs"]["maxSize"]) == (2, 3)
    assert type(group["inputs"]["maxSize"]) is int
    assert document["policyPack"]["name"] == "webstack-guardrails"


def test_config_path_sets_one_nested_value_and_keeps_its_section() -> None:
    result = run("--stack", "dev", "--json", "--config-path", "webstack:web.maxSize=4")
    assert result.returncode == 0, result.stderr
    [group] = [
        r
        for r in json.loads(result.stdout)["resources"]
        if r["type"] == "aws:autoscaling/group:Group"
    ]
    # maxSize changed; minSize and the instance type still come from Pulumi.dev.yaml.
    assert (group["inputs"]["minSize"], group["inputs"]["maxSize"]) == (2, 4)


def test_config_with_a_path_points_to_config_path() -> None:
    result = run("--stack", "dev", "--config", "webstack:web.maxSize=4")
    assert result.returncode == 2
    assert "use --config-path 'webstack:web.maxSize=4'" in result.stderr


def test_the_human_preview_reads_like_pulumi_preview(dev_preview: Synthesis) -> None:
    result = preview_dev_with_pack("policies/config/dev.json")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Previewing update (dev), offline under Pulumi's mock monitor:"
    tree = [line for line in lines if line.startswith((" + ", "+🔒"))]
    # A row for the stack, then one for every resource the program registered; protected ones
    # carry the lock.
    assert len(tree) == 1 + len(dev_preview.resources)
    locked = [line for line in tree if line.startswith("+🔒")]
    assert len(locked) == len([r for r in dev_preview.resources if r.protect])
    from tools.preview import display_width

    assert max(display_width(line) for line in tree) <= 100
    headings = [line for line in lines if line and not line.startswith(" ")]
    assert headings[1:] == ["Outputs:", "Resources by type:", "Resources:", "Policies:"]
    # The version the CLI shows is PulumiPolicy.yaml's.
    version = yaml.safe_load((ROOT / "policies/PulumiPolicy.yaml").read_text())["version"]
    assert f"    ✔ webstack-guardrails@v{version} (local: policies)" in result.stdout


def test_a_mandatory_violation_closes_with_the_clis_error_line(tmp_path: Path) -> None:
    config = tmp_path / "strict.json"
    # The dev stack's pack config, with the one rule it relaxes for a stack without a domain
    # raised back: the HTTP listener is then a mandatory violation.
    dev = json.loads((ROOT / "policies/config/dev.json").read_text())
    config.write_text(json.dumps({**dev, "lb-listener-https": "mandatory"}))
    result = preview_dev_with_pack(str(config))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "error: preview failed: 1 mandatory policy violation"
    )


def test_config_path_sets_an_array_element_and_types_it_as_the_cli_does() -> None:
    # CLI: `pulumi config set --path 'names[0]' a` creates the array; the next index appends;
    # true/false and integers are typed, so an account id given this way is a number.
    from tools.preview import _parse_path_override, apply_paths

    first = _parse_path_override("webstack:allowedAccountIds[0]=123456789012")
    assert first == ("webstack:allowedAccountIds", [0], 123456789012)
    second = _parse_path_override("webstack:allowedAccountIds[1]=abc")
    assert apply_paths("dev", {}, [first, second], ROOT) == {
        "webstack:allowedAccountIds": [123456789012, "abc"]
    }
    with pytest.raises(StackFileError, match=r"past the end of an array of 0"):
        apply_paths("dev", {}, [_parse_path_override("webstack:allowedAccountIds[2]=x")], ROOT)
    with pytest.raises(StackFileError, match="'webstack:web' is not an array"):
        apply_paths("dev", {}, [_parse_path_override("webstack:web[0]=x")], ROOT)


def test_a_recorded_state_is_compared_as_pulumi_preview_compares_it() -> None:
    # CLI (`pulumi preview --diff`): one line per changed resource with its op and
    # `[diff: ~key]`, then `~ key: old => new` (strings quoted), then the summary counts; the
    # stack itself counts as unchanged. tests/test_preview_diff.py runs it end to end.
    from tools import diff

    change = diff.Change("engine", "aurora-postgresql", "aurora-mysql", "~")
    resource = diff.ResourceDiff(
        urn="urn:pulumi:dev::webstack::aws:rds/cluster:Cluster::db",
        type="aws:rds/cluster:Cluster",
        name="db",
        op="replace",
        changes=(change,),
        replace_because=("engine",),
    )
    assert diff.render(diff.Diff("state.json", [resource])) == [
        "Resources:",
        "    +- aws:rds/cluster:Cluster db replace [diff: ~engine]",
        '        ~ engine: "aurora-postgresql" => "aurora-mysql"',
        "    +- 1 to replace",
        "    1 unchanged",
    ]

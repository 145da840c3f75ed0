"""The GitHub Actions workflows: linted, naming only real stacks, running the README's commands,
previewing with the pack per stack, deploying dev then prod one deploy per stack at a time,
credentials through OIDC only, and the pack published from its own directory on a tag."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.support.system_tools import require
from tools.stackfile import known_stacks

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
JACTIONLINT = ROOT / ".venv" / "bin" / "jactionlint"
README = (ROOT / "README.md").read_text()


def load(name: str) -> dict[Any, Any]:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    # PyYAML (YAML 1.1) reads the key `on` as True.
    document["on"] = document.pop(True)
    return document


def all_workflows() -> dict[str, dict[Any, Any]]:
    return {p.name: load(p.name) for p in sorted(WORKFLOWS.glob("*.yml"))}


def steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def lint(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(JACTIONLINT), "--no-color", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_workflows_are_the_four_expected() -> None:
    assert sorted(all_workflows()) == [
        "deploy-stack.yml",
        "deploy.yml",
        "policies.yml",
        "pull-request.yml",
    ]


def test_the_workflows_pass_jactionlint() -> None:
    # actionlint's checks plus security and policy rules; .github/jactionlint.yaml is the config.
    result = lint("--shellcheck=")
    assert (result.returncode, result.stdout) == (0, "")


def test_the_workflow_scripts_pass_shellcheck() -> None:
    require("shellcheck", "shellcheck")
    result = lint()
    assert (result.returncode, result.stdout) == (0, "")
    assert "shellcheck was not found" not in result.stderr


def test_jactionlint_refuses_a_broken_workflow(tmp_path: Path) -> None:
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "broken.yml").write_text(
        "on: push\n"
        "permissions: {}\n"
        "jobs:\n"
        "  build:\n"
        "    runs-on: ubuntu-24.04\n"
        "    timeout-minutes: 5\n"
        "    needs: missing\n"
        "    steps:\n"
        "      - run: echo ${{ github.event.pull_request.title }}\n"
    )
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    result = lint("--shellcheck=", "--profile", "correctness", cwd=tmp_path)
    assert result.returncode == 1
    assert 'job "build" needs job "missing" which does not exist' in result.stdout


# ---------------------------------------------------------------------------- stacks
def named_stacks() -> set[str]:
    """Every stack a workflow names literally (the rest come from `make stacks`)."""
    names: set[str] = set()
    for workflow in all_workflows().values():
        for job in workflow["jobs"].values():
            given = job.get("with") or {}
            if "${{" not in str(given.get("stack", "${{")):
                names.add(given["stack"])
            names.update(re.findall(r"AWS_ACCOUNT_IDS\)\.([a-z0-9-]+)", str(given)))
            for step in job.get("steps", []):
                for excluded in re.findall(r"EXCLUDE='([^']*)'", step.get("run", "")):
                    names.update(excluded.split())
                stack_name = str((step.get("with") or {}).get("stack-name", "${{"))
                if "${{" not in stack_name:
                    names.add(stack_name)
    return names


def test_every_stack_named_in_the_workflows_has_a_stack_file() -> None:
    assert named_stacks() == {"dev", "prod"}
    assert named_stacks() <= set(known_stacks(ROOT))


def test_the_stack_matrix_is_every_stack_file() -> None:
    def stacks(*args: str) -> list[str]:
        result = subprocess.run(
            ["make", "--no-print-directory", "stacks", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return list(json.loads(result.stdout))

    assert stacks() == known_stacks(ROOT)
    assert stacks("EXCLUDE=dev prod") == [s for s in known_stacks(ROOT) if s not in ("dev", "prod")]


# ---------------------------------------------------------------------------- commands
def _normalized(command: str) -> str:
    command = command.replace("--no-print-directory ", "")
    command = re.sub(r'"?\$STACK"?', "<stack>", command)
    command = command.replace('"$PULUMI_ORG"', "<org>")
    return command.strip()


COMMAND = re.compile(
    r"(?:cd policies && )?(?:make|\.venv/bin/python -m tools\.\w+|pulumi policy publish)\b[^>|;)]*"
)


def commands_run() -> list[str]:
    """Every `make`, `python -m tools...` and publish command the workflows run, normalized."""
    found: set[str] = set()
    for workflow in all_workflows().values():
        for step in steps(workflow):
            script = step.get("run", "").replace("\\\n", " ")
            for match in COMMAND.finditer(script):
                found.add(re.sub(r"\s+", " ", _normalized(match.group(0))))
    return sorted(found)


def pulumi_action_commands() -> list[str]:
    """What each pulumi/actions step runs, as the equivalent CLI command line."""
    found: list[str] = []
    for workflow in all_workflows().values():
        for step in steps(workflow):
            if not str(step.get("uses", "")).startswith("pulumi/actions@"):
                continue
            inputs = step.get("with") or {}
            if "command" not in inputs:
                continue  # installs the CLI only
            config = "policies/config/<environment>.json" if inputs.get("policyPackConfigs") else ""
            command = f"pulumi {inputs['command']} --policy-pack {inputs['policyPacks']}"
            found.append(f"{command} --policy-pack-config {config}")
    return found


def test_every_command_the_workflows_run_is_in_the_readme() -> None:
    commands = commands_run()
    assert commands == sorted(
        [
            "make venv policies-venv",
            "make test",
            "make stacks",
            "make stacks EXCLUDE='dev prod'",
            "make preview STACK=<stack>",
            "make -s pack-config STACK=<stack>",
            "make preview-json STACK=<stack>",
            ".venv/bin/python -m tools.preview --cwd base --stack <stack> --json",
            ".venv/bin/python -m tools.pr_comment --stack <stack> --base base.json "
            "--head head.json",
            "cd policies && pulumi policy publish <org>",
        ]
    )
    missing = [c for c in commands + pulumi_action_commands() if c not in README]
    assert missing == []


def test_the_pulumi_actions_run_preview_and_up_with_the_stacks_pack_config() -> None:
    assert pulumi_action_commands() == [
        "pulumi up --policy-pack policies --policy-pack-config policies/config/<environment>.json",
        "pulumi preview --policy-pack policies --policy-pack-config "
        "policies/config/<environment>.json",
    ]
    # The config is the one `make preview` picks: by the stack's environment.
    for name in ("pull-request.yml", "deploy-stack.yml"):
        [resolve] = [s for s in steps(load(name)) if s.get("id") == "pack"]
        assert 'make -s pack-config STACK="$STACK"' in resolve["run"]


# ---------------------------------------------------------------------------- pull requests
def test_pull_requests_preview_every_stack_with_one_edited_comment_each() -> None:
    workflow = load("pull-request.yml")
    assert workflow["on"] == {"pull_request": {"branches": ["main"]}}
    job = workflow["jobs"]["preview"]
    assert job["strategy"]["matrix"]["stack"] == "${{ fromJSON(needs.stacks.outputs.stacks) }}"
    assert job["if"] == (
        "!cancelled() && needs.stacks.result == 'success' "
        "&& github.event.pull_request.head.repo.full_name == github.repository"
    )
    assert job["permissions"] == {"contents": "read", "id-token": "write", "pull-requests": "write"}
    [action] = [s for s in job["steps"] if str(s.get("uses", "")).startswith("pulumi/actions@")]
    assert action["with"]["command"] == "preview"
    assert action["with"]["stack-name"] == "${{ matrix.stack }}"
    assert (action["with"]["comment-on-pr"], action["with"]["edit-pr-comment"]) == (True, True)
    # The cost difference and the violations by resource join that same comment.
    [script] = [
        s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/github-script@")
    ]
    body = script["with"]["script"]
    assert r"#### :tropical_drink: \`preview\` on webstack/${stack}\n" in body
    assert "updateComment" in body


def test_forks_get_the_tests_and_the_offline_preview_without_credentials() -> None:
    workflow = load("pull-request.yml")
    for name in ("test", "offline-preview"):
        job = workflow["jobs"][name]
        assert "if" not in job
        assert "permissions" not in job  # the workflow's: contents: read
        assert not any("configure-aws-credentials" in str(s.get("uses", "")) for s in job["steps"])
    assert workflow["permissions"] == {"contents": "read"}
    offline = workflow["jobs"]["offline-preview"]
    checkouts = [
        s for s in offline["steps"] if str(s.get("uses", "")).startswith("actions/checkout@")
    ]
    assert [c["with"].get("ref") for c in checkouts] == [
        None,
        "${{ github.event.pull_request.base.sha }}",
    ]


# ---------------------------------------------------------------------------- deploys
def test_merges_deploy_dev_then_prod_then_the_other_stacks() -> None:
    workflow = load("deploy.yml")
    assert workflow["on"]["push"] == {"branches": ["main"]}
    jobs = workflow["jobs"]
    assert (jobs["dev"]["needs"], jobs["prod"]["needs"], jobs["others"]["needs"]) == (
        "test",
        "dev",
        ["stacks", "prod"],
    )
    for name in ("dev", "prod", "others"):
        assert jobs[name]["uses"] == "./.github/workflows/deploy-stack.yml"
    assert (jobs["dev"]["with"]["stack"], jobs["prod"]["with"]["stack"]) == ("dev", "prod")
    # A running deploy is never cancelled by a newer push.
    assert workflow["concurrency"]["cancel-in-progress"] is False


def test_each_stack_deploys_behind_its_environment_one_deploy_at_a_time() -> None:
    [job] = load("deploy-stack.yml")["jobs"].values()
    assert job["environment"] == "${{ inputs.stack }}"
    assert job["concurrency"] == {
        "group": "deploy-${{ inputs.stack }}",
        "cancel-in-progress": False,
    }
    [action] = [s for s in job["steps"] if str(s.get("uses", "")).startswith("pulumi/actions@")]
    assert (action["with"]["command"], action["with"]["stack-name"]) == (
        "up",
        "${{ inputs.stack }}",
    )


def test_cloud_credentials_come_from_oidc_roles_per_stack_never_keys() -> None:
    text = "\n".join(p.read_text() for p in WORKFLOWS.glob("*.yml"))
    assert not re.search(r"aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY", text)
    roles = []
    for name, workflow in all_workflows().items():
        for job in workflow["jobs"].values():
            for step in job.get("steps", []):
                if "configure-aws-credentials" in str(step.get("uses", "")):
                    assert job["permissions"]["id-token"] == "write", name
                    roles.append(step["with"]["role-to-assume"].rsplit(":role/", 1)[1])
    assert roles == [
        "github-webstack-${{ inputs.stack }}-deploy",
        "github-webstack-${{ matrix.stack }}-preview",
    ]


# ---------------------------------------------------------------------------- publishing
def test_a_policies_tag_publishes_the_pack_from_its_directory_and_says_how_to_enable_it() -> None:
    workflow = load("policies.yml")
    assert workflow["on"] == {"push": {"tags": ["policies-v*"]}}
    runs = [s.get("run", "") for s in steps(workflow)]
    assert 'cd policies && pulumi policy publish "$PULUMI_ORG"' in runs
    [enable] = [r for r in runs if "pulumi policy enable" in r]
    assert "--policy-group" in enable
    [check] = [r for r in runs if "PulumiPolicy.yaml" in r]
    assert "GITHUB_REF_NAME#policies-v" in check

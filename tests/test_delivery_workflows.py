"""The GitHub Actions workflows: linted, naming only real stacks, running the README's commands,
previewing with the pack per stack, deploying dev then prod one deploy per stack at a time,
credentials through OIDC only, and the pack published from its own directory on a tag. Every
action is pinned by commit SHA and given only the inputs its action.yml declares."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.support.system_tools import require
from tools.stackfile import known_stacks

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
ACTIONS = ROOT / "tests" / "fixtures" / "actions"
JACTIONLINT = ROOT / ".venv" / "bin" / "jactionlint"
# The workflows are documented in docs/delivery.md; the README links there.
README = (ROOT / "docs" / "delivery.md").read_text()


def load(name: str) -> dict[Any, Any]:
    return yaml_load((WORKFLOWS / name).read_text())


def yaml_load(text: str) -> dict[Any, Any]:
    document = yaml.safe_load(text)
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
            'make preview STACK=<stack> ARGS="--state-dir $STATE_DIR $ALLOW_REPLACE"',
            "make -s pack-config STACK=<stack>",
            'make preview-json STACK=<stack> ARGS="--state-dir $STATE_DIR $ALLOW_REPLACE"',
            ".venv/bin/python -m tools.preview --cwd base --stack <stack> --json",
            ".venv/bin/python -m tools.preview --cwd base --stack <stack> --deployed --save "
            '--mock-account --state-dir "$STATE_DIR"',
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
    # labeled/unlabeled too: the allow-replace label re-runs the offline preview.
    assert workflow["on"] == {
        "pull_request": {
            "branches": ["main"],
            "types": ["opened", "synchronize", "reopened", "labeled", "unlabeled"],
        }
    }
    job = workflow["jobs"]["preview"]
    assert job["strategy"]["matrix"]["stack"] == "${{ fromJSON(needs.stacks.outputs.stacks) }}"
    assert job["if"] == (
        "!cancelled() && needs.stacks.result == 'success' "
        "&& github.event.pull_request.head.repo.full_name == github.repository"
    )
    assert job["permissions"] == {"contents": "read", "id-token": "write", "pull-requests": "write"}
    [action] = [s for s in job["steps"] if str(s.get("uses", "")).startswith("pulumi/actions@")]
    assert action["with"]["command"] == "preview"
    assert action["with"]["stack-name"] == "${{ env.PULUMI_STACK }}"
    assert (action["with"]["comment-on-pr"], action["with"]["edit-pr-comment"]) == (True, True)
    # The cost difference and the violations by resource join that same comment, found by the
    # heading pulumi/actions gives it (src/libs/pr.ts builds it from Pulumi.yaml's project name
    # and the stack-name input as given): `preview` on webstack/<org>/<stack>. The newline
    # ends it, so dr-pilot's heading is not a prefix of dr-pilotrds's.
    [script] = [
        s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/github-script@")
    ]
    body = script["with"]["script"]
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["name"]
    assert project == "webstack"
    assert r"#### :tropical_drink: \`preview\` on webstack/${process.env.PULUMI_STACK}\n" in body
    assert job["env"]["PULUMI_STACK"] == "${{ vars.PULUMI_ORG }}/${{ matrix.stack }}"
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
        "${{ env.PULUMI_STACK }}",
    )
    assert job["env"]["PULUMI_STACK"] == "${{ vars.PULUMI_ORG }}/${{ inputs.stack }}"


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


# ---------------------------------------------------------------------------- a new organisation
def jobs_of(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [job for job in workflow["jobs"].values() if "steps" in job]


def resolved(
    value: str, step: dict[str, Any], job: dict[str, Any], workflow: dict[Any, Any]
) -> str:
    """``value`` with ``${{ env.X }}`` replaced as the runner does: step, job, then workflow."""
    env = {**workflow.get("env", {}), **job.get("env", {}), **step.get("env", {})}
    return re.sub(r"\$\{\{ env\.(\w+) \}\}", lambda m: str(env[m[1]]), value)


def pulumi_steps() -> list[tuple[dict[str, Any], dict[str, Any], dict[Any, Any]]]:
    """(step, job, workflow) of every pulumi/actions step that runs a command."""
    return [
        (step, job, workflow)
        for workflow in all_workflows().values()
        for job in jobs_of(workflow)
        for step in job["steps"]
        if str(step.get("uses", "")).startswith("pulumi/actions@")
        and "command" in (step.get("with") or {})
    ]


def test_every_stack_is_named_in_the_organisation_and_created_when_new() -> None:
    # <org>/<stack>: the project comes from Pulumi.yaml, the org from the repository variable.
    # pulumi/actions' `upsert` creates a missing stack (createOrSelectStack) before any command,
    # so a stack file new in a pull request is previewed and a new one on main is deployed.
    found = []
    for step, job, workflow in pulumi_steps():
        given = step["with"]
        stack = resolved(str(given["stack-name"]), step, job, workflow)
        found.append((given["command"], stack, given.get("upsert")))
    assert sorted(found) == [
        ("preview", "${{ vars.PULUMI_ORG }}/${{ matrix.stack }}", True),
        ("up", "${{ vars.PULUMI_ORG }}/${{ inputs.stack }}", True),
    ]


SETTINGS_CHECK = "Repository settings for the stack"


def test_every_job_that_needs_an_account_checks_the_settings_first() -> None:
    checked = []
    for name, workflow in all_workflows().items():
        for job in jobs_of(workflow):
            uses = [str(s.get("uses", "")) for s in job["steps"]]
            if not any("configure-aws-credentials" in u for u in uses):
                continue
            first = job["steps"][0]
            assert first.get("name") == SETTINGS_CHECK, name
            assert first["id"] == "settings"
            # The settings reach the script through env:, never spliced into it.
            assert "${{" not in first["run"], name
            assert first["env"] == {
                "PULUMI_ORG": "${{ vars.PULUMI_ORG }}",
                "AWS_ACCOUNT_IDS": "${{ vars.AWS_ACCOUNT_IDS }}",
            }
            [credentials] = [
                s for s in job["steps"] if "configure-aws-credentials" in str(s.get("uses"))
            ]
            assert job["steps"].index(first) < job["steps"].index(credentials)
            role = credentials["with"]["role-to-assume"]
            assert role.startswith("arn:aws:iam::${{ steps.settings.outputs.account-id }}:role/")
            checked.append((name, first["run"]))
    assert [name for name, _ in checked] == ["deploy-stack.yml", "pull-request.yml"]
    assert checked[0][1] == checked[1][1]  # one script, in both
    # No job builds a role ARN from the raw variable (fromJSON of a missing stack gives "").
    text = "\n".join(p.read_text() for p in WORKFLOWS.glob("*.yml"))
    assert "fromJSON(vars.AWS_ACCOUNT_IDS" not in text


def run_settings_check(tmp_path: Path, **env: str) -> tuple[int, list[str], str]:
    """The settings check of the preview job, run by bash as the runner runs it."""
    [job] = [j for j in jobs_of(load("pull-request.yml")) if j["steps"][0].get("id") == "settings"]
    script = job["steps"][0]["run"]
    output = tmp_path / "github-output"
    output.write_text("")
    result = subprocess.run(
        ["bash", "-e", "-c", script],
        env={
            "PATH": os.environ["PATH"],
            "GITHUB_OUTPUT": str(output),
            "STACK": "dr-pilot",
            "PULUMI_ORG": "example-org",
            "PULUMI_ACCESS_TOKEN": "pul-0123",
            "AWS_ACCOUNT_IDS": '{"dev": "111111111111", "dr-pilot": "333333333333"}',
            **env,
        },
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return result.returncode, result.stdout.splitlines(), output.read_text()


WHERE = "(Settings > Secrets and variables > Actions)"


def test_the_settings_check_names_the_stack_and_the_variable_to_set(tmp_path: Path) -> None:
    require("jq", "jq")
    assert run_settings_check(tmp_path) == (0, [], "account-id=333333333333\n")
    # A number is accepted as well as a string.
    assert run_settings_check(tmp_path, AWS_ACCOUNT_IDS='{"dr-pilot": 333333333333}')[2] == (
        "account-id=333333333333\n"
    )
    cases = {
        "a stack missing from AWS_ACCOUNT_IDS": (
            {"AWS_ACCOUNT_IDS": '{"dev": "111111111111"}'},
            '::error::AWS_ACCOUNT_IDS has no account for stack dr-pilot: add "dr-pilot": '
            '"<12-digit account id>" to the repository variable AWS_ACCOUNT_IDS ' + WHERE,
        ),
        "an account id that is not 12 digits": (
            {"AWS_ACCOUNT_IDS": '{"dr-pilot": "33333333333"}'},
            '::error::AWS_ACCOUNT_IDS gives stack dr-pilot the account "33333333333", not a '
            '12-digit account id: fix "dr-pilot" in the repository variable AWS_ACCOUNT_IDS '
            + WHERE,
        ),
        "AWS_ACCOUNT_IDS that is not JSON": (
            {"AWS_ACCOUNT_IDS": "dev=111111111111"},
            "::error::AWS_ACCOUNT_IDS is not a JSON object: set the repository variable "
            'AWS_ACCOUNT_IDS to {"dr-pilot": "<12-digit account id>", ...} ' + WHERE,
        ),
        "AWS_ACCOUNT_IDS that is a JSON list": (
            {"AWS_ACCOUNT_IDS": '["333333333333"]'},
            "::error::AWS_ACCOUNT_IDS is not a JSON object: set the repository variable "
            'AWS_ACCOUNT_IDS to {"dr-pilot": "<12-digit account id>", ...} ' + WHERE,
        ),
        "no AWS_ACCOUNT_IDS": (
            {"AWS_ACCOUNT_IDS": ""},
            "::error::AWS_ACCOUNT_IDS is not set: set the repository variable AWS_ACCOUNT_IDS to "
            'a JSON object with the account of every stack, {"dr-pilot": "<12-digit account id>"'
            ", ...} " + WHERE,
        ),
        "no PULUMI_ORG": (
            {"PULUMI_ORG": ""},
            "::error::PULUMI_ORG is not set: set the repository variable PULUMI_ORG to the "
            "Pulumi Cloud organisation of the stacks " + WHERE,
        ),
        "no PULUMI_ACCESS_TOKEN": (
            {"PULUMI_ACCESS_TOKEN": ""},
            "::error::PULUMI_ACCESS_TOKEN is not set: add an access token of the Pulumi Cloud "
            "organisation example-org as the repository secret PULUMI_ACCESS_TOKEN " + WHERE,
        ),
    }
    for case, (env, line) in cases.items():
        assert run_settings_check(tmp_path, **env) == (1, [line], ""), case


def readme_account_ids() -> dict[str, str]:
    """The docs' example of the repository variable AWS_ACCOUNT_IDS (a ```json block)."""
    [block] = re.findall(r"```json\n(.*?)```", README, re.S)
    return dict(json.loads(block))


def test_the_readmes_account_ids_example_has_every_stack_file() -> None:
    example = readme_account_ids()
    assert sorted(example) == known_stacks(ROOT)
    assert all(re.fullmatch(r"\d{12}", account) for account in example.values())


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


# ---------------------------------------------------------------------------- pinned actions
# `uses: owner/repo@<40-hex sha> # vX.Y.Z`; YAML drops the comment, so the raw line is read.
PINNED = re.compile(
    r"^\s*(?:-\s+)?uses:\s+(?P<action>[\w.-]+/[\w.-]+)@(?P<ref>\S+)(?:\s+#\s*(?P<version>\S+))?\s*$"
)
SHA = re.compile(r"[0-9a-f]{40}")
VERSION = re.compile(r"v\d+\.\d+\.\d+")


def uses_lines(text: str) -> list[re.Match[str]]:
    """Every `uses:` of a remote action (local `./...` workflows and actions excluded)."""
    lines = [line for line in text.splitlines() if re.match(r"^\s*(?:-\s+)?uses:", line)]
    remote = [line for line in lines if not line.split("uses:", 1)[1].strip().startswith("./")]
    matches = [PINNED.match(line) for line in remote]
    assert all(matches), [line for line, m in zip(remote, matches, strict=True) if not m]
    return [m for m in matches if m]


def pin_problems(text: str) -> list[str]:
    """What is wrong with the pins of one workflow's text: a ref that is no commit SHA, a missing
    or vague version comment, a pin whose vendored action.yml is missing or of another commit."""
    problems = []
    for use in uses_lines(text):
        action, ref, version = use["action"], use["ref"], use["version"]
        if not SHA.fullmatch(ref):
            problems.append(f"{action}@{ref}: not pinned to a 40-hex commit SHA")
            continue
        if not version or not VERSION.fullmatch(version):
            problems.append(f"{action}@{ref}: no `# vX.Y.Z` comment naming the pinned version")
            continue
        vendored = action_yml(action, version)
        if vendored is None:
            problems.append(f"{action}@{version}: no {vendored_path(action, version).name}")
        elif (vendored.header.get("commit"), vendored.header.get("version")) != (ref, version):
            problems.append(
                f"{action}@{ref} # {version}: the vendored action.yml is of "
                f"{vendored.header.get('commit')} ({vendored.header.get('version')})"
            )
    return problems


class ActionYml:
    """A vendored action.yml: its header (action, version, commit, source) and its inputs."""

    def __init__(self, path: Path) -> None:
        text = path.read_text()
        self.header = dict(re.findall(r"^# (action|version|commit|source): (\S+)", text, re.M))
        self.inputs: dict[str, dict[str, Any]] = {
            name: dict(spec or {}) for name, spec in (yaml.safe_load(text)["inputs"] or {}).items()
        }

    def required(self) -> set[str]:
        """Inputs the runner insists on: `required: true` with no default."""
        return {
            name
            for name, spec in self.inputs.items()
            if spec.get("required") in (True, "true") and "default" not in spec
        }


def vendored_path(action: str, version: str) -> Path:
    return ACTIONS / f"{action.replace('/', '__')}@{version}.yml"


def action_yml(action: str, version: str) -> ActionYml | None:
    path = vendored_path(action, version)
    return ActionYml(path) if path.is_file() else None


def input_problems(workflow: dict[Any, Any], text: str) -> list[str]:
    """Every `with:` key an action's action.yml does not declare, every required input not given."""
    versions = {use["action"]: use["version"] for use in uses_lines(text)}
    problems = []
    for step in steps(workflow):
        uses = str(step.get("uses", ""))
        if not uses or uses.startswith("./"):
            continue
        action = uses.split("@", 1)[0]
        vendored = action_yml(action, versions.get(action) or "")
        if vendored is None:
            continue  # pin_problems reports it
        given = set(step.get("with") or {})
        problems += [f"{action}: no input {key!r}" for key in sorted(given - set(vendored.inputs))]
        problems += [
            f"{action}: required input {key!r} not given"
            for key in sorted(vendored.required() - given)
        ]
    return problems


def test_every_action_is_pinned_by_commit_sha_with_its_version() -> None:
    for path in sorted(WORKFLOWS.glob("*.yml")):
        assert pin_problems(path.read_text()) == [], path.name


def pins() -> dict[str, set[tuple[str, str]]]:
    """(commit, version) of each action, over all the workflows."""
    pinned: dict[str, set[tuple[str, str]]] = {}
    for path in WORKFLOWS.glob("*.yml"):
        for use in uses_lines(path.read_text()):
            pinned.setdefault(use["action"], set()).add((use["ref"], use["version"]))
    return pinned


def test_one_version_of_each_action_across_the_workflows() -> None:
    pinned = pins()
    assert {action: len(refs) for action, refs in pinned.items()} == dict.fromkeys(pinned, 1)
    # Every vendored action.yml is one the workflows pin (none left behind by an upgrade).
    assert sorted(p.name for p in ACTIONS.glob("*.yml")) == sorted(
        vendored_path(action, version).name
        for action, refs in pinned.items()
        for _, version in refs
    )


def test_every_vendored_action_yml_says_where_it_comes_from() -> None:
    for path in sorted(ACTIONS.glob("*.yml")):
        vendored = ActionYml(path)
        action, version = path.stem.split("@")
        assert vendored.header["action"] == action.replace("__", "/"), path.name
        assert vendored.header["version"] == version, path.name
        assert SHA.fullmatch(vendored.header["commit"]), path.name
        assert vendored.header["source"], path.name
        assert vendored.inputs, path.name


def test_every_input_given_is_declared_by_the_pinned_action_and_required_ones_are_given() -> None:
    for path in sorted(WORKFLOWS.glob("*.yml")):
        assert input_problems(load(path.name), path.read_text()) == [], path.name


def test_the_pin_checks_catch_a_tag_a_missing_version_a_typo_and_a_missing_input() -> None:
    text = (WORKFLOWS / "pull-request.yml").read_text()
    checkout = "actions/checkout@93cb6efe18208431cddfb8368fd83d5badbf9bfd # v5.0.1"
    assert checkout in text
    assert pin_problems(text.replace(checkout, "actions/checkout@v5", 1)) == [
        "actions/checkout@v5: not pinned to a 40-hex commit SHA"
    ]
    assert pin_problems(text.replace(checkout, checkout.split(" #")[0], 1)) == [
        "actions/checkout@93cb6efe18208431cddfb8368fd83d5badbf9bfd: no `# vX.Y.Z` comment "
        "naming the pinned version"
    ]
    assert pin_problems(text.replace(checkout, checkout.replace("v5.0.1", "v5.0.0"), 1)) == [
        "actions/checkout@v5.0.0: no actions__checkout@v5.0.0.yml"
    ]
    typo = text.replace("if-no-files-found: error", "if-no-file-found: error", 1)
    assert input_problems(yaml_load(typo), typo) == [
        "actions/upload-artifact: no input 'if-no-file-found'"
    ]
    unnamed = text.replace("          path: summary-${{ matrix.stack }}.md\n", "", 1)
    assert input_problems(yaml_load(unnamed), unnamed) == [
        "actions/upload-artifact: required input 'path' not given"
    ]


def catalogue_problems(workflows: dict[str, str], tmp_path: Path) -> list[str]:
    """actionlint's own check of `with:` against its catalogue of popular actions, which is keyed
    by major tag: the workflows with each pin turned back into `@vMAJOR`, linted."""
    (tmp_path / ".github" / "workflows").mkdir(parents=True, exist_ok=True)
    for name, text in workflows.items():
        tagged = re.sub(r"@[0-9a-f]{40} # (v\d+)\.\d+\.\d+", lambda m: f"@{m[1]}", text)
        (tmp_path / ".github" / "workflows" / name).write_text(tagged)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    result = lint("--shellcheck=", cwd=tmp_path)
    return re.findall(r"^\S+: (.*\[(?:unknown|missing)-action-input\])$", result.stdout, re.M)


def test_the_pinned_inputs_agree_with_actionlints_catalogue(tmp_path: Path) -> None:
    # A second source beside the vendored files (most of which are not of the pinned commit):
    # actionlint's catalogue of each action at the pinned major, e.g. aws-region is required by
    # configure-aws-credentials@v6 though the stored v1 action.yml does not say so.
    workflows = {p.name: p.read_text() for p in WORKFLOWS.glob("*.yml")}
    assert catalogue_problems(workflows, tmp_path / "as-is") == []
    regionless = {
        "deploy-stack.yml": workflows["deploy-stack.yml"].replace(
            "          aws-region: us-east-1\n", ""
        )
    }
    assert catalogue_problems(regionless, tmp_path / "regionless") == [
        'missing input "aws-region" which is required by action '
        '"aws-actions/configure-aws-credentials@v6". all required inputs are "aws-region" '
        "[missing-action-input]"
    ]
    # The catalogue knows every pinned action at its major: an unknown input is reported for each.
    probe = "on: push\npermissions: {}\njobs:\n  probe:\n    runs-on: ubuntu-24.04\n    steps:\n"
    for action, refs in sorted(pins().items()):
        [(sha, version)] = refs
        probe += f"      - uses: {action}@{sha} # {version}\n        with: {{not-an-input: x}}\n"
    problems = catalogue_problems({"probe.yml": probe}, tmp_path / "probe")
    unknown = sorted(set(re.findall(r'not defined in action "([^"@]+)@v\d+"', "\n".join(problems))))
    assert unknown == sorted(pins())


def test_the_offline_preview_diffs_against_mains_recorded_state() -> None:
    # Main's state is recorded first (as make up does), from main's own checkout, into one
    # absolute directory; the head's preview and its JSON compare with it; the allow-replace
    # label is the only way a stateful replacement passes.
    job = load("pull-request.yml")["jobs"]["offline-preview"]
    assert job["env"]["STATE_DIR"] == "${{ github.workspace }}/offline-state"
    assert (
        "contains(github.event.pull_request.labels.*.name, 'allow-replace')"
        in (job["env"]["ALLOW_REPLACE"])
    )
    runs = [str(step.get("run", "")) for step in job["steps"]]
    record = next(i for i, run in enumerate(runs) if "--save" in run)
    assert "--cwd base" in runs[record] and "--deployed" in runs[record]
    previews = [i for i, run in enumerate(runs) if "make preview" in run]
    assert previews and all(i > record for i in previews)
    assert all("--state-dir $STATE_DIR $ALLOW_REPLACE" in runs[i] for i in previews)

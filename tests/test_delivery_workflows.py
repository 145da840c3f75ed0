"""The GitHub Actions workflows: linted, naming only real stacks, running the README's commands,
previewing with the pack per stack, deploying dev then prod one deploy per stack at a time,
credentials through OIDC only, and the pack published from its own directory on a tag. Every
action is pinned by commit SHA and given only the inputs its action.yml declares."""

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
ACTIONS = ROOT / "tests" / "fixtures" / "actions"
JACTIONLINT = ROOT / ".venv" / "bin" / "jactionlint"
README = (ROOT / "README.md").read_text()


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

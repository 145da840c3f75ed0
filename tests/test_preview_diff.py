"""The offline preview answers "what will this change do, and will it replace my database?".

``make up STACK=<stack>`` (``tools.preview --deployed --save``) records the stack's state as
``pulumi up`` against the local backend would; the next preview compares the program with it and
prints per resource ``+ create``, ``~ update``, ``+-``/``-+ replace`` and ``- delete`` with the
changed properties, as ``pulumi preview --diff`` does (``tools.diff``). Each row of the README's
"Common edits" table has a test here asserting the diff it produces. A stateful replacement (or a
store's deletion) is a mandatory failure unless ``--allow-replace`` names it.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import subprocess
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.support.process import run_module
from tests.support.synth import SHIPPED
from tests.support.tokens import (
    ACM_CERTIFICATE,
    ACM_CERTIFICATE_VALIDATION,
    AUTOSCALING_GROUP,
    AWS_PROVIDER,
    CLOUDFRONT_DISTRIBUTION,
    CLOUDFRONT_ORIGIN_ACCESS_CONTROL,
    CLOUDWATCH_DASHBOARD,
    EC2_LAUNCH_TEMPLATE,
    ELASTICACHE_REPLICATION_GROUP,
    LB_LOAD_BALANCER,
    RDS_CLUSTER,
    RDS_CLUSTER_INSTANCE,
    RDS_INSTANCE,
    ROUTE53_RECORD,
    SNS_TOPIC_SUBSCRIPTION,
    VPC_SECURITY_GROUP_INGRESS_RULE,
)
from tools import diff, state
from tools.mockcloud import ROOT, Synthesis, synthesize
from tools.pr_comment import changes_markdown
from tools.preview import _parse_path_override, apply_paths
from tools.replacements import FORCES_REPLACEMENT, STATEFUL_TYPES

README = (ROOT / "README.md").read_text()


# --------------------------------------------------------------------------------------------
# Helpers: deployed syntheses (cached), states and diffs in-process
# --------------------------------------------------------------------------------------------
@cache
def _deployed(stack: str, overrides_json: str) -> Synthesis:
    result = synthesize(stack, overrides=json.loads(overrides_json) or None, preview=False)
    assert result.error is None, result.error
    return result


def deployed(stack: str, overrides: Mapping[str, Any] | None = None) -> Synthesis:
    """``stack`` as ``pulumi up`` against the mock cloud leaves it (the shipped stack file, with
    ``overrides`` applied as ``tools.preview --config`` would)."""
    return _deployed(stack, json.dumps(overrides or {}, sort_keys=True))


def edited(stack: str, *paths: str, **config: Any) -> Synthesis:
    """The stack after a Common edit: ``--config-path`` items, and whole keys in ``config``
    (``alarmEmail=...`` means ``webstack:alarmEmail``)."""
    overrides = {f"webstack:{key}": value for key, value in config.items()}
    parsed = [_parse_path_override(item) for item in paths]
    return deployed(stack, apply_paths(stack, overrides, parsed, ROOT))


@cache
def recorded(stack: str) -> dict[str, Any]:
    return state.record(deployed(stack))


def changes_of(synthesis: Synthesis, baseline: Mapping[str, Any] | None = None) -> diff.Diff:
    return diff.compare(baseline or recorded(synthesis.stack), synthesis, "test")


def ops(result: diff.Diff) -> dict[str, set[str]]:
    """Changed resources as {op: {"type name", ...}}."""
    found: dict[str, set[str]] = {}
    for resource in result.changed:
        found.setdefault(resource.op, set()).add(f"{resource.type} {resource.name}")
    return found


def only(result: diff.Diff, op: str) -> list[diff.ResourceDiff]:
    return [r for r in result.changed if r.op == op]


def types_of(resources: Iterable[diff.ResourceDiff]) -> set[str]:
    return {r.type for r in resources}


def preview(*args: str) -> subprocess.CompletedProcess[str]:
    return run_module("tools.preview", *args)


# --------------------------------------------------------------------------------------------
# Recording the state, and the preview with and without one (the CLI)
# --------------------------------------------------------------------------------------------
def test_without_a_recorded_state_every_resource_is_new_and_the_preview_says_how_to_record(
    tmp_path: Path,
) -> None:
    result = preview("--stack", "dev", "--state-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    count = next(line for line in lines if line.endswith(" to create"))
    assert re.fullmatch(r"    \+ \d+ to create", count)
    assert lines[lines.index(count) + 1] == (
        "    (no recorded state for dev: every resource is new; record one with make up STACK=dev)"
    )
    assert not any(line.endswith(" unchanged") for line in lines)


def test_make_up_records_the_state_and_an_unchanged_program_then_changes_nothing(
    tmp_path: Path,
) -> None:
    saved = preview("--stack", "dev", "--deployed", "--save", "--state-dir", str(tmp_path))
    assert saved.returncode == 0, saved.stderr
    assert saved.stdout.startswith("Updating (dev), offline against the mock cloud:")
    document = json.loads((tmp_path / "dev.json").read_text())
    count = len(document["resources"])
    assert saved.stdout.splitlines()[-1] == (
        f"Saved the state of dev: {count} resources to {tmp_path / 'dev.json'}"
    )
    again = preview("--stack", "dev", "--state-dir", str(tmp_path), "--json")
    assert again.returncode == 0, again.stderr
    result = json.loads(again.stdout)
    assert result["diff"]["baseline"] == str(tmp_path / "dev.json")
    assert result["diff"]["resources"] == []
    assert result["diff"]["counts"] == {
        "create": 0,
        "update": 0,
        "replace": 0,
        "delete": 0,
        "same": count + 1,  # and the stack
    }


def test_save_goes_with_deployed_as_pulumi_up_records_what_it_deployed(tmp_path: Path) -> None:
    result = preview("--stack", "dev", "--save", "--state-dir", str(tmp_path))
    assert result.returncode == 2
    assert "--save records what was deployed: use it with --deployed" in result.stderr
    assert not (tmp_path / "dev.json").exists()


def test_the_default_state_directory_is_ignored_by_git() -> None:
    assert state.state_path("prod", ROOT) == ROOT / ".pulumi-offline" / "prod.json"
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", ".pulumi-offline/prod.json"], cwd=ROOT, check=False
    )
    assert ignored.returncode == 0


def _secret_values(synthesis: Synthesis) -> set[str]:
    """Every plaintext the program marked secret, anywhere in any input."""
    from pulumi.runtime import rpc

    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, Mapping):
            if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
                found.add(json.dumps(value.get("value"))[1:-1])
                return
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for resource in synthesis.resources:
        walk(rpc.deserialize_properties(resource.struct))
    return {value for value in found if len(value) >= 8}


def test_no_secret_value_is_written_to_the_state_file(tmp_path: Path) -> None:
    synthesis = deployed("dev")
    secrets = _secret_values(synthesis)
    assert len(secrets) >= 3  # the cache AUTH token, the origin header, the master password
    path = tmp_path / "dev.json"
    state.save(synthesis, path)
    text = path.read_text()
    assert not [secret for secret in secrets if secret in text]
    [group] = [
        r for r in json.loads(text)["resources"] if r["type"] == ELASTICACHE_REPLICATION_GROUP
    ]
    assert group["inputs"]["authToken"] == "[secret]"


# --------------------------------------------------------------------------------------------
# The README's "Common edits", one test per row
# --------------------------------------------------------------------------------------------
def test_the_readme_tells_to_record_then_preview_each_edit() -> None:
    assert "make up STACK=<stack>" in README
    assert "make preview STACK=<stack> ARGS='--config-path <key>=<value>'" in README
    assert "--allow-replace webstack-dev-db" in README


def test_resizing_the_web_tier_updates_only_the_scaling_group_in_place() -> None:
    result = changes_of(edited("dev", "webstack:web.maxSize=8"))
    [group] = result.changed
    assert (group.type, group.op, group.changed_keys) == (AUTOSCALING_GROUP, "update", ["maxSize"])
    assert [(c.path, c.old, c.new) for c in group.changes] == [("maxSize", 3, 8)]
    assert diff.render(result) == [
        "Resources:",
        "    ~ aws:autoscaling/group:Group webstack-dev-web update [diff: ~maxSize]",
        "        ~ maxSize: 3 => 8",
        "    ~ 1 to update",
        f"    {len(deployed('dev').resources)} unchanged",
    ]


def test_a_larger_instance_type_and_minimum_update_the_template_and_group_in_place() -> None:
    result = changes_of(
        edited(
            "dev",
            "webstack:web.maxSize=8",
            "webstack:web.minSize=3",
            "webstack:web.instanceType=t4g.medium",
        )
    )
    assert not only(result, "replace") and not only(result, "delete")
    updates = {r.type: r for r in only(result, "update")}
    assert set(updates["aws:ec2/launchTemplate:LaunchTemplate"].changed_keys) == {"instanceType"}
    assert {"maxSize", "minSize"} <= set(updates[AUTOSCALING_GROUP].changed_keys)


def test_enabling_the_app_tier_creates_it_and_touches_the_web_tier_only_in_place() -> None:
    result = changes_of(edited("dev", "webstack:appTier.enabled=true"))
    assert not only(result, "replace") and not only(result, "delete")
    created = only(result, "create")
    assert {LB_LOAD_BALANCER, AUTOSCALING_GROUP, EC2_LAUNCH_TEMPLATE} <= types_of(created)
    assert all("app" in r.name or "internal-alb" in r.name for r in created if r.custom)
    # The web tier learns the app tier's URL (user data) and the dashboard gains its widgets.
    assert {(r.type, tuple(r.changed_keys)) for r in only(result, "update")} == {
        (EC2_LAUNCH_TEMPLATE, ("userData",)),
        (CLOUDWATCH_DASHBOARD, ("dashboardBody",)),
    }


def test_switching_the_aurora_engine_replaces_the_cluster_and_is_refused() -> None:
    result = changes_of(edited("dev", "webstack:database.engine=aurora-mysql"))
    lost = diff.destructive(result)
    assert {(r.type, r.op) for r in lost} == {
        (RDS_CLUSTER, "replace"),
        (RDS_CLUSTER_INSTANCE, "replace"),
    }
    cluster = next(r for r in lost if r.type == RDS_CLUSTER)
    assert cluster.replace_because == ("engine",)
    assert diff.warning(cluster, []) == (
        "warning: aws:rds/cluster:Cluster webstack-dev-db would be REPLACED because engine "
        'changed: "aurora-postgresql" => "aurora-mysql" (its data does not move)'
    )
    assert diff.warning(cluster, ["webstack-dev-db"]).endswith("[allowed by --allow-replace]")


def test_the_readme_engine_switch_is_refused_without_allow_replace_and_runs_with_it(
    tmp_path: Path,
) -> None:
    # The README's row: aurora-postgresql -> postgres moves the database to another resource
    # type (an RDS instance): the cluster and its instances are deleted, a new instance created.
    state.save(deployed("dev"), tmp_path / "dev.json")
    switch = ["--stack", "dev", "--state-dir", str(tmp_path)]
    switch += ["--config-path", "webstack:database.engine=postgres"]
    refused = preview(*switch)
    assert refused.returncode == 1
    assert (
        "warning: aws:rds/cluster:Cluster webstack-dev-db would be DELETED: the program no "
        "longer declares it (its data goes with it)"
    ) in refused.stdout
    assert "    - aws:rds/cluster:Cluster webstack-dev-db delete" in refused.stdout
    assert "    + aws:rds/instance:Instance webstack-dev-db create" in refused.stdout
    assert refused.stderr.strip().splitlines()[-1] == (
        "error: preview failed: 3 stateful resource(s) would be replaced or deleted; pass "
        "--allow-replace <name> (or --allow-replace all) if you mean it"
    )
    names = ("webstack-dev-db", "webstack-dev-db-1", "webstack-dev-db-2")
    meant = preview(*switch, "--json", *(f"--allow-replace={name}" for name in names))
    assert meant.returncode == 0, meant.stderr
    document = json.loads(meant.stdout)["diff"]
    [cluster] = [r for r in document["resources"] if r["type"] == RDS_CLUSTER]
    assert (cluster["op"], cluster["stateful"]) == ("delete", True)
    [instance] = [
        r
        for r in document["resources"]
        if r["type"] == RDS_INSTANCE and r["name"] == "webstack-dev-db"
    ]
    assert instance["op"] == "create"


def test_json_carries_each_change_with_old_and_new_values_and_why_it_replaces(
    tmp_path: Path,
) -> None:
    state.save(deployed("dev"), tmp_path / "dev.json")
    result = preview(
        "--stack",
        "dev",
        "--json",
        "--state-dir",
        str(tmp_path),
        "--config-path",
        "webstack:database.engine=aurora-mysql",
        "--allow-replace",
        "all",
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)["diff"]
    [cluster] = [r for r in document["resources"] if r["type"] == RDS_CLUSTER]
    assert cluster["op"] == "replace"
    assert cluster["replaceBecause"] == ["engine"]
    assert {"path": "engine", "old": "aurora-postgresql", "new": "aurora-mysql"} in cluster[
        "changes"
    ]
    assert {"path": "port", "old": 5432, "new": 3306} in cluster["changes"]
    assert "engine" in cluster["changedKeys"] and cluster["deleteBeforeReplace"] is False
    assert document["counts"]["replace"] == len(
        [r for r in document["resources"] if r["op"] == "replace"]
    )


def test_disabling_the_cdn_deletes_the_distribution_and_opens_the_load_balancer() -> None:
    result = changes_of(edited("dev", "webstack:cdn.enabled=false"))
    assert not diff.destructive(result)
    assert not only(result, "replace")
    assert {CLOUDFRONT_DISTRIBUTION, CLOUDFRONT_ORIGIN_ACCESS_CONTROL} <= types_of(
        only(result, "delete")
    )
    # The ALB admits the internet on 80 and 443 instead of CloudFront's prefix list.
    created = only(result, "create")
    assert types_of(created) == {VPC_SECURITY_GROUP_INGRESS_RULE}
    assert {r.name for r in created} >= {
        "webstack-dev-in-world-ipv4-80",
        "webstack-dev-in-world-ipv4-443",
    }
    updates = {r.type: r for r in only(result, "update")}
    assert updates[LB_LOAD_BALANCER].changed_keys == ["securityGroups"]


def test_adding_a_domain_creates_certificates_and_records_and_replaces_no_store() -> None:
    result = changes_of(
        edited("dev", "webstack:domain.zoneName=example.com", "webstack:domain.recordName=www")
    )
    assert not diff.destructive(result)
    created = types_of(only(result, "create"))
    assert {ACM_CERTIFICATE, ACM_CERTIFICATE_VALIDATION, ROUTE53_RECORD} <= created
    [distribution] = [r for r in only(result, "update") if r.type == CLOUDFRONT_DISTRIBUTION]
    assert {"aliases", "viewerCertificate"} <= set(distribution.changed_keys)
    # The listener rules move from the HTTP listener to the new HTTPS one: listenerArn forces it.
    replaced = only(result, "replace")
    assert {r.replace_because for r in replaced} == {("listenerArn",)}


def test_turning_on_disaster_recovery_creates_the_mirror_and_updates_the_primary_in_place() -> None:
    # prod as it was before the warm standby, then prod as shipped (dr.strategy warm-standby).
    before = state.record(deployed("prod", {"webstack:dr": {"strategy": "none"}}))
    result = changes_of(deployed("prod"), before)
    assert not only(result, "replace") and not diff.destructive(result)
    created = only(result, "create")
    standby = [r for r in deployed("prod").resources if r.region == "us-west-2" and r.custom]
    assert {r.urn for r in standby} <= {r.urn for r in created}
    assert {"aws:rds/globalCluster:GlobalCluster", ELASTICACHE_REPLICATION_GROUP} <= types_of(
        created
    )
    # The primary's stores stay: updated in place at most.
    for resource in result.resources:
        if resource.stateful and resource.op != "create":
            assert resource.op in ("same", "update"), resource
    [database] = [r for r in only(result, "update") if r.type == RDS_CLUSTER]
    assert set(database.changed_keys) <= {
        "manageMasterUserPassword",
        "masterPassword",
        "masterUserSecretKmsKeyId",
    }


def test_receiving_alarms_creates_the_email_subscription_only() -> None:
    result = changes_of(edited("dev", alarmEmail="ops@example.com"))
    assert ops(result) == {
        "create": {f"{SNS_TOPIC_SUBSCRIPTION} webstack-dev-alarms-email"},
    }


def test_guarding_the_account_updates_the_provider_only() -> None:
    # The README's `--path --type string 'webstack:allowedAccountIds[0]' 123456789012` (without
    # `--type string` the CLI stores the digits as a number, which array<string> refuses), set
    # here as the whole key it produces.
    result = changes_of(edited("dev", allowedAccountIds=["123456789012"]))
    assert result.changed
    for resource in result.changed:
        assert (resource.type, resource.op) == (AWS_PROVIDER, "update")
        assert resource.changed_keys == ["allowedAccountIds"]


# --------------------------------------------------------------------------------------------
# How resources are matched and compared
# --------------------------------------------------------------------------------------------
def _renamed(baseline: Mapping[str, Any], old_urn: str, new_urn: str) -> dict[str, Any]:
    copy = json.loads(json.dumps(baseline))
    for resource in copy["resources"]:
        if resource["urn"] == old_urn:
            resource["urn"] = new_urn
    return copy


def test_a_resource_found_by_an_alias_keeps_its_state() -> None:
    synthesis = deployed("prod")
    moved = next(
        r for r in synthesis.resources if r.custom and r.aliases and r.type in STATEFUL_TYPES
    )
    alias = next(a for a in moved.aliases if a != moved.urn)
    baseline = _renamed(state.record(synthesis), moved.urn, alias)
    result = changes_of(synthesis, baseline)
    assert not result.changed, [(r.op, r.urn) for r in result.changed]
    [entry] = [r for r in result.resources if r.urn == moved.urn]
    assert (entry.op, entry.old_urn) == ("same", alias)


def _with_input(baseline: Mapping[str, Any], type_: str, key: str, value: Any) -> dict[str, Any]:
    copy = json.loads(json.dumps(baseline))
    [resource] = [r for r in copy["resources"] if r["type"] == type_]
    resource["inputs"][key] = value
    return copy


def test_ignore_changes_keeps_the_recorded_value_as_the_engine_does() -> None:
    synthesis = deployed("dev")
    [group] = synthesis.of_type(AUTOSCALING_GROUP)
    assert "desiredCapacity" in group.ignore_changes
    scaled = _with_input(recorded("dev"), AUTOSCALING_GROUP, "desiredCapacity", 7)
    assert not changes_of(synthesis, scaled).changed
    resized = _with_input(recorded("dev"), AUTOSCALING_GROUP, "maxSize", 5)
    [entry] = changes_of(synthesis, resized).changed
    assert (entry.op, entry.changed_keys) == ("update", ["maxSize"])


def test_replace_on_changes_replaces_as_the_program_asks() -> None:
    synthesis = deployed("dr-pilotrds")
    replica = next(r for r in synthesis.resources if "replicateSourceDb" in r.replace_on_changes)
    baseline = json.loads(json.dumps(state.record(synthesis)))
    [entry] = [r for r in baseline["resources"] if r["urn"] == replica.urn]
    entry["inputs"]["replicateSourceDb"] = "arn:aws:rds:us-east-1:111111111111:db:elsewhere"
    [result] = changes_of(synthesis, baseline).changed
    assert (result.op, result.replace_because) == ("replace", ("replicateSourceDb",))
    assert result.delete_before_replace and result.marker == "-+"
    assert diff.render(changes_of(synthesis, baseline))[1].startswith(
        f"    -+ {RDS_INSTANCE} {replica.name} replace [diff: ~replicateSourceDb]"
    )


def test_values_print_as_the_cli_prints_them() -> None:
    changes = list(
        diff.diff_values(
            {"a": 1, "b": {"c": "x"}, "d": [1]}, {"a": 2, "b": {}, "d": [1, 2], "e": True}
        )
    )
    assert [(c.kind, c.path) for c in changes] == [
        ("~", "a"),
        ("-", "b.c"),
        ("+", "d[1]"),
        ("+", "e"),
    ]
    assert diff.render_value("x" * 200).count("…") == 1
    assert len(diff.render_value("x" * 200)) == diff.VALUE_COLUMNS


# --------------------------------------------------------------------------------------------
# The replacement table
# --------------------------------------------------------------------------------------------
def _custom_types(stacks: Iterable[str]) -> set[str]:
    types: set[str] = set()
    for stack in stacks:
        types |= {r.type for r in deployed(stack).resources if r.custom}
    return types


def test_every_resource_type_of_every_shipped_stack_knows_what_forces_its_replacement() -> None:
    missing = _custom_types(SHIPPED) - set(FORCES_REPLACEMENT)
    assert not missing, sorted(missing)


def test_an_entry_that_forces_nothing_says_so() -> None:
    source = (ROOT / "tools/replacements.py").read_text().splitlines()
    for index, line in enumerate(source):
        if re.search(r'": (frozenset\(\)|_REGION),$', line):
            assert "othing forces" in source[index - 1], line


def _input_names(type_: str) -> set[str]:
    """The inputs of a resource type, camelCase, from its pulumi_<package> Args class."""
    package, module_path, class_name = type_.split(":")
    if package == "pulumi":
        module = importlib.import_module(f"pulumi_{class_name}")
        args = module.ProviderArgs
    else:
        module_name, file_name = module_path.split("/")
        snake = re.sub(r"(?<!^)([A-Z])", r"_\1", file_name).lower()
        parts = [f"pulumi_{package}"] + ([] if module_name == "index" else [module_name])
        module = importlib.import_module(".".join([*parts, snake]))
        args = getattr(module, f"{class_name}InitArgs", None) or getattr(
            module, f"{class_name}Args"
        )
    names = [
        p for p in inspect.signature(args.__init__).parameters if p not in ("self", "__self__")
    ]
    return {re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), name) for name in names}


@pytest.mark.parametrize("type_", sorted(FORCES_REPLACEMENT))
def test_every_input_named_in_the_table_is_an_input_of_its_type(type_: str) -> None:
    unknown = FORCES_REPLACEMENT[type_] - _input_names(type_)
    assert not unknown, sorted(unknown)


def test_the_stores_the_issue_names_are_stateful() -> None:
    assert {
        RDS_CLUSTER,
        RDS_INSTANCE,
        "aws:rds/globalCluster:GlobalCluster",
        ELASTICACHE_REPLICATION_GROUP,
        "aws:s3/bucket:Bucket",
        "aws:kms/key:Key",
        "aws:secretsmanager/secret:Secret",
        "aws:backup/vault:Vault",
    } <= STATEFUL_TYPES


# --------------------------------------------------------------------------------------------
# The pull request's comment (tools/pr_comment.py) shows the diff, replacements first
# --------------------------------------------------------------------------------------------
def test_the_pull_request_comment_lists_the_changes_against_main_replacements_first() -> None:
    changed = edited("dev", "webstack:web.maxSize=8", "webstack:database.engine=aurora-mysql")
    head = {"diff": changes_of(changed).to_json()}
    lines = changes_markdown(head)
    assert lines[0].startswith("**Resource changes against main: ")
    items = [line for line in lines if line.startswith("- ")]
    ops_in_order = [line.split("` ", 1)[1].split(" ", 1)[0] for line in items]
    assert ops_in_order == sorted(ops_in_order, key=("replace", "delete", "create", "update").index)
    cluster = next(i for i in items if "`aws:rds/cluster:Cluster`" in i)
    assert cluster.startswith("- `+-` replace")
    assert "replaced because `engine` changed (**stateful: its data does not move**)" in cluster
    assert any(
        i.startswith("- `~` update `aws:autoscaling/group:Group`") and "`maxSize`" in i
        for i in items
    )


def test_the_comment_says_when_main_has_no_state_or_nothing_changes() -> None:
    assert changes_markdown({"diff": {"baseline": None}}) == [
        "**Resource changes:** no recorded state of main (the stack is new): all created."
    ]
    unchanged = {"diff": changes_of(deployed("dev")).to_json()}
    assert changes_markdown(unchanged) == ["**Resource changes against main: none.**"]
    assert changes_markdown({}) == []  # a preview without a state to compare with

# ruff: noqa: E501 - rule tables read best one case per line
"""Workload rules (ECR, ECS, Lambda), beyond the rule table (cases_workloads.py)."""

import datetime
import json

import pytest
from guardrails import tokens as t
from guardrails import workloads
from guardrails.props import UNKNOWN_STRING
from support import check, stack_check, stack_resources, urn


def test_every_repository_needs_a_lifecycle_policy_naming_it():
    resources = stack_resources(
        [
            (t.ECR_REPOSITORY, "app", {"name": "app"}),
            (t.ECR_REPOSITORY, "worker", {"name": "worker"}),
            (t.ECR_LIFECYCLE_POLICY, "app-expiry", {"repository": UNKNOWN_STRING, "policy": "{}"}),
            (t.ECR_LIFECYCLE_POLICY, "by-name", {"repository": "worker", "policy": "{}"}),
        ],
        {"app-expiry": {"repository": ["app"]}},
    )
    assert stack_check("ecr-lifecycle-policy", resources) == []
    [(at, message)] = stack_check("ecr-lifecycle-policy", resources[:3])
    assert at == urn(t.ECR_REPOSITORY, "worker") and "aws.ecr.LifecyclePolicy" in message


def test_a_lifecycle_policy_whose_repository_is_unknown_is_undecidable():
    resources = stack_resources(
        [
            (t.ECR_REPOSITORY, "app", {"name": "app"}),
            (t.ECR_LIFECYCLE_POLICY, "p", {"repository": UNKNOWN_STRING}),
        ]
    )
    assert stack_check("ecr-lifecycle-policy", resources) == []


def test_secret_name_patterns_are_configurable():
    task = {"containerDefinitions": json.dumps([{"name": "a", "environment": [{"name": "SIGNING_SEED", "value": "x"}]}])}  # fmt: skip
    assert check("ecs-task-secrets-not-in-environment", t.ECS_TASK_DEFINITION, task) == []
    config = {"secretNamePatterns": ["*SEED*"]}
    assert check("ecs-task-secrets-not-in-environment", t.ECS_TASK_DEFINITION, task, config=config)


def test_the_message_never_repeats_the_secret_value():
    task = {"containerDefinitions": json.dumps([{"name": "a", "environment": [{"name": "DB_PASSWORD", "value": "hunter2"}]}])}  # fmt: skip
    [message] = check("ecs-task-secrets-not-in-environment", t.ECS_TASK_DEFINITION, task)
    assert "hunter2" not in message and "DB_PASSWORD" in message


@pytest.mark.parametrize(("runtime", "when"), sorted(workloads.LAMBDA_DEPRECATED_RUNTIMES.items()))
def test_the_runtime_table_is_data_with_a_date_per_runtime(runtime, when):
    assert isinstance(when, datetime.date) and when.year >= 2016
    past = when <= workloads.today()
    assert bool(check("lambda-runtime-supported", t.LAMBDA_FUNCTION, {"runtime": runtime})) is past


def test_a_runtime_deprecated_later_is_not_reported_yet(monkeypatch):
    monkeypatch.setattr(workloads, "today", lambda: datetime.date(2024, 1, 1))
    assert check("lambda-runtime-supported", t.LAMBDA_FUNCTION, {"runtime": "python3.9"}) == []
    monkeypatch.setattr(workloads, "today", lambda: datetime.date(2026, 1, 1))
    assert check("lambda-runtime-supported", t.LAMBDA_FUNCTION, {"runtime": "python3.9"})

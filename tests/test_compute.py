"""Compute: launch templates, Auto Scaling groups, scaling policies and the instance role."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

import pytest
import yaml

from components.compute import user_data
from tests.support.synth import synth
from tests.support.tokens import (
    AUTOSCALING_GROUP,
    AUTOSCALING_POLICY,
    AUTOSCALING_SCHEDULE,
    CLOUDWATCH_METRIC_ALARM,
    EC2_LAUNCH_TEMPLATE,
    ELASTICACHE_REPLICATION_GROUP,
    IAM_INSTANCE_PROFILE,
    IAM_ROLE,
    IAM_ROLE_POLICY,
    IAM_ROLE_POLICY_ATTACHMENT,
    IAM_SERVICE_LINKED_ROLE,
    KMS_KEY,
    LB_LOAD_BALANCER,
    LB_TARGET_GROUP,
    RDS_CLUSTER,
    RDS_PROXY,
    ROUTE53_RECORD,
    S3_BUCKET,
    SECRETSMANAGER_SECRET,
    SSM_GET_PARAMETER,
    TIER_COMPONENT,
)
from tools.mockcloud import RecordedResource, Synthesis

STEP_SCALING_AND_WEEKEND_SCHEDULE = {
    "webstack:web": {
        "stepScaling": {
            "scaleOut": [
                {"lowerBound": 50, "upperBound": 75, "adjustment": 2},
                {"lowerBound": 75, "adjustment": 4},
            ],
            "scaleIn": [{"upperBound": 30, "adjustment": -1}],
            "periodSeconds": 300,
            "evaluationPeriods": 1,
        },
        "scheduledActions": [
            {"name": "weekend-traffic", "recurrence": "0 12 * * FRI", "minSize": 8, "maxSize": 16}
        ],
    }
}


def the(stack: Synthesis, token: str, name: str) -> RecordedResource:
    (found,) = [r for r in stack.of_type(token) if r.name == name]
    return found


def cloud_config(template: RecordedResource) -> dict[str, Any]:
    text = gzip.decompress(base64.b64decode(template.get("userData"))).decode()
    assert text.startswith("#cloud-config\n")
    document: dict[str, Any] = yaml.safe_load(text)
    return document


def written(document: dict[str, Any], path: str) -> str:
    (entry,) = [f for f in document["write_files"] if f["path"] == path]
    content: str = entry["content"]
    return content


@pytest.fixture(scope="module")
def stepped_and_scheduled() -> Synthesis:
    return synth("dev", STEP_SCALING_AND_WEEKEND_SCHEDULE, preview=False)


def test_instances_require_imdsv2(dev_deployed: Synthesis) -> None:
    options = the(dev_deployed, EC2_LAUNCH_TEMPLATE, "webstack-dev-web").get("metadataOptions")
    assert options["httpTokens"] == "required"
    assert options["httpEndpoint"] == "enabled"
    assert 1 <= options["httpPutResponseHopLimit"] <= 2


def test_no_instance_gets_a_public_ip(dev_deployed: Synthesis) -> None:
    templates = dev_deployed.of_type(EC2_LAUNCH_TEMPLATE)
    assert len(templates) == 1
    for template in templates:
        (nic,) = template.get("networkInterfaces")
        assert nic["associatePublicIpAddress"] == "false"
        assert [dev_deployed.by_id(g).name for g in nic["securityGroups"]] == ["webstack-dev-web"]
        assert not template.get("vpcSecurityGroupIds")


def test_the_root_volume_is_encrypted_gp3_with_the_data_key(dev_deployed: Synthesis) -> None:
    (mapping,) = the(dev_deployed, EC2_LAUNCH_TEMPLATE, "webstack-dev-web").get(
        "blockDeviceMappings"
    )
    assert mapping["deviceName"] == "/dev/xvda"
    ebs = mapping["ebs"]
    assert ebs["encrypted"] == "true" and ebs["volumeType"] == "gp3"
    assert ebs["kmsKeyId"] == the(dev_deployed, KMS_KEY, "webstack-dev-data").outputs["arn"]


def test_detailed_monitoring_and_an_instance_profile(dev_deployed: Synthesis) -> None:
    template = the(dev_deployed, EC2_LAUNCH_TEMPLATE, "webstack-dev-web")
    assert template.get("monitoring") == {"enabled": True}
    profile = the(dev_deployed, IAM_INSTANCE_PROFILE, "webstack-dev-web")
    assert template.get("iamInstanceProfile", "arn") == profile.outputs["arn"]


@pytest.mark.parametrize(
    ("instance_type", "architecture"), [("t4g.micro", "arm64"), ("m7i.large", "x86_64")]
)
def test_the_ami_is_amazon_linux_2023_for_the_instance_architecture(
    instance_type: str, architecture: str
) -> None:
    stack = synth("dev", {"webstack:web": {"instanceType": instance_type}}, preview=False)
    parameter = f"/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{architecture}"
    assert (SSM_GET_PARAMETER, parameter) in {(i.token, i.args.get("name")) for i in stack.invokes}
    assert the(stack, EC2_LAUNCH_TEMPLATE, "webstack-dev-web").get("imageId").startswith("ami-")


def test_a_pinned_ami_skips_the_lookup() -> None:
    stack = synth("dev", {"webstack:web": {"amiId": "ami-0123456789abcdef0"}})
    assert (
        the(stack, EC2_LAUNCH_TEMPLATE, "webstack-dev-web").get("imageId")
        == "ami-0123456789abcdef0"
    )
    assert SSM_GET_PARAMETER not in {i.token for i in stack.invokes}


def test_the_group_spans_the_app_subnets_of_every_az(prod_primary_deployed: Synthesis) -> None:
    group = the(prod_primary_deployed, AUTOSCALING_GROUP, "webstack-prod-web")
    subnets = [prod_primary_deployed.by_id(s) for s in group.get("vpcZoneIdentifiers")]
    assert all("-app-" in s.name for s in subnets)
    assert {s.get("availabilityZone") for s in subnets} == {
        "us-east-1a",
        "us-east-1b",
        "us-east-1c",
    }


def test_the_group_references_the_templates_latest_version_not_latest_alias(
    dev_deployed: Synthesis,
) -> None:
    group = the(dev_deployed, AUTOSCALING_GROUP, "webstack-dev-web")
    template = the(dev_deployed, EC2_LAUNCH_TEMPLATE, "webstack-dev-web")
    assert group.get("launchTemplate") == {"id": template.id, "version": "1"}
    assert template.urn in group.property_dependencies["launchTemplate"]


def test_the_group_uses_elb_health_and_rolls_out_changes(dev_deployed: Synthesis) -> None:
    group = the(dev_deployed, AUTOSCALING_GROUP, "webstack-dev-web")
    assert group.get("healthCheckType") == "ELB" and group.get("healthCheckGracePeriod") == 300
    assert (group.get("minSize"), group.get("maxSize")) == (2, 3)
    assert group.get("capacityRebalance") is True
    assert "GroupInServiceInstances" in group.get("enabledMetrics")
    assert group.get("terminationPolicies")
    refresh = group.get("instanceRefresh")
    assert refresh["strategy"] == "Rolling"
    assert refresh["preferences"]["minHealthyPercentage"] == 90
    assert group.get("defaultInstanceWarmup") == 300
    target = the(dev_deployed, LB_TARGET_GROUP, "webstack-dev-web")
    assert group.get("targetGroupArns") == [target.outputs["arn"]]
    assert "desiredCapacity" in group.ignore_changes


def test_target_tracking_on_cpu_and_requests_per_target(dev_deployed: Synthesis) -> None:
    cpu = the(dev_deployed, AUTOSCALING_POLICY, "webstack-dev-web-cpu").get(
        "targetTrackingConfiguration"
    )
    assert cpu["predefinedMetricSpecification"]["predefinedMetricType"] == (
        "ASGAverageCPUUtilization"
    )
    assert cpu["targetValue"] == 60  # Pulumi.dev.yaml's targetCpu
    requests = the(dev_deployed, AUTOSCALING_POLICY, "webstack-dev-web-requests").get(
        "targetTrackingConfiguration"
    )
    spec = requests["predefinedMetricSpecification"]
    alb = the(dev_deployed, LB_LOAD_BALANCER, "webstack-dev-web")
    target = the(dev_deployed, LB_TARGET_GROUP, "webstack-dev-web")
    assert spec["predefinedMetricType"] == "ALBRequestCountPerTarget"
    assert spec["resourceLabel"] == f"{alb.outputs['arnSuffix']}/{target.outputs['arnSuffix']}"
    assert requests["targetValue"] == 1000


def test_step_scaling_follows_the_configured_steps(stepped_and_scheduled: Synthesis) -> None:
    out = the(stepped_and_scheduled, AUTOSCALING_POLICY, "webstack-dev-web-step-out")
    assert out.get("policyType") == "StepScaling"
    assert out.get("stepAdjustments") == [
        {
            "scalingAdjustment": 2,
            "metricIntervalLowerBound": "0.0",
            "metricIntervalUpperBound": "25.0",
        },
        {"scalingAdjustment": 4, "metricIntervalLowerBound": "25.0"},
    ]
    alarm = the(stepped_and_scheduled, CLOUDWATCH_METRIC_ALARM, "webstack-dev-web-step-out")
    assert alarm.get("threshold") == 50 and alarm.get("period") == 300
    assert alarm.get("comparisonOperator") == "GreaterThanOrEqualToThreshold"
    assert alarm.get("alarmActions") == [out.outputs["arn"]]
    scale_in = the(stepped_and_scheduled, CLOUDWATCH_METRIC_ALARM, "webstack-dev-web-step-in")
    assert scale_in.get("threshold") == 30
    assert scale_in.get("comparisonOperator") == "LessThanThreshold"


def test_scheduled_actions_leave_unset_sizes_alone(stepped_and_scheduled: Synthesis) -> None:
    schedule = the(stepped_and_scheduled, AUTOSCALING_SCHEDULE, "webstack-dev-web-weekend-traffic")
    assert schedule.get("recurrence") == "0 12 * * FRI"
    assert (schedule.get("minSize"), schedule.get("maxSize")) == (8, 16)
    assert schedule.get("desiredCapacity") == -1  # AWS would otherwise set it to 0


def test_gapped_steps_are_refused() -> None:
    refused = synth(
        "dev",
        {
            "webstack:web": {
                "stepScaling": {
                    "scaleOut": [
                        {"lowerBound": 50, "upperBound": 60, "adjustment": 1},
                        {"lowerBound": 70, "adjustment": 2},
                    ]
                }
            }
        },
    )
    assert refused.error is not None and "contiguous" in refused.error


def test_the_instance_role_has_only_what_the_app_needs(dev_deployed: Synthesis) -> None:
    role = the(dev_deployed, IAM_ROLE, "webstack-dev-web")
    trust = json.loads(role.get("assumeRolePolicy"))
    assert trust["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    attached = [
        r.get("policyArn")
        for r in dev_deployed.of_type(IAM_ROLE_POLICY_ATTACHMENT)
        if r.get("role") == role.outputs["name"]
    ]
    assert sorted(attached) == [
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
    ]
    policy = json.loads(the(dev_deployed, IAM_ROLE_POLICY, "webstack-dev-web-app").get("policy"))
    statements = {s["Sid"]: s for s in policy["Statement"]}
    assert sorted(statements) == [
        "ListItsUploads",
        "ReadItsSecrets",
        "ReadWriteItsUploads",
        "UseTheDataKeyThroughThoseServices",
    ]
    for statement in statements.values():
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        assert all("*" not in a for a in actions)
        assert statement["Resource"] != "*"

    cluster = dev_deployed.of_type(RDS_CLUSTER)[0]
    db_secret = cluster.outputs["masterUserSecrets"][0]["secretArn"]
    cache_secret = the(dev_deployed, SECRETSMANAGER_SECRET, "webstack-dev-cache-auth")
    assert statements["ReadItsSecrets"]["Resource"] == [db_secret, cache_secret.outputs["arn"]]
    bucket = the(dev_deployed, S3_BUCKET, "webstack-dev-uploads").outputs["arn"]
    assert statements["ReadWriteItsUploads"]["Resource"] == f"{bucket}/uploads/*"
    assert statements["ListItsUploads"]["Resource"] == bucket
    assert statements["ListItsUploads"]["Condition"] == {"StringLike": {"s3:prefix": ["uploads/*"]}}
    key = statements["UseTheDataKeyThroughThoseServices"]
    assert key["Resource"] == the(dev_deployed, KMS_KEY, "webstack-dev-data").outputs["arn"]
    assert key["Condition"]["StringEquals"]["kms:ViaService"] == [
        "secretsmanager.us-east-1.amazonaws.com",
        "s3.us-east-1.amazonaws.com",
    ]


def test_the_user_data_carries_the_stacks_endpoints_not_hard_coded_ones(
    dev_deployed: Synthesis,
) -> None:
    document = cloud_config(the(dev_deployed, EC2_LAUNCH_TEMPLATE, "webstack-dev-web"))
    app = json.loads(written(document, "/etc/webstack/app.json"))
    cluster = dev_deployed.of_type(RDS_CLUSTER)[0]
    assert app["database"]["host"] == cluster.outputs["endpoint"]
    assert app["database"]["readerHost"] == cluster.outputs["readerEndpoint"]
    assert app["database"]["port"] == 5432 and app["database"]["name"] == "app"
    group = dev_deployed.of_type(ELASTICACHE_REPLICATION_GROUP)[0]
    assert app["cache"]["host"] == group.outputs["primaryEndpointAddress"]
    assert app["cache"]["tls"] is True
    bucket = the(dev_deployed, S3_BUCKET, "webstack-dev-uploads")
    assert app["uploads"] == {
        "bucket": bucket.outputs["bucket"],
        "prefix": "uploads/",
        "region": "us-east-1",
    }
    secrets = written(document, "/etc/webstack/secrets.env")
    assert cluster.outputs["masterUserSecrets"][0]["secretArn"] in secrets
    assert "php8.3-pgsql" in document["packages"] and "nginx" in document["packages"]
    assert "listen 80 default_server;" in written(document, "/etc/nginx/nginx.conf")


def test_the_app_tier_runs_the_same_component_on_its_own_port(synthesized: Any) -> None:
    stack = synth("dev", {"webstack:appTier": {"enabled": True}}, preview=False)
    group = the(stack, AUTOSCALING_GROUP, "webstack-dev-app")
    target = the(stack, LB_TARGET_GROUP, "webstack-dev-app")
    assert group.get("targetGroupArns") == [target.outputs["arn"]]
    template = the(stack, EC2_LAUNCH_TEMPLATE, "webstack-dev-app")
    (nic,) = template.get("networkInterfaces")
    assert [stack.by_id(g).name for g in nic["securityGroups"]] == ["webstack-dev-app"]
    document = cloud_config(template)
    assert "listen 8080 default_server;" in written(document, "/etc/nginx/nginx.conf")


def test_every_child_is_parented_to_its_component(dev_deployed: Synthesis) -> None:
    (tier,) = dev_deployed.of_type(TIER_COMPONENT)
    children = {r.type for r in dev_deployed.children(tier.urn)}
    assert {EC2_LAUNCH_TEMPLATE, AUTOSCALING_GROUP, AUTOSCALING_POLICY, IAM_ROLE} <= children


DEV_DATABASE = {
    "engine": "aurora-postgresql",
    "instanceClass": "db.t4g.medium",
    "readers": 1,
    "backupRetentionDays": 1,
}


def app_json(stack: Synthesis, tier: str) -> dict[str, Any]:
    document = cloud_config(the(stack, EC2_LAUNCH_TEMPLATE, f"webstack-{stack.stack}-{tier}"))
    config: dict[str, Any] = json.loads(written(document, "/etc/webstack/app.json"))
    return config


@pytest.mark.parametrize("app_tier", [False, True])
def test_with_a_proxy_the_tiers_connect_through_it_with_iam_auth(app_tier: bool) -> None:
    overrides: dict[str, Any] = {"webstack:database": {**DEV_DATABASE, "proxy": True}}
    if app_tier:
        overrides["webstack:appTier"] = {"enabled": True}
    stack = synth("dev", overrides, preview=False)
    assert stack.error is None, stack.error
    (proxy,) = stack.of_type(RDS_PROXY)
    proxy_id = proxy.outputs["arn"].rsplit(":", 1)[-1]
    dbuser = f"arn:aws:rds-db:us-east-1:123456789012:dbuser:{proxy_id}/app_admin"
    for tier in ("web", "app") if app_tier else ("web",):
        database = app_json(stack, tier)["database"]
        # The security groups admit only the proxy: writer and reader both go through it.
        assert database["host"] == proxy.outputs["endpoint"]
        assert database["readerHost"] == proxy.outputs["endpoint"]
        assert database["iamAuth"] is True and database["user"] == "app_admin"
        assert database["region"] == "us-east-1"
        assert database["tlsCaFile"] == user_data.SYSTEM_CA_BUNDLE
        policy = json.loads(the(stack, IAM_ROLE_POLICY, f"webstack-dev-{tier}-app").get("policy"))
        (connect,) = [s for s in policy["Statement"] if s["Action"] == "rds-db:connect"]
        assert connect["Effect"] == "Allow" and connect["Resource"] == dbuser


def test_without_a_proxy_the_tiers_sign_in_with_the_password(dev_deployed: Synthesis) -> None:
    database = app_json(dev_deployed, "web")["database"]
    assert "iamAuth" not in database and "user" not in database
    policy = json.loads(the(dev_deployed, IAM_ROLE_POLICY, "webstack-dev-web-app").get("policy"))
    assert len(policy["Statement"]) == 4
    assert all(s["Action"] != "rds-db:connect" for s in policy["Statement"])


def test_instance_refresh_launches_before_it_terminates(dev_deployed: Synthesis) -> None:
    preferences = the(dev_deployed, AUTOSCALING_GROUP, "webstack-dev-web").get(
        "instanceRefresh", "preferences"
    )
    assert preferences["minHealthyPercentage"] == 90
    assert preferences["maxHealthyPercentage"] == 200


def test_scheduled_actions_own_min_and_max_size(
    stepped_and_scheduled: Synthesis, dev_deployed: Synthesis
) -> None:
    # A routine `pulumi up` must not revert what a scheduled action set.
    scheduled = the(stepped_and_scheduled, AUTOSCALING_GROUP, "webstack-dev-web").ignore_changes
    assert {"desiredCapacity", "minSize", "maxSize"} <= set(scheduled)
    # Without scheduled actions the program keeps owning them.
    plain = the(dev_deployed, AUTOSCALING_GROUP, "webstack-dev-web").ignore_changes
    assert "minSize" not in plain and "maxSize" not in plain


def test_the_group_waits_for_the_instance_roles_inline_policy(dev_deployed: Synthesis) -> None:
    group = the(dev_deployed, AUTOSCALING_GROUP, "webstack-dev-web")
    policy = the(dev_deployed, IAM_ROLE_POLICY, "webstack-dev-web-app")
    assert policy.urn in group.dependencies


def test_the_groups_use_the_stacks_service_linked_role() -> None:
    stack = synth("dev", {"webstack:appTier": {"enabled": True}}, preview=False)
    (role,) = stack.of_type(IAM_SERVICE_LINKED_ROLE)
    for tier in ("web", "app"):
        assert (
            the(stack, AUTOSCALING_GROUP, f"webstack-dev-{tier}").get("serviceLinkedRoleArn")
            == (role.outputs["arn"])
        )


@pytest.mark.parametrize(
    ("overrides", "secure"),
    [
        (None, True),  # CloudFront: viewers on HTTPS
        ({"webstack:cdn": {"enabled": False}}, False),  # plain HTTP to the ALB
        (
            {
                "webstack:cdn": {"enabled": False},
                "webstack:domain": {"zoneName": "example.com", "recordName": "www"},
            },
            True,  # the ALB's certificate
        ),
    ],
)
def test_secure_cookies_follow_whether_viewers_use_https(
    overrides: dict[str, Any] | None, secure: bool
) -> None:
    stack = synth("dev", overrides, preview=False)
    assert stack.error is None, stack.error
    assert app_json(stack, "web")["secureCookies"] is secure


def test_the_web_tier_gets_the_app_tiers_internal_url_from_the_stack() -> None:
    stack = synth("dev", {"webstack:appTier": {"enabled": True}}, preview=False)
    internal = the(stack, LB_LOAD_BALANCER, "webstack-dev-app")
    assert app_json(stack, "web")["appTier"] == {"url": f"http://{internal.outputs['dnsName']}"}
    assert "appTier" not in app_json(stack, "app")


def test_with_a_domain_the_web_tier_calls_the_app_tier_over_https_by_name() -> None:
    stack = synth("prod", {"webstack:appTier": {"enabled": True}}, preview=False)
    assert stack.error is None, stack.error
    url = app_json(stack, "web")["appTier"]["url"]
    assert url == "https://app-us-east-1.www.example.com"
    # The name the DNS records point at the internal ALB.
    records = [r.get("name") for r in stack.of_type(ROUTE53_RECORD)]
    assert url.removeprefix("https://") in records


def test_without_an_app_tier_there_is_no_app_tier_url(dev_deployed: Synthesis) -> None:
    assert "appTier" not in app_json(dev_deployed, "web")

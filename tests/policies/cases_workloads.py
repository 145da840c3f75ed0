# ruff: noqa: E501 - rule tables read best one case per line
"""Rule table: workloads (ECR, ECS task definitions, Lambda) and the new FSBP rules elsewhere.

COMPLIANT rows pass their policy; VIOLATIONS rows are reported once with the fix; TWINS pair a
violating resource with its compliant twin, one pair per rule branch. `test_rules.py` runs it.
"""

import json

from guardrails import tokens as t
from guardrails.props import UNKNOWN_STRING


def _doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _public(actions, **extra):
    return {
        "policy": _doc({"Effect": "Allow", "Principal": "*", "Action": actions, **extra}),
        "repository": "app",
    }


def _task(*containers, **props):
    return {"family": "app", "containerDefinitions": json.dumps(list(containers)), **props}


def _env(*names):
    return [{"name": n, "value": "x"} for n in names]


APP = {"name": "app", "image": "app:1", "readonlyRootFilesystem": True}
SG_URL = {"authorizationType": "AWS_IAM", "functionName": UNKNOWN_STRING}
IAM_CERT = "arn:aws:iam::123456789012:server-certificate/site"
ACM_CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"


def _listener(cert):
    return {
        "listeners": [
            {
                "lbProtocol": "https",
                "lbPort": 443,
                "instanceProtocol": "http",
                "instancePort": 80,
                "sslCertificateId": cert,
            }
        ],
        "subnets": ["a", "b"],
    }


def _cf(origin_policy, *viewer_policies):
    default, *ordered = viewer_policies
    return {
        "origins": [
            {
                "originId": "web",
                "domainName": "lb.example.com",
                "customOriginConfig": {
                    "originProtocolPolicy": origin_policy,
                    "originSslProtocols": ["TLSv1.2"],
                },
            }
        ],
        "defaultCacheBehavior": {"targetOriginId": "web", "viewerProtocolPolicy": default},
        "orderedCacheBehaviors": [
            {"pathPattern": f"/p{i}/*", "targetOriginId": "web", "viewerProtocolPolicy": v}
            for i, v in enumerate(ordered)
        ],
    }


def _writes(resource, actions):
    return {"policy": _doc({"Effect": "Allow", "Action": actions, "Resource": resource})}


COMPLIANT = [
    (
        "ecr-repository-policy-not-public",
        t.ECR_REPOSITORY_POLICY,
        _public(
            [
                "ecr:DescribeImageScanFindings",
                "ecr:GetRepositoryPolicy",
                "ecr:ListTagsForResource",
                "ecr:BatchCheckLayerAvailability",
            ]
        ),
    ),
    (
        "ecr-repository-policy-not-public",
        t.ECR_REPOSITORY_POLICY,
        _public(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:Describe*"]),
    ),
    (
        "ecr-repository-policy-not-public",
        t.ECR_REPOSITORY_POLICY,
        {
            "policy": _doc(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                    "Action": "ecr:*",
                }
            )
        },
    ),
    ("ecr-repository-policy-not-public", t.ECR_REPOSITORY_POLICY, {"policy": UNKNOWN_STRING}),
    (
        "ecr-image-scan-on-push",
        t.ECR_REPOSITORY,
        {"imageScanningConfiguration": {"scanOnPush": "true"}},
    ),
    ("ecr-tag-immutability", t.ECR_REPOSITORY, {"imageTagMutability": "IMMUTABLE_WITH_EXCLUSION"}),
    ("ecr-tag-immutability", t.ECR_REPOSITORY, {"imageTagMutability": UNKNOWN_STRING}),
    (
        "ecs-task-secrets-not-in-environment",
        t.ECS_TASK_DEFINITION,
        {"containerDefinitions": UNKNOWN_STRING},
    ),
    (
        "ecs-task-secrets-not-in-environment",
        t.ECS_TASK_DEFINITION,
        _task(
            {**APP, "environment": _env("AWS_REGION", "KMS_KEY_ID", "DB_SECRET_ARN", "LOG_LEVEL")}
        ),
    ),
    (
        "ecs-task-secrets-not-in-environment",
        t.ECS_TASK_DEFINITION,
        _task(
            {
                **APP,
                "environment": _env(
                    "DB_PASSWORD_FILE",
                    "CACHE_KEY_PREFIX",
                    "JWT_PUBLIC_KEY",
                    "OAUTH_TOKEN_URL",
                    "UPLOADS_S3_KEY",
                ),
            }
        ),
    ),
    (
        "ecs-task-secrets-not-in-environment",
        t.ECS_TASK_DEFINITION,
        _task(
            {
                **APP,
                "environment": [
                    {"name": "DB_SECRET", "value": "arn:aws:secretsmanager:eu-west-1:1:secret:db"},
                    {"name": "API_TOKEN", "value": ""},
                ],
            }
        ),
    ),
    ("ecs-task-not-privileged", t.ECS_TASK_DEFINITION, _task(APP, networkMode="awsvpc")),
    (
        "ecs-task-read-only-root",
        t.ECS_TASK_DEFINITION,
        _task({**APP, "readonlyRootFilesystem": "true"}),
    ),
    ("lambda-runtime-supported", t.LAMBDA_FUNCTION, {"runtime": UNKNOWN_STRING}),
    ("lambda-runtime-supported", t.LAMBDA_FUNCTION, {"packageType": "Image"}),
    ("lambda-vpc-multi-subnet", t.LAMBDA_FUNCTION, {"runtime": "python3.13"}),
    ("lambda-vpc-multi-subnet", t.LAMBDA_FUNCTION, {"vpcConfig": {"subnetIds": UNKNOWN_STRING}}),
    (
        "lambda-function-url-not-public",
        t.LAMBDA_PERMISSION,
        {"principal": "apigateway.amazonaws.com", "functionUrlAuthType": "NONE"},
    ),
    ("mq-broker-multi-az", t.MQ_BROKER, {"engineType": UNKNOWN_STRING}),
    (
        "cloudfront-origin-https",
        t.CLOUDFRONT_DISTRIBUTION,
        _cf("match-viewer", "https-only", "redirect-to-https"),
    ),
    ("cloudfront-origin-https", t.CLOUDFRONT_DISTRIBUTION, _cf("match-viewer", UNKNOWN_STRING)),
    ("classic-lb-acm-certificate", t.CLASSIC_LB, _listener(UNKNOWN_STRING)),
    (
        "iam-no-wildcard-resource-writes",
        t.IAM_ROLE_POLICY,
        _writes(
            "*",
            [
                "ec2:DescribeInstances",
                "ec2:Describe*",
                "sts:GetCallerIdentity",
                "logs:CreateLogGroup",
                "cloudwatch:PutMetricData",
                "xray:PutTraceSegments",
                "ecr:GetAuthorizationToken",
            ],
        ),
    ),
    (
        "iam-no-wildcard-resource-writes",
        t.IAM_POLICY,
        _writes("*", "s3:*"),
    ),  # iam-no-wildcard-admin's
    (
        "ecs-container-insights",
        t.ECS_CLUSTER,
        {"settings": [{"name": "containerInsights", "value": "enhanced"}]},
    ),
    ("ecs-container-insights", t.ECS_CLUSTER, {"settings": UNKNOWN_STRING}),
    ("appsync-field-logging", t.APPSYNC_API, {"logConfig": {"fieldLogLevel": "ALL"}}),
    ("stepfunctions-logging", t.STATE_MACHINE, {"loggingConfiguration": {"level": "ALL"}}),
    ("eks-audit-logging", t.EKS_CLUSTER, {"enabledClusterLogTypes": UNKNOWN_STRING}),
]

VIOLATIONS = [
    ("lambda-runtime-supported", t.LAMBDA_FUNCTION, {"runtime": "nodejs16.x"}, "deprecated by AWS on 2024-06-12"),
    ("cloudfront-origin-https", t.CLOUDFRONT_DISTRIBUTION, _cf("http-only", "https-only"), 'originProtocolPolicy: "https-only"'),
]  # fmt: skip

TWINS: list[tuple[str, str, dict, dict, str]] = [
    ("ecr-repository-policy-not-public", t.ECR_REPOSITORY_POLICY, _public(["ecr:BatchGetImage", "ecr:PutImage"]), _public(["ecr:BatchGetImage"]), "ecr:PutImage"),
    ("ecr-repository-policy-not-public", t.ECR_REPOSITORY_POLICY, _public("ecr:*"), _public("ecr:*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-123"}}), "ecr:*"),
    ("ecr-repository-policy-not-public", t.ECR_REPOSITORY_POLICY, _public("ecr:Batch*"), _public("ecr:BatchGet*"), "ecr:Batch*"),
    ("ecr-repository-policy-not-public", t.ECR_REPOSITORY_POLICY, _public(["ecr:SetRepositoryPolicy", "ecr:DeleteRepository"]), _public("ecr:ListImages"), "ecr:SetRepositoryPolicy, ecr:DeleteRepository"),
    ("ecr-image-scan-on-push", t.ECR_REPOSITORY, {"imageScanningConfiguration": {"scanOnPush": False}}, {"imageScanningConfiguration": {"scanOnPush": True}}, "`imageScanningConfiguration.scanOnPush: true`"),
    ("ecr-image-scan-on-push", t.ECR_REPOSITORY, {}, {"imageScanningConfiguration": {"scanOnPush": True}}, "`imageScanningConfiguration.scanOnPush: true`"),
    ("ecr-tag-immutability", t.ECR_REPOSITORY, {"imageTagMutability": "MUTABLE"}, {"imageTagMutability": "IMMUTABLE"}, '`imageTagMutability: "IMMUTABLE"`'),
    ("ecr-tag-immutability", t.ECR_REPOSITORY, {}, {"imageTagMutability": "IMMUTABLE"}, '`imageTagMutability: "IMMUTABLE"`'),
    ("ecs-task-secrets-not-in-environment", t.ECS_TASK_DEFINITION, _task({**APP, "environment": _env("DB_PASSWORD")}), _task({**APP, "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:secretsmanager:eu-west-1:1:secret:db"}]}), "`containerDefinitions[0].secrets`"),
    ("ecs-task-secrets-not-in-environment", t.ECS_TASK_DEFINITION, _task(APP, {**APP, "name": "sidecar", "environment": _env("STRIPE_API_KEY")}), _task(APP, {**APP, "name": "sidecar", "environment": _env("STRIPE_KEY_ARN")}), "`containerDefinitions[1].secrets`"),
    ("ecs-task-secrets-not-in-environment", t.ECS_TASK_DEFINITION, _task({**APP, "environment": _env("app_client_secret")}), _task({**APP, "environment": _env("app_client_id")}), "app_client_secret"),
    ("ecs-task-secrets-not-in-environment", t.ECS_TASK_DEFINITION, _task({**APP, "environment": _env("AWS_ACCESS_KEY_ID")}), _task({**APP, "environment": _env("AWS_DEFAULT_REGION")}), "AWS_ACCESS_KEY_ID"),
    ("ecs-task-not-privileged", t.ECS_TASK_DEFINITION, _task({**APP, "privileged": True}), _task({**APP, "privileged": False}), "`containerDefinitions[0].privileged: false`"),
    ("ecs-task-not-privileged", t.ECS_TASK_DEFINITION, _task(APP, networkMode="host"), _task({**APP, "user": "1000"}, networkMode="host"), "`containerDefinitions[0].user`"),
    ("ecs-task-not-privileged", t.ECS_TASK_DEFINITION, _task({**APP, "user": "root:root"}, networkMode="host"), _task({**APP, "user": "app:app"}, networkMode="host"), "non-root user"),
    ("ecs-task-read-only-root", t.ECS_TASK_DEFINITION, _task({"name": "app", "image": "app:1"}), _task(APP), "`containerDefinitions[0].readonlyRootFilesystem: true`"),
    ("lambda-runtime-supported", t.LAMBDA_FUNCTION, {"runtime": "python3.8"}, {"runtime": "python3.13"}, "set `runtime`"),
    ("lambda-runtime-supported", t.LAMBDA_FUNCTION, {"runtime": "go1.x"}, {"runtime": "provided.al2023"}, "set `runtime`"),
    ("lambda-function-url-not-public", t.LAMBDA_FUNCTION_URL, {**SG_URL, "authorizationType": "NONE"}, SG_URL, '`authorizationType: "AWS_IAM"`'),
    ("lambda-function-url-not-public", t.LAMBDA_PERMISSION, {"principal": "*", "functionUrlAuthType": "NONE", "action": "lambda:InvokeFunctionUrl"}, {"principal": "*", "functionUrlAuthType": "AWS_IAM", "action": "lambda:InvokeFunctionUrl"}, '`functionUrlAuthType: "AWS_IAM"`'),
    ("lambda-vpc-multi-subnet", t.LAMBDA_FUNCTION, {"vpcConfig": {"subnetIds": ["subnet-a"], "securityGroupIds": ["sg-1"]}}, {"vpcConfig": {"subnetIds": ["subnet-a", UNKNOWN_STRING], "securityGroupIds": ["sg-1"]}}, "`vpcConfig.subnetIds`"),
    ("mq-broker-multi-az", t.MQ_BROKER, {"engineType": "ActiveMQ", "deploymentMode": "SINGLE_INSTANCE"}, {"engineType": "ActiveMQ", "deploymentMode": "ACTIVE_STANDBY_MULTI_AZ"}, '`deploymentMode: "ACTIVE_STANDBY_MULTI_AZ"`'),
    ("mq-broker-multi-az", t.MQ_BROKER, {"engineType": "RabbitMQ"}, {"engineType": "RabbitMQ", "deploymentMode": "CLUSTER_MULTI_AZ"}, '`deploymentMode: "CLUSTER_MULTI_AZ"`'),
    ("redshift-multi-az", t.REDSHIFT_CLUSTER, {"nodeType": "ra3.xlplus"}, {"nodeType": "ra3.xlplus", "multiAz": True}, "`multiAz: true`"),
    ("redshift-multi-az", t.REDSHIFT_CLUSTER, {"multiAz": "false"}, {"multiAz": "true"}, "`multiAz: true`"),
    ("redshift-enhanced-vpc-routing", t.REDSHIFT_CLUSTER, {}, {"enhancedVpcRouting": True}, "`enhancedVpcRouting: true`"),
    ("classic-lb-acm-certificate", t.CLASSIC_LB, _listener(IAM_CERT), _listener(ACM_CERT), "`listeners[0].sslCertificateId`"),
    ("cloudfront-origin-https", t.CLOUDFRONT_DISTRIBUTION, _cf("match-viewer", "allow-all"), _cf("match-viewer", "redirect-to-https"), "every `viewerProtocolPolicy`"),
    ("cloudfront-origin-https", t.CLOUDFRONT_DISTRIBUTION, _cf("match-viewer", "https-only", "allow-all"), _cf("match-viewer", "https-only", "https-only"), "every `viewerProtocolPolicy`"),
    ("cloudfront-origin-https", t.CLOUDFRONT_DISTRIBUTION, _cf("match-viewer", "allow-all"), _cf("https-only", "allow-all"), 'originProtocolPolicy: "https-only"'),
    ("iam-no-wildcard-resource-writes", t.IAM_ROLE_POLICY, _writes("*", ["s3:PutObject", "ec2:DescribeInstances"]), _writes("arn:aws:s3:::assets/*", ["s3:PutObject", "ec2:DescribeInstances"]), "allows s3:PutObject on every resource"),
    ("iam-no-wildcard-resource-writes", t.IAM_POLICY, _writes(["*"], "s3:Get*"), _writes(["arn:aws:s3:::assets/*"], "s3:Get*"), "`Resource`"),
    ("iam-no-wildcard-resource-writes", t.IAM_ROLE, {"inlinePolicies": [{"name": "p", **_writes("*", "secretsmanager:GetSecretValue")}]}, {"inlinePolicies": [{"name": "p", **_writes("arn:aws:secretsmanager:eu-west-1:1:secret:db-*", "secretsmanager:GetSecretValue")}]}, "`inlinePolicies[0].policy` statement 0"),
    ("ecs-container-insights", t.ECS_CLUSTER, {"settings": [{"name": "containerInsights", "value": "disabled"}]}, {"settings": [{"name": "containerInsights", "value": "enabled"}]}, '`settings: [{name: "containerInsights", value: "enabled"}]`'),
    ("ecs-container-insights", t.ECS_CLUSTER, {}, {"settings": [{"name": "containerInsights", "value": "enabled"}]}, "containerInsights"),
    ("apigateway-access-logging", t.APIGATEWAY_STAGE, {"stageName": "prod"}, {"stageName": "prod", "accessLogSettings": {"destinationArn": UNKNOWN_STRING, "format": "{}"}}, "`accessLogSettings"),
    ("apigateway-access-logging", t.APIGATEWAYV2_STAGE, {"name": "$default", "autoDeploy": True}, {"name": "$default", "accessLogSettings": {"destinationArn": "arn:aws:logs:eu-west-1:1:log-group:api", "format": "{}"}}, "`accessLogSettings"),
    ("appsync-field-logging", t.APPSYNC_API, {"authenticationType": "API_KEY"}, {"logConfig": {"fieldLogLevel": "ERROR", "cloudwatchLogsRoleArn": UNKNOWN_STRING}}, 'fieldLogLevel: "ERROR"'),
    ("appsync-field-logging", t.APPSYNC_API, {"logConfig": {"fieldLogLevel": "NONE"}}, {"logConfig": {"fieldLogLevel": "ERROR"}}, "logConfig"),
    ("stepfunctions-logging", t.STATE_MACHINE, {"loggingConfiguration": {"level": "OFF"}}, {"loggingConfiguration": {"level": "ERROR"}}, "`loggingConfiguration: {level"),
    ("stepfunctions-logging", t.STATE_MACHINE, {"definition": "{}"}, {"loggingConfiguration": {"level": "FATAL"}}, "loggingConfiguration"),
    ("eks-audit-logging", t.EKS_CLUSTER, {"enabledClusterLogTypes": ["api"]}, {"enabledClusterLogTypes": ["api", "audit"]}, "`enabledClusterLogTypes`"),
    ("eks-audit-logging", t.EKS_CLUSTER, {}, {"enabledClusterLogTypes": ["audit"]}, '"audit"'),
    ("cloudfront-waf", t.CLOUDFRONT_DISTRIBUTION, {"enabled": True}, {"enabled": True, "webAclId": UNKNOWN_STRING}, "`webAclId`"),
]  # fmt: skip

# Metadata reads on "*" pass; data reads do not, however they are spelled.
TWINS += [
    ("iam-no-wildcard-resource-writes", t.IAM_POLICY, _writes("*", ["cloudfront:Get*", "route53:Get*", "s3:Get*"]), _writes("*", ["cloudfront:Get*", "route53:Get*", "wafv2:Get*"]), "allows s3:Get*"),
    ("iam-no-wildcard-resource-writes", t.IAM_POLICY, _writes("*", ["s3:ListAllMyBuckets", "s3:ListBucket"]), _writes("*", ["s3:ListAllMyBuckets"]), "allows s3:ListBucket"),
    ("iam-no-wildcard-resource-writes", t.IAM_POLICY, _writes("*", "ssm:GetParameters"), _writes("*", "ssm:DescribeParameters"), "allows ssm:GetParameters"),
    ("iam-no-wildcard-resource-writes", t.IAM_POLICY, _writes("*", "*:Get*"), _writes("*", "*:Describe*"), "allows *:Get*"),
]  # fmt: skip

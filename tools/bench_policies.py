# ruff: noqa: E501 - rule tables read best one case per line
"""Benchmark the policy pack through the analyzer protocol, as the CLI drives it.

    .venv/bin/python tools/bench_policies.py [--sizes 1000 10000] [--stock]

Replicates a realistic stack (the program's `prod` stack from `tools.mockcloud` when importable,
else a built-in webstack-like set of ~30 resources) to each size with distinct URNs, then sends
one Analyze request per resource (one at a time, like the CLI) and one AnalyzeStack request.
Prints `resources=N analyze_rps=... stack_s=... peak_rss_mb=...` per size. `--stock` also
measures the same policies served by the SDK's own `PolicyPack` servicer, for comparison.
Both are configured with `policies/config/prod.json` first, as production previews run them.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pulumi.runtime.proto import analyzer_pb2  # noqa: E402

from tools.analyzer import UNKNOWN, PolicyPackProcess, StackResource, secret  # noqa: E402

PACK_DIR = ROOT / "policies"
PROD_CONFIG = PACK_DIR / "config" / "prod.json"


def _builtin() -> list[StackResource]:
    u = UNKNOWN
    rows: list[tuple[str, str, dict[str, Any], dict[str, tuple[str, ...]], bool]] = []

    def add(
        type_: str,
        name: str,
        props: dict[str, Any],
        deps: dict[str, tuple[str, ...]] | None = None,
        protect: bool = False,
    ) -> str:
        rows.append((type_, name, props, deps or {}, protect))
        return f"urn:pulumi:prod::webstack::{type_}::{name}"

    vpc = add("aws:ec2/vpc:Vpc", "vpc", {"cidrBlock": "10.0.0.0/16", "enableDnsHostnames": True})
    add(
        "aws:ec2/flowLog:FlowLog", "vpc-flow", {"vpcId": u, "trafficType": "ALL"}, {"vpcId": (vpc,)}
    )
    subnets = [
        add(
            "aws:ec2/subnet:Subnet",
            f"app-{az}",
            {"vpcId": u, "cidrBlock": f"10.0.{i}.0/24", "availabilityZone": f"eu-west-1{az}"},
            {"vpcId": (vpc,)},
        )
        for i, az in enumerate("abc")
    ]
    alb_sg = add("aws:ec2/securityGroup:SecurityGroup", "alb-sg", {"vpcId": u, "ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]}], "egress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}]})  # fmt: skip
    app_sg = add(
        "aws:ec2/securityGroup:SecurityGroup", "app-sg", {"vpcId": u, "description": "app"}
    )
    db_sg = add("aws:ec2/securityGroup:SecurityGroup", "db-sg", {"vpcId": u, "description": "db"})
    add("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "app-from-alb", {"securityGroupId": u, "referencedSecurityGroupId": u, "ipProtocol": "tcp", "fromPort": 8080, "toPort": 8080}, {"securityGroupId": (app_sg,), "referencedSecurityGroupId": (alb_sg,)})  # fmt: skip
    add("aws:ec2/securityGroupRule:SecurityGroupRule", "db-from-app", {"type": "ingress", "securityGroupId": u, "sourceSecurityGroupId": u, "protocol": "tcp", "fromPort": 5432, "toPort": 5432}, {"securityGroupId": (db_sg,), "sourceSecurityGroupId": (app_sg,)})  # fmt: skip
    key = add("aws:kms/key:Key", "data-key", {"enableKeyRotation": True, "deletionWindowInDays": 30}, protect=True)  # fmt: skip
    add("aws:cloudwatch/logGroup:LogGroup", "app-logs", {"retentionInDays": 90, "kmsKeyId": u}, {"kmsKeyId": (key,)})  # fmt: skip
    add("aws:sns/topic:Topic", "alerts", {"kmsMasterKeyId": u}, {"kmsMasterKeyId": (key,)})
    role = add("aws:iam/role:Role", "app-role", {"assumeRolePolicy": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}'})  # fmt: skip
    add("aws:iam/rolePolicy:RolePolicy", "app-policy", {"role": u, "policy": secret('{"Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::assets/*"}]}')}, {"role": (role,)})  # fmt: skip
    add("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "app-ssm", {"role": u, "policyArn": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"}, {"role": (role,)})  # fmt: skip
    lt = add("aws:ec2/launchTemplate:LaunchTemplate", "app-lt", {"imageId": "ami-123", "instanceType": "t3.small", "vpcSecurityGroupIds": [u], "metadataOptions": {"httpTokens": "required", "httpEndpoint": "enabled"}, "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "volumeSize": 20, "kmsKeyId": u}}], "userData": secret("IyEvYmluL2Jhc2g="), "tags": {"Owner": u}}, {"vpcSecurityGroupIds": (app_sg,)})  # fmt: skip
    add("aws:autoscaling/group:Group", "app-asg", {"minSize": 2, "maxSize": 6, "vpcZoneIdentifiers": [u, u, u], "launchTemplate": {"id": u, "version": u}}, {"vpcZoneIdentifiers": tuple(subnets), "launchTemplate": (lt,)})  # fmt: skip
    alb = add("aws:lb/loadBalancer:LoadBalancer", "alb", {"loadBalancerType": "application", "subnets": [u, u, u], "securityGroups": [u], "dropInvalidHeaderFields": True, "accessLogs": {"bucket": u, "enabled": True}}, {"subnets": tuple(subnets)})  # fmt: skip
    add("aws:lb/listener:Listener", "https", {"loadBalancerArn": u, "protocol": "HTTPS", "port": 443, "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06", "certificateArn": u, "defaultActions": [{"type": "forward", "targetGroupArn": u}]}, {"loadBalancerArn": (alb,)})  # fmt: skip
    add("aws:lb/listener:Listener", "http", {"loadBalancerArn": u, "protocol": "HTTP", "port": 80, "defaultActions": [{"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}]}, {"loadBalancerArn": (alb,)})  # fmt: skip
    db = add("aws:rds/cluster:Cluster", "db", {"engine": "aurora-postgresql", "storageEncrypted": True, "kmsKeyId": u, "backupRetentionPeriod": 14, "deletionProtection": True, "finalSnapshotIdentifier": "db-final", "enabledCloudwatchLogsExports": ["postgresql"], "vpcSecurityGroupIds": [u], "masterPassword": secret("hunter2")}, {"vpcSecurityGroupIds": (db_sg,)}, protect=True)  # fmt: skip
    for i in range(2):
        add("aws:rds/clusterInstance:ClusterInstance", f"db-{i}", {"clusterIdentifier": u, "instanceClass": "db.r6g.large", "publiclyAccessible": False}, {"clusterIdentifier": (db,)})  # fmt: skip
    add("aws:elasticache/replicationGroup:ReplicationGroup", "cache", {"engine": "valkey", "atRestEncryptionEnabled": True, "transitEncryptionEnabled": True, "automaticFailoverEnabled": True, "multiAzEnabled": True, "numCacheClusters": 2, "snapshotRetentionLimit": 7, "securityGroupIds": [u], "authToken": secret("token")}, {"securityGroupIds": (db_sg,)}, protect=True)  # fmt: skip
    bucket = add(
        "aws:s3/bucket:Bucket", "assets", {"bucket": u, "forceDestroy": False}, protect=True
    )
    s3_config: list[tuple[str, str, dict[str, Any]]] = [
        (
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "assets-pab",
            dict.fromkeys(
                [
                    "blockPublicAcls",
                    "blockPublicPolicy",
                    "ignorePublicAcls",
                    "restrictPublicBuckets",
                ],
                True,
            ),
        ),
        (
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "assets-sse",
            {
                "rules": [
                    {
                        "applyServerSideEncryptionByDefault": {
                            "sseAlgorithm": "aws:kms",
                            "kmsMasterKeyId": u,
                        }
                    }
                ]
            },
        ),
        ("aws:s3/bucketPolicy:BucketPolicy", "assets-policy", {"policy": u}),
    ]
    for type_, name, props in s3_config:
        add(type_, name, {"bucket": u, **props}, {"bucket": (bucket,)})
    add("aws:cloudfront/distribution:Distribution", "cdn", {"enabled": True, "defaultCacheBehavior": {"viewerProtocolPolicy": "redirect-to-https", "targetOriginId": "alb"}, "origins": [{"originId": "alb", "domainName": u, "customOriginConfig": {"originProtocolPolicy": "https-only", "originSslProtocols": ["TLSv1.2"], "httpPort": 80, "httpsPort": 443}}], "viewerCertificate": {"acmCertificateArn": u, "minimumProtocolVersion": "TLSv1.2_2021", "sslSupportMethod": "sni-only"}, "loggingConfig": {"bucket": u}})  # fmt: skip
    return [
        StackResource.of(
            type_,
            name,
            props,
            stack="prod",
            property_dependencies=deps,
            dependencies=tuple(sorted({d for v in deps.values() for d in v})),
            protect=protect,
        )
        for type_, name, props, deps, protect in rows
    ]


def base_stack() -> tuple[str, list[StackResource]]:
    try:
        from tools.mockcloud import synthesize
        from tools.preview import stack_resources

        resources = stack_resources(synthesize("prod"))
        if resources:
            return "tools.mockcloud prod", resources
    except Exception as e:  # the recorder is optional for the benchmark
        print(f"(tools.mockcloud unavailable: {e.__class__.__name__}: {e}; using built-in set)")
    return "built-in", _builtin()


def replicate(resources: list[StackResource], n: int) -> list[StackResource]:
    out: list[StackResource] = []
    copy = 0
    while len(out) < n:
        suffix = f"-r{copy}" if copy else ""

        def rename(urn: str, suffix: str = suffix) -> str:
            return urn + suffix if urn else urn

        for r in resources:
            if len(out) == n:
                break
            out.append(
                dataclasses.replace(
                    r,
                    urn=rename(r.urn),
                    name=r.name + suffix,
                    parent=rename(r.parent),
                    dependencies=tuple(rename(d) for d in r.dependencies),
                    property_dependencies={
                        k: tuple(rename(d) for d in v) for k, v in r.property_dependencies.items()
                    },
                )
            )
        copy += 1
    return out


def measure(pack: PolicyPackProcess, resources: list[StackResource]) -> tuple[float, float, int]:
    pack.configure(json.loads(PROD_CONFIG.read_text()))  # levels and options of production
    # Requests are built up front: the CLI builds them in Go, so their cost is not the pack's.
    requests = [
        analyzer_pb2.AnalyzeRequest(
            type=r.type,
            properties=r.properties,
            urn=r.urn,
            name=r.name,
            options=analyzer_pb2.AnalyzerResourceOptions(protect=r.protect, parent=r.parent),
        )
        for r in resources
    ]
    for request in requests[:50]:
        pack.stub.Analyze(request)  # warm-up
    start = time.perf_counter()
    violations = 0
    for request in requests:
        violations += len(pack.stub.Analyze(request).diagnostics)
    rps = len(resources) / (time.perf_counter() - start)
    start = time.perf_counter()
    violations += len(pack.analyze_stack(resources))
    return rps, time.perf_counter() - start, violations


STOCK_MAIN = """
import sys
sys.path.insert(0, {pack!r})
from pulumi_policy import PolicyPack
from guardrails.pack import PACK_NAME, all_policies
PolicyPack(PACK_NAME, all_policies())
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--stock", action="store_true", help="also time the SDK's servicer")
    args = parser.parse_args()
    source, base = base_stack()
    print(f"stack: {source}, {len(base)} resources, replicated to {args.sizes}")
    for n in args.sizes:
        resources = replicate(base, n)
        with PolicyPackProcess(PACK_DIR) as pack:
            rps, stack_s, found = measure(pack, resources)
            print(
                f"resources={n} analyze_rps={rps:.0f} stack_s={stack_s:.2f} "
                f"peak_rss_mb={pack.peak_rss_mb():.1f} diagnostics={found}"
            )
    if args.stock:
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "__main__.py").write_text(STOCK_MAIN.format(pack=str(PACK_DIR)))
            resources = replicate(base, min(args.sizes))
            with PolicyPackProcess(Path(tmp), python=PACK_DIR / "venv" / "bin" / "python") as pack:
                rps, stack_s, found = measure(pack, resources)
                print(
                    f"stock-sdk resources={len(resources)} analyze_rps={rps:.0f} "
                    f"stack_s={stack_s:.2f} peak_rss_mb={pack.peak_rss_mb():.1f} "
                    f"diagnostics={found}"
                )


if __name__ == "__main__":
    main()

"""RDS Proxy in front of an ``AuroraCluster`` or ``RdsInstance``: in the app subnets, TLS only,
clients sign in with IAM auth tokens, the proxy itself with the database's master secret."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import legacy
from components.config.models import DatabaseConfig
from components.naming import aws_identifier
from components.policy_documents import document_output, service_trust


@dataclass(frozen=True)
class DatabaseProxyArgs:
    config: DatabaseConfig
    # The database's identifier (``<name>-db``): the proxy is named after it.
    database_identifier: str
    secret_arn: pulumi.Input[str]
    # The key the master secret is encrypted with.
    kms_key_arn: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    security_group_id: pulumi.Input[str]
    # The target: an Aurora cluster (reachable once it has an instance) or an RDS instance.
    cluster_identifier: pulumi.Input[str] | None = None
    cluster_instances: Sequence[pulumi.Resource] = ()
    instance_identifier: pulumi.Input[str] | None = None
    # The URN of the component the proxy's resources were children of before it was its own
    # component (the database's): each child carries its old URN as an alias.
    moved_from: str | None = None


class DatabaseProxy(pulumi.ComponentResource):
    """An RDS Proxy requiring TLS and IAM authentication, targeting one database."""

    proxy: aws.rds.Proxy
    endpoint: pulumi.Output[str]

    def __init__(
        self, name: str, args: DatabaseProxyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("webstack:data:DatabaseProxy", name, None, opts)
        if (args.cluster_identifier is None) == (args.instance_identifier is None):
            raise ValueError("a DatabaseProxy targets a cluster or an instance, exactly one")
        config = args.config

        def child(type_: str, resource_name: str) -> pulumi.ResourceOptions:
            return legacy.moved_child(self, args.moved_from, type_, resource_name)

        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self))
        resource_name = f"{name}-db-proxy"
        role = aws.iam.Role(
            resource_name,
            assume_role_policy=service_trust("rds.amazonaws.com", account.account_id),
            description="Lets the RDS Proxy read the database's master secret",
            opts=child("aws:iam/role:Role", resource_name),
        )
        role_policy = aws.iam.RolePolicy(
            resource_name,
            role=role.id,
            policy=document_output(
                {
                    "Sid": "ReadTheMasterSecret",
                    "Effect": "Allow",
                    "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                    "Resource": args.secret_arn,
                },
                {
                    "Sid": "DecryptTheMasterSecret",
                    "Effect": "Allow",
                    "Action": "kms:Decrypt",
                    "Resource": args.kms_key_arn,
                    "Condition": {
                        "StringEquals": {
                            "kms:ViaService": region.region.apply(
                                lambda r: f"secretsmanager.{r}.amazonaws.com"
                            )
                        }
                    },
                },
            ),
            opts=child("aws:iam/rolePolicy:RolePolicy", resource_name),
        )
        proxy_name = aws_identifier(args.database_identifier, "proxy")
        self.proxy = aws.rds.Proxy(
            resource_name,
            name=proxy_name,
            # RDS Proxy names the family in capitals: POSTGRESQL or MYSQL.
            engine_family=config.engine.family.value.upper(),
            role_arn=role.arn,
            vpc_subnet_ids=list(args.subnet_ids),
            vpc_security_group_ids=[args.security_group_id],
            require_tls=True,
            idle_client_timeout=1800,
            auths=[
                aws.rds.ProxyAuthArgs(
                    auth_scheme="SECRETS",
                    secret_arn=args.secret_arn,
                    iam_auth="REQUIRED",
                    description="Clients sign in with IAM; the proxy uses the master secret",
                )
            ],
            tags={"Name": proxy_name},
            opts=pulumi.ResourceOptions.merge(
                child("aws:rds/proxy:Proxy", resource_name),
                pulumi.ResourceOptions(depends_on=[role_policy]),
            ),
        )
        target_group = aws.rds.ProxyDefaultTargetGroup(
            resource_name,
            db_proxy_name=self.proxy.name,
            connection_pool_config=aws.rds.ProxyDefaultTargetGroupConnectionPoolConfigArgs(
                max_connections_percent=90,
                max_idle_connections_percent=50,
                connection_borrow_timeout=120,
            ),
            opts=child("aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup", resource_name),
        )
        aws.rds.ProxyTarget(
            resource_name,
            db_proxy_name=self.proxy.name,
            target_group_name=target_group.name,
            db_cluster_identifier=args.cluster_identifier,
            db_instance_identifier=args.instance_identifier,
            # A proxy can only reach a cluster that has an instance.
            opts=pulumi.ResourceOptions.merge(
                child("aws:rds/proxyTarget:ProxyTarget", resource_name),
                pulumi.ResourceOptions(depends_on=list(args.cluster_instances) or None),
            ),
        )
        self.endpoint = self.proxy.endpoint
        self.register_outputs({"endpoint": self.endpoint})

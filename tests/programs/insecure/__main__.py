"""A deliberately insecure program: the policy pack must stop it, through the preview."""

import pulumi
import pulumi_aws as aws

provider = aws.Provider("aws", region="us-east-1")
opts = pulumi.ResourceOptions(provider=provider)
vpc = aws.ec2.Vpc("open", cidr_block="10.0.0.0/16", opts=opts)
aws.ec2.SecurityGroup(
    "ssh-from-anywhere",
    vpc_id=vpc.id,
    ingress=[{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}],
    opts=opts,
)
aws.rds.Instance(
    "plain-db",
    engine="postgres",
    instance_class="db.t4g.micro",
    allocated_storage=20,
    username="admin_user",
    manage_master_user_password=True,
    publicly_accessible=True,
    skip_final_snapshot=True,
    opts=opts,
)

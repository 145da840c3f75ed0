"""The embedded price table behind ``tools.cost``: AWS on-demand list prices, USD, us-east-1.

An estimate, not a quote. The prices are the public on-demand list prices of us-east-1 (Linux,
no reservations, no Savings Plans, no free tier) as AWS published them on ``PRICE_TABLE_DATE``;
they are typed in here, not fetched, so they age: check the AWS pricing pages before relying on a
figure, and update this table (and its date) when AWS changes a price. Other regions are scaled
by ``REGION_MULTIPLIERS``, an approximation of how far each region's compute prices sit from
us-east-1's (a region not listed uses ``DEFAULT_REGION_MULTIPLIER`` and the estimate says so).

Usage-driven charges are not estimated (``NOT_ESTIMATED``): they depend on traffic, not on what
the program declares.
"""

from __future__ import annotations

PRICE_TABLE_DATE = "2025-06-01"
PRICE_TABLE_REGION = "us-east-1"
CURRENCY = "USD"
HOURS_PER_MONTH = 730  # AWS's own convention for monthly estimates

# EC2 Linux on-demand, USD per instance-hour.
EC2_HOURLY: dict[str, float] = {
    "t4g.nano": 0.0042,
    "t4g.micro": 0.0084,
    "t4g.small": 0.0168,
    "t4g.medium": 0.0336,
    "t4g.large": 0.0672,
    "t4g.xlarge": 0.1344,
    "t3.micro": 0.0104,
    "t3.small": 0.0208,
    "t3.medium": 0.0416,
    "t3.large": 0.0832,
    "m7g.medium": 0.0408,
    "m7g.large": 0.0816,
    "m7g.xlarge": 0.1632,
    "m6g.large": 0.077,
    "m6g.xlarge": 0.154,
    "m6i.large": 0.096,
    "m7i.large": 0.1008,
    "c7g.large": 0.0725,
    "c7g.xlarge": 0.145,
    "c6g.large": 0.068,
    "r7g.large": 0.1071,
    "r6g.large": 0.1008,
}
EBS_GP3_GB_MONTH = 0.08

# Aurora (PostgreSQL/MySQL-compatible, Standard storage configuration), USD per instance-hour.
AURORA_HOURLY: dict[str, float] = {
    "db.t4g.medium": 0.073,
    "db.t4g.large": 0.146,
    "db.t3.medium": 0.082,
    "db.r6g.large": 0.26,
    "db.r6g.xlarge": 0.519,
    "db.r7g.large": 0.276,
    "db.r7g.xlarge": 0.552,
    "db.r5.large": 0.29,
}
# RDS for PostgreSQL/MySQL, Single-AZ, USD per instance-hour (Multi-AZ: twice).
RDS_HOURLY: dict[str, float] = {
    "db.t4g.micro": 0.016,
    "db.t4g.small": 0.032,
    "db.t4g.medium": 0.065,
    "db.t4g.large": 0.129,
    "db.m6g.large": 0.152,
    "db.m7g.large": 0.168,
    "db.r6g.large": 0.225,
    "db.r7g.large": 0.239,
}
RDS_GP3_GB_MONTH = 0.115  # per allocated GB, Single-AZ (Multi-AZ: twice)
# vCPUs of a DB instance class: RDS Proxy is billed per vCPU of the instances behind it.
DB_VCPUS: dict[str, int] = {
    "db.t4g.micro": 2,
    "db.t4g.small": 2,
    "db.t4g.medium": 2,
    "db.t4g.large": 2,
    "db.t3.medium": 2,
    "db.m6g.large": 2,
    "db.m7g.large": 2,
    "db.r5.large": 2,
    "db.r6g.large": 2,
    "db.r7g.large": 2,
    "db.r6g.xlarge": 4,
    "db.r7g.xlarge": 4,
}
RDS_PROXY_VCPU_HOUR = 0.015
RDS_PROXY_MIN_VCPUS = 2

# ElastiCache for Redis OSS, USD per node-hour; Valkey nodes are 20% cheaper.
ELASTICACHE_HOURLY: dict[str, float] = {
    "cache.t4g.micro": 0.016,
    "cache.t4g.small": 0.032,
    "cache.t4g.medium": 0.065,
    "cache.t3.micro": 0.017,
    "cache.m6g.large": 0.149,
    "cache.m7g.large": 0.158,
    "cache.r6g.large": 0.206,
    "cache.r7g.large": 0.219,
}
VALKEY_DISCOUNT = 0.8

NAT_GATEWAY_HOUR = 0.045  # plus $0.045/GB processed (usage: not estimated)
PUBLIC_IPV4_HOUR = 0.005  # every public IPv4 address, Elastic IPs included
ALB_HOUR = 0.0225
ALB_LCU_HOUR = 0.008
ALB_ASSUMED_LCUS = 1  # a quiet site; the LCU charge grows with traffic
INTERFACE_ENDPOINT_AZ_HOUR = 0.01  # gateway endpoints (S3, DynamoDB) are free
KMS_KEY_MONTH = 1.0
SECRET_MONTH = 0.40
ALARM_MONTH = 0.10  # standard-resolution alarm on one metric
DASHBOARD_MONTH = 3.0
HEALTH_CHECK_MONTH = 0.50  # basic health check of an AWS endpoint
HEALTH_CHECK_OPTION_MONTH = (
    1.00  # each optional feature (HTTPS, string matching, ...), AWS endpoint
)
WAF_WEB_ACL_MONTH = 5.0
WAF_RULE_MONTH = 1.0

# How far a region's prices sit from us-east-1's, approximately (compute-weighted).
REGION_MULTIPLIERS: dict[str, float] = {
    "us-east-1": 1.0,
    "us-east-2": 1.0,
    "us-west-2": 1.0,
    "us-west-1": 1.12,
    "ca-central-1": 1.08,
    "eu-west-1": 1.1,
    "eu-west-2": 1.15,
    "eu-central-1": 1.16,
    "eu-north-1": 1.05,
    "ap-southeast-1": 1.2,
    "ap-southeast-2": 1.2,
    "ap-northeast-1": 1.25,
    "sa-east-1": 1.55,
}
DEFAULT_REGION_MULTIPLIER = 1.2

NOT_ESTIMATED = (
    "data transfer out and between AZs",
    "NAT gateway data processing",
    "CloudFront requests and data",
    "S3 storage and requests",
    "Aurora storage and I/O",
    "CloudWatch Logs ingestion and storage, VPC flow logs",
    "Route 53 hosted zone and queries",
    "WAF requests",
    "backups beyond the free allowance",
)

"""Pulumi type tokens the tests look for: one name per token, <MODULE>_<CLASS>."""

from __future__ import annotations

ACM_CERTIFICATE = "aws:acm/certificate:Certificate"
ACM_CERTIFICATE_VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
AUTOSCALING_GROUP = "aws:autoscaling/group:Group"
AUTOSCALING_POLICY = "aws:autoscaling/policy:Policy"
AUTOSCALING_SCHEDULE = "aws:autoscaling/schedule:Schedule"
AWS_PROVIDER = "pulumi:providers:aws"
CLOUDFRONT_DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
CLOUDFRONT_ORIGIN_ACCESS_CONTROL = "aws:cloudfront/originAccessControl:OriginAccessControl"
CLOUDWATCH_DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
CLOUDWATCH_LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
CLOUDWATCH_METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
EC2_DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
EC2_EIP = "aws:ec2/eip:Eip"
EC2_FLOW_LOG = "aws:ec2/flowLog:FlowLog"
EC2_INTERNET_GATEWAY = "aws:ec2/internetGateway:InternetGateway"
EC2_LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
EC2_NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
EC2_ROUTE = "aws:ec2/route:Route"
EC2_ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
EC2_ROUTE_TABLE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
EC2_SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
EC2_SUBNET = "aws:ec2/subnet:Subnet"
EC2_VPC = "aws:ec2/vpc:Vpc"
EC2_VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
ELASTICACHE_CLUSTER = "aws:elasticache/cluster:Cluster"
ELASTICACHE_PARAMETER_GROUP = "aws:elasticache/parameterGroup:ParameterGroup"
ELASTICACHE_REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
ELASTICACHE_SUBNET_GROUP = "aws:elasticache/subnetGroup:SubnetGroup"
IAM_INSTANCE_PROFILE = "aws:iam/instanceProfile:InstanceProfile"
IAM_ROLE = "aws:iam/role:Role"
IAM_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
IAM_ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
IAM_SERVICE_LINKED_ROLE = "aws:iam/serviceLinkedRole:ServiceLinkedRole"
KMS_ALIAS = "aws:kms/alias:Alias"
KMS_KEY = "aws:kms/key:Key"
LB_LISTENER = "aws:lb/listener:Listener"
LB_LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"
LB_LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
LB_TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
RANDOM_ID = "random:index/randomId:RandomId"
RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"
RDS_CLUSTER = "aws:rds/cluster:Cluster"
RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_PROXY = "aws:rds/proxy:Proxy"
RDS_PROXY_TARGET = "aws:rds/proxyTarget:ProxyTarget"
RDS_SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup"
ROUTE53_GET_ZONE = "aws:route53/getZone:getZone"
ROUTE53_HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck"
ROUTE53_RECORD = "aws:route53/record:Record"
ROUTE53_ZONE = "aws:route53/zone:Zone"
S3_BUCKET = "aws:s3/bucket:Bucket"
S3_BUCKET_ACL = "aws:s3/bucketAcl:BucketAcl"
S3_BUCKET_OWNERSHIP_CONTROLS = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
S3_BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
S3_BUCKET_SERVER_SIDE_ENCRYPTION_CONFIGURATION = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
)
SECRETSMANAGER_SECRET = "aws:secretsmanager/secret:Secret"
SECRETSMANAGER_SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
SNS_TOPIC = "aws:sns/topic:Topic"
SNS_TOPIC_SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
SSM_GET_PARAMETER = "aws:ssm/getParameter:getParameter"
STACK = "pulumi:pulumi:Stack"
VPC_SECURITY_GROUP_EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
VPC_SECURITY_GROUP_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
WAFV2_WEB_ACL = "aws:wafv2/webAcl:WebAcl"

# The program's own components (webstack:<module>:<Class>).
CACHE_COMPONENT = "webstack:cache:Cache"
AURORA_COMPONENT = "webstack:data:AuroraCluster"
RDS_COMPONENT = "webstack:data:RdsInstance"
DATABASE_COMPONENTS = (AURORA_COMPONENT, RDS_COMPONENT)
STORAGE_COMPONENT = "webstack:storage:Storage"
TIER_COMPONENT = "webstack:compute:AutoScaledTier"
RDS_GLOBAL_CLUSTER = "aws:rds/globalCluster:GlobalCluster"
ELASTICACHE_GLOBAL_GROUP = "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup"
# Resources whose replacement loses data or breaks what holds it: the stores, and what goes with
# them (their subnet groups, the bucket's encryption, the generated password, the suffix of the
# final snapshot names).
STATEFUL_TYPES = frozenset(
    {
        RDS_CLUSTER,
        RDS_CLUSTER_INSTANCE,
        RDS_INSTANCE,
        RDS_GLOBAL_CLUSTER,
        ELASTICACHE_REPLICATION_GROUP,
        ELASTICACHE_GLOBAL_GROUP,
        S3_BUCKET,
        S3_BUCKET_SERVER_SIDE_ENCRYPTION_CONFIGURATION,
        KMS_KEY,
        RDS_SUBNET_GROUP,
        ELASTICACHE_SUBNET_GROUP,
        SECRETSMANAGER_SECRET,
        RANDOM_PASSWORD,
        RANDOM_ID,
    }
)

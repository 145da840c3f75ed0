"""pulumi-aws 7 type tokens the guardrails inspect, and the labels used in messages."""

# Network
VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SG_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"

# Compute
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
INSTANCE = "aws:ec2/instance:Instance"
AUTOSCALING_GROUP = "aws:autoscaling/group:Group"
EBS_VOLUME = "aws:ebs/volume:Volume"

# Load balancing (the aws:alb/* tokens are aliases of aws:lb/*)
LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
LISTENERS = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")

# Databases and caches
RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_CLUSTER = "aws:rds/cluster:Cluster"
RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
RDS_GLOBAL_CLUSTER = "aws:rds/globalCluster:GlobalCluster"
RDS_PROXY = "aws:rds/proxy:Proxy"
CACHE_REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
CACHE_CLUSTER = "aws:elasticache/cluster:Cluster"

# Storage and keys
S3_BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
S3_PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
S3_ACCOUNT_PUBLIC_ACCESS_BLOCK = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
S3_ACLS = ("aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2")
S3_BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
EFS_FILE_SYSTEM = "aws:efs/fileSystem:FileSystem"
KMS_KEY = "aws:kms/key:Key"

# Edge
CLOUDFRONT_DISTRIBUTION = "aws:cloudfront/distribution:Distribution"

# IAM
IAM_POLICY = "aws:iam/policy:Policy"
IAM_ROLE = "aws:iam/role:Role"
IAM_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
IAM_USER_POLICY = "aws:iam/userPolicy:UserPolicy"
IAM_GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy"
IAM_POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment"
IAM_ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
IAM_USER_POLICY_ATTACHMENT = "aws:iam/userPolicyAttachment:UserPolicyAttachment"
IAM_GROUP_POLICY_ATTACHMENT = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"
IAM_ROLE_POLICY_ATTACHMENTS_EXCLUSIVE = (
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive"
)
IAM_USER_POLICY_ATTACHMENTS_EXCLUSIVE = (
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive"
)
IAM_GROUP_POLICY_ATTACHMENTS_EXCLUSIVE = (
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive"
)

# Messaging and logs
SNS_TOPIC = "aws:sns/topic:Topic"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"

# Other services an organisation runs (FSBP controls in the pack's concerns)
DOCDB_CLUSTER = "aws:docdb/cluster:Cluster"
NEPTUNE_CLUSTER = "aws:neptune/cluster:Cluster"
NEPTUNE_CLUSTER_INSTANCE = "aws:neptune/clusterInstance:ClusterInstance"
REDSHIFT_CLUSTER = "aws:redshift/cluster:Cluster"
REDSHIFT_PARAMETER_GROUP = "aws:redshift/parameterGroup:ParameterGroup"
OPENSEARCH_DOMAIN = "aws:opensearch/domain:Domain"
ELASTICSEARCH_DOMAIN = "aws:elasticsearch/domain:Domain"
SEARCH_DOMAINS = (OPENSEARCH_DOMAIN, ELASTICSEARCH_DOMAIN)
MSK_CLUSTER = "aws:msk/cluster:Cluster"
DMS_ENDPOINT = "aws:dms/endpoint:Endpoint"
DMS_REPLICATION_INSTANCE = "aws:dms/replicationInstance:ReplicationInstance"
DYNAMODB_TABLE = "aws:dynamodb/table:Table"
DAX_CLUSTER = "aws:dax/cluster:Cluster"
EKS_CLUSTER = "aws:eks/cluster:Cluster"
ECS_SERVICE = "aws:ecs/service:Service"
KINESIS_STREAM = "aws:kinesis/stream:Stream"
FIREHOSE_STREAM = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
SQS_QUEUE = "aws:sqs/queue:Queue"
CLOUDTRAIL_TRAIL = "aws:cloudtrail/trail:Trail"
EBS_ENCRYPTION_BY_DEFAULT = "aws:ebs/encryptionByDefault:EncryptionByDefault"
LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"
CLASSIC_LB = "aws:elb/loadBalancer:LoadBalancer"
CLASSIC_LB_POLICY = "aws:elb/loadBalancerPolicy:LoadBalancerPolicy"
CLASSIC_SSL_NEGOTIATION_POLICY = "aws:elb/sslNegotiationPolicy:SslNegotiationPolicy"
DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
NETWORK_ACL = "aws:ec2/networkAcl:NetworkAcl"
DEFAULT_NETWORK_ACL = "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl"
NETWORK_ACL_RULE = "aws:ec2/networkAclRule:NetworkAclRule"
LAMBDA_PERMISSION = "aws:lambda/permission:Permission"
EFS_BACKUP_POLICY = "aws:efs/backupPolicy:BackupPolicy"
BACKUP_SELECTION = "aws:backup/selection:Selection"
BACKUP_PLAN = "aws:backup/plan:Plan"
BACKUP_VAULT = "aws:backup/vault:Vault"

# Containers and functions
ECR_REPOSITORY = "aws:ecr/repository:Repository"
ECR_REPOSITORY_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy"
ECR_LIFECYCLE_POLICY = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
ECS_CLUSTER = "aws:ecs/cluster:Cluster"
ECS_TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
LAMBDA_FUNCTION = "aws:lambda/function:Function"
LAMBDA_FUNCTION_URL = "aws:lambda/functionUrl:FunctionUrl"

# Messaging, APIs, workflows, secrets
MQ_BROKER = "aws:mq/broker:Broker"
REDSHIFT_LOGGING = "aws:redshift/logging:Logging"
SECRET = "aws:secretsmanager/secret:Secret"
SECRET_ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
APIGATEWAY_STAGE = "aws:apigateway/stage:Stage"
APIGATEWAY_METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings"
APIGATEWAYV2_STAGE = "aws:apigatewayv2/stage:Stage"
APIGATEWAYV2_API = "aws:apigatewayv2/api:Api"
APPSYNC_API = "aws:appsync/graphQLApi:GraphQLApi"
STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"

# Cross-region replication
CACHE_GLOBAL_REPLICATION_GROUP = "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup"
S3_REPLICATION_CONFIG = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
AWS_PROVIDER = "pulumi:providers:aws"

LABELS: dict[str, str] = {
    VPC: "VPC",
    SUBNET: "Subnet",
    SECURITY_GROUP: "Security group",
    SECURITY_GROUP_RULE: "Security group rule",
    SG_INGRESS_RULE: "Security group ingress rule",
    SG_EGRESS_RULE: "Security group egress rule",
    LAUNCH_TEMPLATE: "Launch template",
    INSTANCE: "EC2 instance",
    AUTOSCALING_GROUP: "Auto Scaling group",
    EBS_VOLUME: "EBS volume",
    RDS_INSTANCE: "RDS instance",
    RDS_CLUSTER: "RDS cluster",
    RDS_CLUSTER_INSTANCE: "RDS cluster instance",
    RDS_GLOBAL_CLUSTER: "RDS global cluster",
    RDS_PROXY: "RDS proxy",
    CACHE_REPLICATION_GROUP: "ElastiCache replication group",
    CACHE_CLUSTER: "ElastiCache cluster",
    S3_PUBLIC_ACCESS_BLOCK: "S3 public access block",
    S3_ACCOUNT_PUBLIC_ACCESS_BLOCK: "S3 account public access block",
    S3_BUCKET_POLICY: "S3 bucket policy",
    EFS_FILE_SYSTEM: "EFS file system",
    KMS_KEY: "KMS key",
    CLOUDFRONT_DISTRIBUTION: "CloudFront distribution",
    IAM_POLICY: "IAM policy",
    IAM_ROLE: "IAM role",
    IAM_ROLE_POLICY: "IAM role policy",
    IAM_USER_POLICY: "IAM user policy",
    IAM_GROUP_POLICY: "IAM group policy",
    IAM_POLICY_ATTACHMENT: "IAM policy attachment",
    IAM_ROLE_POLICY_ATTACHMENT: "IAM role policy attachment",
    IAM_USER_POLICY_ATTACHMENT: "IAM user policy attachment",
    IAM_GROUP_POLICY_ATTACHMENT: "IAM group policy attachment",
    IAM_ROLE_POLICY_ATTACHMENTS_EXCLUSIVE: "IAM role policy attachments (exclusive)",
    IAM_USER_POLICY_ATTACHMENTS_EXCLUSIVE: "IAM user policy attachments (exclusive)",
    IAM_GROUP_POLICY_ATTACHMENTS_EXCLUSIVE: "IAM group policy attachments (exclusive)",
    SNS_TOPIC: "SNS topic",
    LOG_GROUP: "CloudWatch log group",
    FLOW_LOG: "VPC flow log",
    DOCDB_CLUSTER: "DocumentDB cluster",
    NEPTUNE_CLUSTER: "Neptune cluster",
    NEPTUNE_CLUSTER_INSTANCE: "Neptune cluster instance",
    REDSHIFT_CLUSTER: "Redshift cluster",
    REDSHIFT_PARAMETER_GROUP: "Redshift parameter group",
    OPENSEARCH_DOMAIN: "OpenSearch domain",
    ELASTICSEARCH_DOMAIN: "Elasticsearch domain",
    MSK_CLUSTER: "MSK cluster",
    DMS_ENDPOINT: "DMS endpoint",
    DMS_REPLICATION_INSTANCE: "DMS replication instance",
    DYNAMODB_TABLE: "DynamoDB table",
    DAX_CLUSTER: "DAX cluster",
    EKS_CLUSTER: "EKS cluster",
    ECS_SERVICE: "ECS service",
    KINESIS_STREAM: "Kinesis stream",
    FIREHOSE_STREAM: "Firehose delivery stream",
    SQS_QUEUE: "SQS queue",
    CLOUDTRAIL_TRAIL: "CloudTrail trail",
    EBS_ENCRYPTION_BY_DEFAULT: "EBS encryption by default",
    LAUNCH_CONFIGURATION: "Launch configuration",
    CLASSIC_LB: "Classic load balancer",
    CLASSIC_LB_POLICY: "Classic load balancer policy",
    CLASSIC_SSL_NEGOTIATION_POLICY: "Classic load balancer SSL negotiation policy",
    DEFAULT_SECURITY_GROUP: "Default security group",
    NETWORK_ACL: "Network ACL",
    DEFAULT_NETWORK_ACL: "Default network ACL",
    NETWORK_ACL_RULE: "Network ACL rule",
    LAMBDA_PERMISSION: "Lambda permission",
    EFS_BACKUP_POLICY: "EFS backup policy",
    CACHE_GLOBAL_REPLICATION_GROUP: "ElastiCache global datastore",
    ECR_REPOSITORY: "ECR repository",
    ECR_REPOSITORY_POLICY: "ECR repository policy",
    ECR_LIFECYCLE_POLICY: "ECR lifecycle policy",
    ECS_CLUSTER: "ECS cluster",
    ECS_TASK_DEFINITION: "ECS task definition",
    LAMBDA_FUNCTION: "Lambda function",
    LAMBDA_FUNCTION_URL: "Lambda function URL",
    MQ_BROKER: "Amazon MQ broker",
    REDSHIFT_LOGGING: "Redshift logging",
    SECRET: "Secrets Manager secret",
    SECRET_ROTATION: "Secrets Manager rotation",
    APIGATEWAY_STAGE: "API Gateway stage",
    APIGATEWAY_METHOD_SETTINGS: "API Gateway method settings",
    APIGATEWAYV2_STAGE: "API Gateway v2 stage",
    APIGATEWAYV2_API: "API Gateway v2 API",
    APPSYNC_API: "AppSync GraphQL API",
    STATE_MACHINE: "Step Functions state machine",
    S3_REPLICATION_CONFIG: "S3 replication configuration",
    **{t: "Load balancer" for t in LOAD_BALANCERS},
    **{t: "Load balancer listener" for t in LISTENERS},
    **{t: "S3 bucket" for t in S3_BUCKETS},
    **{t: "S3 bucket ACL" for t in S3_ACLS},
}


def label(resource_type: str) -> str:
    return LABELS.get(resource_type, resource_type)

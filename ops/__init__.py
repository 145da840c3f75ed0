"""webstack operations runbook: failover, failback, drill, status and verify over boto3."""

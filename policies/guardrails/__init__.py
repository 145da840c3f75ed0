"""Organisation-wide AWS guardrails (pulumi-aws 7) as pure rules wrapped in CrossGuard policies.

`guardrails.pack.all_policies()` lists them; `guardrails.server.serve` serves them (only
`policies/__main__.py` calls it: it blocks forever).
"""

"""Entry point the Pulumi CLI runs (`python -m pulumi.policy <engine> <packDir>`).

Builds the pack and serves it; blocks forever. Tests import `guardrails`, never this file.
`guardrails.server` is imported first: it refuses to start on an SDK other than the pinned one.
"""

from guardrails.server import serve  # isort: skip

from guardrails.pack import DESCRIPTION, PACK_NAME, all_policies

serve(PACK_NAME, all_policies(), description=DESCRIPTION, provider="aws")

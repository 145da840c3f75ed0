"""Entry point the Pulumi CLI runs (`python -m pulumi.policy <engine> <packDir>`).

Builds the pack and serves it; blocks forever. Tests import `guardrails`, never this file.
"""

from guardrails.pack import DESCRIPTION, PACK_NAME, all_policies
from guardrails.server import serve

serve(PACK_NAME, all_policies(), description=DESCRIPTION, provider="aws")

"""Compute: the web tier (and, with appTier.enabled, the app tier) on EC2 Auto Scaling.

- ``tier``: the ``AutoScaledTier`` component (instance role, launch template, group)
- ``iam``: the instances' inline policy, a pure function of what the tier may reach
- ``scaling``: target tracking, step scaling and scheduled actions
- ``user_data``: the cloud-init document that installs the demo PHP app (``app/``)
"""

from components.compute.tier import (
    AutoScaledTier,
    AutoScaledTierArgs,
    CacheEndpoints,
    DatabaseEndpoints,
)

__all__ = ["AutoScaledTier", "AutoScaledTierArgs", "CacheEndpoints", "DatabaseEndpoints"]

"""Disaster recovery: cross-region counterparts of replicated data stores."""

from __future__ import annotations

from .base import PolicySet

rules = PolicySet()

policies = rules.policies

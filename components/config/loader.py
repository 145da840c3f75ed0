"""The loader: the raw ``webstack:`` map merged over the environment's defaults, validated once."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pulumi
from pydantic import ValidationError

from components.config.defaults import ENVIRONMENT_DEFAULTS
from components.config.errors import ConfigError, describe, unknown_key_message
from components.config.models import DEFAULTED_SECTIONS, KNOWN_KEYS, SECTIONS, StackConfig
from components.config.placeholders import placeholder_warnings, unguarded_production
from components.config.values import (
    MAX_LB_NAME_BEFORE_SUFFIX,
    MAX_STACK_NAME,
    PROJECT,
    CacheEngine,
    Environment,
)

# A scalar key beside the dr section (see load).
ACTIVE_REGION_KEY = "dr.activeRegion"


def load(raw: Mapping[str, Any], *, stack: str, region: str | None) -> StackConfig:
    """Validate the ``webstack:`` config map (keys without the namespace) into a StackConfig.

    Values may be JSON strings (as the Pulumi engine passes structured config) or already
    decoded. Raises ConfigError naming the key path, the bad value and what is accepted.
    """
    values = {key: _decode(key, value) for key, value in raw.items()}
    # `pulumi config set webstack:dr.activeRegion <region>` (the runbook's closing instruction)
    # sets a key of its own, declared in Pulumi.yaml with the default "": folded into dr.
    active_region = values.pop(ACTIVE_REGION_KEY, "")
    unknown = [key for key in values if key not in KNOWN_KEYS]
    if unknown:
        raise ConfigError(
            "\n".join(unknown_key_message(f"{PROJECT}:{k}", k, KNOWN_KEYS) for k in unknown)
        )
    if region is None:
        raise ConfigError("aws:region is not set; run `pulumi config set aws:region us-east-1`")
    _check_stack_name(stack)

    environment_raw = values.get("environment", Environment.DEV.value)
    try:
        environment = Environment(environment_raw)
    except ValueError:
        raise ConfigError(
            f"{PROJECT}:environment is {environment_raw!r}; accepted: "
            + ", ".join(e.value for e in Environment)
        ) from None

    document: dict[str, Any] = {
        "stack": stack,
        "region": region,
        "environment": environment,
        "alarmEmail": values.get("alarmEmail") or None,  # Pulumi.yaml declares the default ""
        "allowedAccountIds": values.get("allowedAccountIds", ()),
        "domain": values.get("domain"),
    }
    defaults = ENVIRONMENT_DEFAULTS[environment]
    for section in DEFAULTED_SECTIONS:
        given = values.get(section, {})
        if not isinstance(given, Mapping):
            raise ConfigError(
                f"{PROJECT}:{section} is {given!r}; accepted: an object such as "
                f"{json.dumps(defaults.get(section, {}))}"
            )
        document[section] = {**defaults.get(section, {}), **given}
    if active_region:
        nested = document["dr"].get("activeRegion")
        if nested and nested != active_region:
            raise ConfigError(
                f"{PROJECT}:{ACTIVE_REGION_KEY} is {active_region!r} but {PROJECT}:dr has "
                f"activeRegion {nested!r}; accepted: one of them (pulumi config rm one)"
            )
        document["dr"] = {**document["dr"], "activeRegion": active_region}

    try:
        return StackConfig.model_validate(document)
    except ValidationError as exc:
        raise ConfigError(describe(exc, document)) from None


def _check_stack_name(stack: str) -> None:
    """AWS names derive from the stack name; refuse one that would push them past AWS's limits
    instead of failing halfway through a deployment."""
    if len(stack) > MAX_STACK_NAME:
        raise ConfigError(
            f"the stack name {stack!r} is {len(stack)} characters; accepted: at most "
            f"{MAX_STACK_NAME}. Load balancer and target group names are "
            f"'{PROJECT}-<stack>-web' and '{PROJECT}-<stack>-app' plus an 8-character random "
            f"suffix, and AWS allows 32 characters ('{PROJECT}-{stack}-app' is "
            f"{len(f'{PROJECT}-{stack}-app')}, at most {MAX_LB_NAME_BEFORE_SUFFIX} fit). "
            "Create the stack under a shorter name (`pulumi stack init`)."
        )


def refuse_unbuilt(config: StackConfig) -> None:
    """Refuse settings the model accepts but the program does not build yet, rather than
    deploying a stack that silently lacks them."""
    if config.cache.engine is CacheEngine.MEMCACHED:
        raise ConfigError(
            f"{PROJECT}:cache.engine is 'memcached'; accepted: valkey or redis for now. The app "
            "the instances run keeps its sessions and hot data over the Redis protocol, which "
            "Memcached does not speak, so the web tier would never turn healthy."
        )


def from_pulumi() -> StackConfig:
    """Read and validate the running stack's configuration, warning of a production stack's
    placeholders."""
    all_config: Mapping[str, Any] = pulumi.runtime.config.CONFIG.get()
    raw: dict[str, Any] = {}
    for full_key, value in all_config.items():
        namespace, _, key = full_key.partition(":")
        if namespace == PROJECT:
            raw[key.removeprefix("config:")] = value
    region = pulumi.Config("aws").get("region")
    config = load(raw, stack=pulumi.get_stack(), region=region)
    if not pulumi.runtime.is_dry_run():  # `pulumi up` (a preview only warns, below)
        refusal = unguarded_production(config)
        if refusal is not None:
            raise ConfigError(refusal)
    for warning in placeholder_warnings(config):
        pulumi.log.warn(warning)
    return config


def _decode(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if key in SECTIONS or key == "allowedAccountIds":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value  # reported by the model as the wrong type
    return value

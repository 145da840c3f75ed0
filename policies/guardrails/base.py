"""Policies declared beside their rules: a pure rule function plus a one-decorator declaration.

Each concern module owns a `PolicySet`; its rules are declared where they are written:

    rules = PolicySet()

    @rules.resource(name="efs-encrypted", description="...", types=[t.EFS_FILE_SYSTEM],
                    level=MANDATORY, fsbp=("EFS.1",))
    def efs_encrypted(r: Resource, cfg: Config) -> list[str]: ...

The decorator returns the rule unchanged (tests call it as a plain function); `rules.policies()`
builds the CrossGuard policy objects, in declaration order.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from . import tokens as t

Config = Mapping[str, Any]

MANDATORY = EnforcementLevel.MANDATORY
ADVISORY = EnforcementLevel.ADVISORY


@dataclass(frozen=True)
class Resource:
    """What a resource rule sees: wire-named (camelCase) properties of one resource."""

    type: str
    name: str
    props: Mapping[str, Any]
    protect: bool = False


def where(r: Resource) -> str:
    """How a violation message names the resource it is about: "RDS cluster 'app-db'"."""
    return f"{t.label(r.type)} '{r.name}'"


ResourceCheck = Callable[[Resource, Config], list[str]]
# A stack check returns (urn, message) pairs; the urn names the resource at fault.
StackCheck = Callable[[Sequence[PolicyResource], Config], list[tuple[str, str]]]
Remediation = Callable[[Resource, Config], dict[str, Any] | None]
ConfigSchema = Mapping[str, dict[str, Any]]

EXEMPT_NAMES: dict[str, Any] = {
    "type": "array",
    "items": {"type": "string"},
    "default": [],
    "description": (
        "Resource names this policy skips: shell globs (`legacy-*`), or regular expressions "
        "prefixed with `re:` (`re:^tmp-[0-9]+$`)."
    ),
}


@functools.lru_cache(maxsize=256)
def _matcher(pattern: str) -> Callable[[str], bool]:
    if pattern.startswith("re:"):
        regex = re.compile(pattern[3:])
        return lambda name: regex.fullmatch(name) is not None
    return lambda name: fnmatch.fnmatchcase(name, pattern)


def is_exempt(name: str, patterns: Iterable[Any]) -> bool:
    return any(isinstance(p, str) and _matcher(p)(name) for p in patterns or ())


WEBSTACK_CONVENTION = "webstack convention"


class _Configured:
    """The published config schema (every policy takes `exemptNames`) and its defaults.

    `standard` says where the policy comes from: its FSBP control ids, else the AWS document or
    CIS recommendation it names, else "webstack convention" (never mandatory by default).
    """

    fsbp: tuple[str, ...]
    standard: str
    defaults: dict[str, Any]
    schema: dict[str, dict[str, Any]]

    def _declare_config(
        self, config: ConfigSchema | None, fsbp: Sequence[str], standard: str | None = None
    ) -> PolicyConfigSchema:
        properties = {**(config or {}), "exemptNames": EXEMPT_NAMES}
        self.schema = properties
        self.defaults = {k: v["default"] for k, v in properties.items() if "default" in v}
        self.fsbp = tuple(fsbp)
        self.standard = standard or (
            "FSBP " + ", ".join(self.fsbp) if self.fsbp else WEBSTACK_CONVENTION
        )
        return PolicyConfigSchema(properties=properties)

    def effective_config(self, given: Config | None) -> dict[str, Any]:
        return {**self.defaults, **(given or {})}


class GuardrailPolicy(_Configured, ResourceValidationPolicy):
    """A resource policy that declares the types it applies to (the pack dispatches on them)."""

    def __init__(
        self,
        *,
        name: str,
        description: str,
        resource_types: Iterable[str],
        check: ResourceCheck,
        enforcement_level: EnforcementLevel,
        config: ConfigSchema | None = None,
        fsbp: Sequence[str] = (),
        standard: str | None = None,
        remediation: Remediation | None = None,
        remediation_steps: str | None = None,
    ) -> None:
        schema = self._declare_config(config, fsbp, standard)
        super().__init__(
            name=name,
            description=description,
            validate=self._validate,
            # The SDK also accepts a plain (non-awaitable) result from a remediation.
            remediate=self._remediate if remediation else None,  # type: ignore[arg-type]
            enforcement_level=enforcement_level,
            config_schema=schema,
            remediation_steps=remediation_steps,
        )
        self.resource_types = frozenset(resource_types)
        self.check = check
        self.remediation = remediation

    def applies_to(self, resource_type: str) -> bool:
        return resource_type in self.resource_types

    def _subject(self, args: ResourceValidationArgs) -> tuple[Resource, dict[str, Any]]:
        cfg = self.effective_config(args.get_config())
        if is_exempt(args.name, cfg.get("exemptNames", ())):
            args.not_applicable(f"'{args.name}' is listed in exemptNames")  # raises
        return Resource(args.resource_type, args.name, args.props, bool(args.opts.protect)), cfg

    def _validate(self, args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in self.resource_types:
            return  # the SDK's own servicer calls every policy for every type
        for message in self.check(*self._subject(args)):
            report_violation(message, None)

    def _remediate(self, args: ResourceValidationArgs) -> dict[str, Any] | None:
        if args.resource_type not in self.resource_types or self.remediation is None:
            return None
        return self.remediation(*self._subject(args))


class GuardrailStackPolicy(_Configured, StackValidationPolicy):
    """A policy over the whole stack, for relations between resources (by URN/dependencies)."""

    def __init__(
        self,
        *,
        name: str,
        description: str,
        check: StackCheck,
        enforcement_level: EnforcementLevel,
        config: ConfigSchema | None = None,
        fsbp: Sequence[str] = (),
        standard: str | None = None,
        remediation_steps: str | None = None,
    ) -> None:
        schema = self._declare_config(config, fsbp, standard)
        super().__init__(
            name=name,
            description=description,
            validate=self._validate,
            enforcement_level=enforcement_level,
            config_schema=schema,
            remediation_steps=remediation_steps,
        )
        self.check = check

    def _validate(self, args: StackValidationArgs, report_violation: ReportViolation) -> None:
        cfg = self.effective_config(args.get_config())
        patterns = cfg.get("exemptNames", ())
        resources = [r for r in args.resources if not is_exempt(r.name, patterns)]
        for urn, message in self.check(resources, cfg):
            report_violation(message, urn)


AnyPolicy = GuardrailPolicy | GuardrailStackPolicy


@dataclass
class PolicySet:
    """The policies of one concern, each declared by a decorator on its rule."""

    _builders: list[Callable[[], AnyPolicy]] = field(default_factory=list)

    def resource(
        self,
        *,
        name: str,
        description: str,
        types: Iterable[str],
        level: EnforcementLevel,
        fsbp: Sequence[str] = (),
        standard: str | None = None,
        config: ConfigSchema | None = None,
        remediation: Remediation | None = None,
        remediation_steps: str | None = None,
    ) -> Callable[[ResourceCheck], ResourceCheck]:
        resource_types = tuple(types)

        def declare(check: ResourceCheck) -> ResourceCheck:
            self._builders.append(
                lambda: GuardrailPolicy(
                    name=name,
                    description=description,
                    resource_types=resource_types,
                    check=check,
                    enforcement_level=level,
                    config=config,
                    fsbp=fsbp,
                    standard=standard,
                    remediation=remediation,
                    remediation_steps=remediation_steps,
                )
            )
            return check

        return declare

    def stack(
        self,
        *,
        name: str,
        description: str,
        level: EnforcementLevel,
        fsbp: Sequence[str] = (),
        standard: str | None = None,
        config: ConfigSchema | None = None,
    ) -> Callable[[StackCheck], StackCheck]:
        def declare(check: StackCheck) -> StackCheck:
            self._builders.append(
                lambda: GuardrailStackPolicy(
                    name=name,
                    description=description,
                    check=check,
                    enforcement_level=level,
                    config=config,
                    fsbp=fsbp,
                    standard=standard,
                )
            )
            return check

        return declare

    def policies(self) -> list[AnyPolicy]:
        return [build() for build in self._builders]

"""Values a shipped stack file carries as placeholders, which a production stack must replace.

Pure data over a validated StackConfig: ``placeholder_warnings`` names each placeholder in a
``prod`` environment (the reserved example domains of RFC 2606, an empty ``allowedAccountIds``),
one line each with the command that sets the real value; ``components.config.loader.from_pulumi``
prints them as the program's warnings, in a preview and an update alike. ``unguarded_production``
is the one an update refuses: a production stack deployed with no allowed account would go into
whatever account the credentials reach.
"""

from __future__ import annotations

from components.config.models import StackConfig
from components.config.values import PROJECT, Environment

# RFC 2606 (and RFC 6761): names reserved for documentation and tests, never anyone's zone.
RESERVED_DOMAINS = ("example.com", "example.net", "example.org")
RESERVED_TLDS = ("example", "test", "invalid", "localhost")


def is_reserved(domain: str) -> bool:
    name = domain.lower().rstrip(".")
    return any(name == d or name.endswith(f".{d}") for d in RESERVED_DOMAINS) or (
        name.rsplit(".", 1)[-1] in RESERVED_TLDS
    )


def unguarded_production(config: StackConfig) -> str | None:
    """Why ``pulumi up`` must not run: a production stack with no allowed account (the providers
    would deploy into whatever account the credentials reach); None when it may."""
    if config.environment is not Environment.PROD or config.allowed_account_ids:
        return None
    return (
        f"{PROJECT}:allowedAccountIds is empty; accepted for an update of a production stack: "
        "the account ids it may deploy into, so that credentials for another account are "
        f"refused before anything changes: pulumi config set --path --type string "
        f"'{PROJECT}:allowedAccountIds[0]' <12-digit account id> (a preview only warns)"
    )


def placeholder_warnings(config: StackConfig) -> list[str]:
    """One line per placeholder left in a production stack's configuration."""
    if config.environment is not Environment.PROD:
        return []
    found: list[str] = []
    if config.domain is not None and is_reserved(config.domain.zone_name):
        found.append(
            f"{PROJECT}:domain.zoneName is {config.domain.zone_name!r}, a name reserved for "
            "examples (RFC 2606): set your Route 53 zone, pulumi config set --path "
            f"'{PROJECT}:domain.zoneName' <zone>"
        )
    if config.alarm_email is not None and is_reserved(config.alarm_email.rpartition("@")[2]):
        found.append(
            f"{PROJECT}:alarmEmail is {config.alarm_email!r}, an address at a reserved example "
            f"domain: alarms reach no one; pulumi config set {PROJECT}:alarmEmail <address>"
        )
    if not config.allowed_account_ids:
        found.append(
            f"{PROJECT}:allowedAccountIds is empty: the providers would deploy this production "
            "stack into whatever account the credentials reach; pulumi config set --path --type "
            f"string '{PROJECT}:allowedAccountIds[0]' <12-digit account id>"
        )
    return found

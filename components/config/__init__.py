"""The stack's configuration: parsed once, validated, immutable.

Every setting lives under the project namespace ``webstack:`` (plus ``aws:region``). ``load`` turns
the raw key/value map that Pulumi hands the program into a frozen ``StackConfig``; defaults that
depend on the environment live in ``defaults.ENVIRONMENT_DEFAULTS`` beside the models. Bad input
raises ``errors.ConfigError`` (a ``pulumi.RunError``, so the CLI prints the message without a
traceback) before any resource is registered.

- ``values``: enums (with their production guidance), patterns and strict scalar types
- ``windows``: daily/weekly UTC window arithmetic, as AWS checks backup and maintenance windows
- ``defaults``: pinned engine versions and per-environment defaults
- ``models``: the validated sections and ``StackConfig``
- ``errors``: ``ConfigError`` and the rendering of validation errors (key path, value, accepted)
- ``loader``: ``load`` and ``from_pulumi``
"""

from components.config.loader import from_pulumi, load
from components.config.models import StackConfig

__all__ = ["StackConfig", "from_pulumi", "load"]

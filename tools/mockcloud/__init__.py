"""Run the real ``__main__.py`` under Pulumi's own mock monitor and record what it registers.

``synthesize(stack)`` loads ``Pulumi.yaml`` and ``Pulumi.<stack>.yaml`` and hands their config to
the program the way the CLI does (structured values as JSON strings), installs
``pulumi.runtime.set_mocks`` with a ``RecordingMonitor`` and a ``MockCloud`` that knows just enough
of AWS (AZ names per region, account, partition, SSM AMI parameters, managed prefix lists, hosted
zones), runs the program and returns every registered resource: type, name, URN, parent,
provider, dependencies, options, inputs and the exact protobuf Struct the SDK serialized (what the
engine would hand a policy pack).

Two modes mirror the CLI:
- ``preview=True`` (default) is a first ``pulumi preview``: ids and computed attributes of new
  resources are unknown, so the program must cope with unknowns as it will for real.
- ``preview=False`` is a ``pulumi up`` against a fake cloud: ids and ARNs are deterministic, so
  tests can follow references between resources.

An invoke the mocks do not know raises instead of returning junk.

One module per job: ``invokes`` (the INVOKES table), ``computed`` (per-type fake outputs),
``monitor`` (MockCloud, RecordingMonitor, RecordedResource), ``run`` (synthesize, Synthesis).
The package refuses to load under a pulumi SDK other than the pinned one (``sdk_guard``).
"""

from tools.mockcloud.sdk_guard import SdkVersionMismatch, check_installed_sdk

# Before any private import: a different SDK may not even have these names.
check_installed_sdk()

from tools.mockcloud.account import ACCOUNT_ID, PARTITION  # noqa: E402
from tools.mockcloud.computed import COMPUTED  # noqa: E402
from tools.mockcloud.invokes import INVOKES  # noqa: E402
from tools.mockcloud.monitor import (  # noqa: E402
    AWS_PROVIDER,
    Invoke,
    MockCloud,
    RecordedResource,
    RecordingMonitor,
)
from tools.mockcloud.run import ROOT, Synthesis, load_stack_config, synthesize  # noqa: E402

__all__ = [
    "ACCOUNT_ID",
    "AWS_PROVIDER",
    "COMPUTED",
    "INVOKES",
    "PARTITION",
    "ROOT",
    "Invoke",
    "MockCloud",
    "RecordedResource",
    "RecordingMonitor",
    "SdkVersionMismatch",
    "Synthesis",
    "load_stack_config",
    "synthesize",
]

"""Real tools from Debian that some tests drive: skipped locally, never under CI.

A missing tool skips its test with the Debian package to install (all listed in
``.ci/apt-packages``, which CI installs); under CI (``CI`` set) it fails instead, so CI can never
pass by skipping.
"""

from __future__ import annotations

import glob
import os
import shutil

import pytest


def require(tool: str, package: str, *candidates: str) -> str:
    """The path of ``tool`` (or of the first of ``candidates``, which may be globs)."""
    for name in (tool, *candidates):
        found = shutil.which(name) or next(iter(sorted(glob.glob(name))), None)
        if found:
            return found
    message = (
        f"needs {tool}: install the Debian package {package} "
        f"(`apt-get install {package}`; CI installs every package in .ci/apt-packages)"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)

"""A block of a docs page generated from the code, between two marker comments.

``tools.config_reference`` (the config table, docs/configuration.md) and
``tools.outputs_reference`` (the stack outputs table, docs/disaster-recovery.md) each render a
Markdown table; this module puts it between its markers and is their command line: ``python -m
tools.<module>`` prints the table, ``--write`` refreshes the page.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def refresh(text: str, begin: str, end: str, body: str) -> str:
    """``text`` with what stands between ``begin`` and ``end`` replaced by ``body``."""
    head, _, rest = text.partition(begin)
    _, _, tail = rest.partition(end)
    return f"{head}{begin}\n{body}\n{end}{tail}"


def main(
    argv: Sequence[str] | None,
    description: str,
    render: Callable[[], str],
    begin: str,
    end: str,
    document: Path,
) -> int:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--write", action="store_true", help=f"refresh the block in docs/{document.name}"
    )
    args = parser.parse_args(argv)
    if not args.write:
        print(render())
        return 0
    text = document.read_text()
    if begin not in text or end not in text:
        print(f"{document.name} has no {begin!r} ... {end!r} block", file=sys.stderr)
        return 1
    document.write_text(refresh(text, begin, end, render()))
    return 0

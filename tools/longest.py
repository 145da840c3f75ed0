"""The longest classes and functions of a tree, in lines (a refactor's before/after figure).

python -m tools.longest [ROOT ...] [--top N]     # default: components, __main__.py
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Iterator
from pathlib import Path


def definitions(path: Path) -> Iterator[tuple[int, str, str]]:
    """(lines, kind, qualified name) of every class and function in ``path``."""
    tree = ast.parse(path.read_text(), filename=str(path))

    def walk(node: ast.AST, prefix: str) -> Iterator[tuple[int, str, str]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                kind = "class" if isinstance(child, ast.ClassDef) else "def"
                end = child.end_lineno or child.lineno
                yield end - child.lineno + 1, kind, f"{path}:{name}"
                yield from walk(child, f"{name}.")

    yield from walk(tree, "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roots", nargs="*", default=["components", "__main__.py"])
    parser.add_argument("--top", type=int, default=8)
    args = parser.parse_args(argv)
    found: list[tuple[int, str, str]] = []
    for root in map(Path, args.roots):
        files = [root] if root.is_file() else sorted(root.rglob("*.py"))
        for path in files:
            found.extend(definitions(path))
    for kind in ("class", "def"):
        print(f"longest {'classes' if kind == 'class' else 'functions'}:")
        for lines, _kind, name in sorted((d for d in found if d[1] == kind), reverse=True)[
            : args.top
        ]:
            print(f"  {lines:5d}  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

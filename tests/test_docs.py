"""The docs match the code: docs/configuration.md's config table is the model's, and every
link between the pages resolves."""

from __future__ import annotations

import re
from pathlib import Path

from components.config import StackConfig
from tools.config_reference import BEGIN, DOCUMENT, END, refresh_readme, render


def test_readme_config_reference_is_generated_from_the_model() -> None:
    text = DOCUMENT.read_text()
    assert BEGIN in text and END in text
    assert refresh_readme(text) == text, (
        "docs/configuration.md's config table is stale: "
        "run `python -m tools.config_reference --write`"
    )


def test_every_config_key_is_documented() -> None:
    table = render()
    for name, field in StackConfig.model_fields.items():
        if name in ("project", "stack", "region"):
            continue
        assert f"`webstack:{field.alias}`" in table


def test_every_documented_key_says_what_it_means() -> None:
    rows = [line for line in render().splitlines()[2:] if line.startswith("| `")]
    undocumented = [row.split("|")[1].strip() for row in rows if not row.split("|")[4].strip()]
    assert undocumented == [], f"add a Field(description=...) for: {undocumented}"


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_link_between_the_docs_resolves() -> None:
    root = Path(__file__).resolve().parents[1]
    pages = [root / "README.md", root / "policies" / "README.md", *(root / "docs").glob("*.md")]
    broken = []
    for page in pages:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text()):
            if target.startswith(("http://", "https://")):
                continue
            path, _, anchor = target.partition("#")
            destination = (page.parent / path).resolve() if path else page
            if not destination.exists():
                broken.append(f"{page.name}: {target} (no such file)")
            elif anchor and destination.suffix == ".md":
                headings = re.findall(r"^#+ (.*)$", destination.read_text(), re.MULTILINE)
                if anchor not in {_slug(h) for h in headings}:
                    broken.append(f"{page.name}: {target} (no such heading)")
    assert broken == []

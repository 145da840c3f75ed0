"""The docs match the code: docs/configuration.md's config table is the model's."""

from __future__ import annotations

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

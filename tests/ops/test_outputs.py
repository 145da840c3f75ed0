"""The outputs contract: every fixture parses, and each bad input gets one clear line."""

from __future__ import annotations

import json

import pytest

from ops.outputs import HINT, OutputsError, parse_outputs
from tests.ops.support import FIXTURES, fixture

STRATEGIES = ["none", "backup-restore", "pilot-light", "warm-standby", "active-active"]
NAMES = [f"{s}-{f}" for s in STRATEGIES for f in ("aurora", "rds")]


def test_there_is_a_fixture_for_every_strategy_and_family() -> None:
    assert sorted(p.stem for p in FIXTURES.glob("*.json")) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_every_fixture_parses_with_its_strategy_and_family(name: str) -> None:
    outputs = parse_outputs((FIXTURES / f"{name}.json").read_text())
    strategy, family = name.rsplit("-", 1)
    assert outputs.dr.strategy == strategy
    assert outputs.primary.database is not None
    assert outputs.primary.database.family == family
    assert outputs.has_standby == (strategy in ("pilot-light", "warm-standby", "active-active"))
    assert len(outputs.regions()) == (2 if outputs.has_standby else 1)


def test_a_missing_key_is_named_with_its_path() -> None:
    data = fixture("warm-standby-aurora")
    del data["dr"]["standby"]["web"]["asgName"]
    with pytest.raises(OutputsError) as err:
        parse_outputs(json.dumps(data))
    assert str(err.value) == f"outputs: missing 'dr.standby.web.asgName' - {HINT}"


def test_a_bad_value_names_the_key_the_value_and_what_is_accepted() -> None:
    data = fixture("warm-standby-rds")
    data["dr"]["strategy"] = "cold"
    with pytest.raises(OutputsError) as err:
        parse_outputs(json.dumps(data))
    assert str(err.value) == (
        "outputs: 'dr.strategy' = \"cold\": Input should be 'none', 'backup-restore', "
        "'pilot-light', 'warm-standby' or 'active-active'"
    )


def test_a_standby_strategy_without_standby_is_refused() -> None:
    data = fixture("pilot-light-aurora")
    data["dr"]["standby"] = None
    with pytest.raises(OutputsError) as err:
        parse_outputs(json.dumps(data))
    assert str(err.value) == "outputs: 'dr': 'standby' is null but strategy is 'pilot-light'"


def test_numbers_are_strict() -> None:
    data = fixture("none-rds")
    data["primary"]["web"]["minSize"] = "2"
    with pytest.raises(OutputsError, match=r"'primary.web.minSize' = \"2\""):
        parse_outputs(json.dumps(data))


def test_not_json_and_not_an_object_are_one_line_each() -> None:
    with pytest.raises(OutputsError, match=r"^outputs: not JSON"):
        parse_outputs("Current stack outputs (3):")
    with pytest.raises(OutputsError, match=r"^outputs: expected a JSON object, got list"):
        parse_outputs("[]")

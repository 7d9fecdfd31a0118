"""Every analytics endpoint on the demo account answers exactly the stored golden bytes, on
both stores. Refresh with ``make golden`` only when an answer is meant to change."""

from __future__ import annotations

import pytest

from tests.conftest import open_store
from tests.golden.harness import FOLDER, QUESTIONS, answers


@pytest.fixture(scope="module")
def golden_answers(store_kind: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    # a store of its own: the app closes its store when it stops
    return answers(open_store(store_kind, tmp_path_factory.mktemp(f"golden-{store_kind}")))


@pytest.mark.parametrize("name", [name for name, _, _ in QUESTIONS])
def test_answer_is_the_golden_one(golden_answers: dict[str, bytes], name: str) -> None:
    expected = (FOLDER / name).read_bytes()
    assert golden_answers[name] == expected, f"{name} differs from tests/golden/{name}"

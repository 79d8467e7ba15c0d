"""Issue 18 item 3: a yes/no column reads the languages partners write (German, Swedish, Danish, Norwegian,
Dutch, French, Spanish, Finnish, English), in any case; a word it does not know says so."""

from __future__ import annotations

import pytest

from batch.docs import yes_no_reference
from schemas.vocab import FALSE_WORDS, TRUE_WORDS, YES_NO_WORDS
from tests.validate.test_validate_support import run, with_changes

RULE = "customers.supported_location_confirmed.not_confirmed"
#: What partners of each language type, as they type it (issue 18: ``ja``/``Ja`` was not understood).
YES = ["ja", "Ja", "JA", "j", "oui", "Oui", "sí", "Sí", "SÍ", "si", "kyllä", "KYLLÄ", "Yes", "x", "WAHR", "sant"]
NO = ["nein", "Nein", "nej", "Nej", "nei", "nee", "non", "Non", "no", "ei", "FALSCH", "faux"]


def _confirmed(value: str) -> tuple[bool, list[tuple[str, int, str, str]]]:
    result = run(with_changes(customers={0: {"supported_location_confirmed": value}}))
    problems = [(p.sheet, p.row, p.column, p.rule) for p in result.problems if p.severity == "error"]
    return bool(result.sheets["customers"]["supported"][0]), problems


@pytest.mark.parametrize("word", YES)
def test_yes_in_every_language_confirms(word: str) -> None:
    assert _confirmed(word) == (True, [])


@pytest.mark.parametrize("word", NO)
def test_no_in_every_language_is_not_confirmed(word: str) -> None:
    supported, problems = _confirmed(word)
    assert not supported
    assert problems[0] == ("customers", 2, "supported_location_confirmed", RULE)


def test_the_languages_partners_write_are_all_there() -> None:
    assert {"German", "Swedish", "Danish", "Norwegian", "Dutch", "French", "Spanish", "Finnish", "English"} <= set(
        YES_NO_WORDS
    )
    for language, (yes, no) in YES_NO_WORDS.items():
        assert yes and no, language
    assert not TRUE_WORDS & FALSE_WORDS


def test_a_word_that_is_neither_says_so_and_a_no_says_verify() -> None:
    unknown = run(with_changes(customers={0: {"supported_location_confirmed": "vielleicht"}}))
    [problem] = [p for p in unknown.problems if p.rule == RULE]
    assert problem.message.startswith("'vielleicht' is neither yes nor no: verify the headquarters")
    assert "ja, kyllä, oui, sí" in problem.message
    said_no = run(with_changes(customers={0: {"supported_location_confirmed": "nein"}}))
    [problem] = [p for p in said_no.problems if p.rule == RULE]
    assert problem.message.startswith("Verify the headquarters is in a Webex-supported location")


def test_readme_lists_every_word() -> None:
    table = "\n".join(yes_no_reference())
    for word in TRUE_WORDS | FALSE_WORDS:
        assert f"`{word}`" in table

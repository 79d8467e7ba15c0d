"""Email checks: accepted and refused addresses, and the regex fast path agreeing exactly with
email-validator on tricky input."""

from __future__ import annotations

import random

import polars as pl
import pytest

from batch.validate.emails import check_emails, email_reference


def check(value: str | None) -> tuple[str | None, str | None]:
    return check_emails(pl.Series([value], dtype=pl.String)).row(0)


@pytest.mark.parametrize(
    ("value", "normalized"),
    [
        ("matti.virtanen@example.fi", "matti.virtanen@example.fi"),
        ("Matti.Virtanen@Yritys.FI", "matti.virtanen@yritys.fi"),
        ("  anna+tiimi@firma.com ", "anna+tiimi@firma.com"),
        ("o'brien@example.co.uk", "o'brien@example.co.uk"),
        ("pekka@mäkinen.fi", "pekka@mäkinen.fi"),  # Unicode domain: the library's path
        ("pekka@xn--mkinen-bua.fi", "pekka@mäkinen.fi"),  # Punycode comes back as Unicode
        ("äijä@example.fi", "äijä@example.fi"),
    ],
)
def test_accepts_and_lowercases(value: str, normalized: str) -> None:
    assert check(value) == (normalized, None)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("matti.virtanen.example.fi", "must have an @-sign"),
        ("matti@", "something after the @-sign"),
        ("matti..virtanen@example.fi", "two periods in a row"),
        ("matti@example", "should have a period"),
        ("matti@example.test", "special-use or reserved name"),
        ("matti virtanen@example.fi", "invalid characters"),
        ("matti@-example.fi", "hyphen"),
        ("matti@example.fi.", "cannot end with a period"),
        ('"matti"@example.fi', "Quoting"),
        ("matti@ab--cd.fi", "two dashes"),
    ],
)
def test_refuses_with_the_reason_and_a_fix(value: str, fragment: str) -> None:
    normalized, error = check(value)
    assert normalized is None
    assert error is not None and fragment in error and f"'{value}'" in error and "Write it like" in error


@pytest.mark.parametrize("value", [None, "", "   "])
def test_blank_is_null_not_an_error(value: str | None) -> None:
    assert check(value) == (None, None)


def test_same_length_and_order() -> None:
    result = check_emails(pl.Series(["A@B.FI", None, "bad", "a@b.fi", "a@b.fi"]))
    assert result.columns == ["normalized", "error"]
    assert result["normalized"].to_list() == ["a@b.fi", None, None, "a@b.fi", "a@b.fi"]
    assert result["error"].is_not_null().to_list() == [False, False, True, False, False]


def tricky_addresses(count: int, seed: int) -> list[str | None]:
    """Addresses built from the pieces that trip validators: dots, dashes, quotes, Unicode, long labels,
    numeric and special-use TLDs, Punycode, stray spaces and @-signs."""
    rng = random.Random(seed)
    local_chars = "abcXYZ019._-+'!#$%&*/=?^`{|}~\"() ,;:<>@\\äöé\u00a0"
    domain_chars = "abcXYZ019-.ä_"
    tlds = [
        "fi",
        "com",
        "FI",
        "io",
        "test",
        "local",
        "invalid",
        "onion",
        "arpa",
        "localhost",
        "123",
        "a",
        "x1",
        "xn--p1ai",
        "example",
        "co.uk",
    ]
    out: list[str | None] = []
    for _ in range(count):
        odd = rng.random() < 0.5  # half plain-looking, half with one odd ingredient or more

        def piece(chars: str, size: int, odd: bool = odd) -> str:
            return "".join(rng.choice(chars if odd and rng.random() < 0.15 else "abcdefghij") for _ in range(size))

        local = ".".join(piece(local_chars, rng.choice([1, 5, 12])) for _ in range(rng.randrange(1, 3)))
        if odd and rng.random() < 0.1:
            local = piece(local_chars, rng.choice([64, 65]))
        labels = [
            piece(domain_chars, rng.choice([1, 3, 10, 10, 63, 64] if odd else [3, 10]))
            for _ in range(rng.randrange(1, 4))
        ]
        domain = ".".join([*labels, rng.choice(tlds) if odd else rng.choice(["fi", "com", "FI"])])
        value = rng.choice(
            [
                f"{local}@{domain}",
                f"{local}@{domain}",
                f" {local}@{domain} ",
                f"{local}@@{domain}",
                f"{local}{domain}",
                f"{local}@{domain}.",
                f"{local}@xn--{domain}",
                None,
                "",
            ]
        )
        out.append(value)
    return out


@pytest.mark.parametrize("seed", [1, 2])
def test_fast_path_matches_library_only_path(seed: int) -> None:
    values = tricky_addresses(3000, seed)
    fast = check_emails(pl.Series(values, dtype=pl.String)).rows()
    slow = [email_reference(v) for v in values]
    assert [(v, f, s) for v, f, s in zip(values, fast, slow, strict=True) if f != s] == []
    assert sum(n is not None for n, _ in slow) > 300  # the generator must produce plenty of valid addresses


def test_plain_and_blank_values_only_skip_the_library_and_keep_their_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """With nothing for the library (the usual batch), the verdicts come from the fast path alone, row for row."""
    import batch.validate.emails as emails

    def refuse(value: str | None) -> tuple[str | None, str | None]:
        raise AssertionError(f"the library was asked about {value!r}")

    monkeypatch.setattr(emails, "email_reference", refuse)
    values = pl.Series(["Aino.Makela@Example.FI", None, " \u00a0", "x.y+z@mail.example.com", ""], dtype=pl.String)
    result = check_emails(values)
    assert result.rows() == [
        ("aino.makela@example.fi", None),
        (None, None),
        (None, None),
        ("x.y+z@mail.example.com", None),
        (None, None),
    ]
    assert check_emails(pl.Series([], dtype=pl.String)).shape == (0, 2)

"""The validator's output contract (interfaces.md): frames, normalized columns, ``_valid``, problem order."""

from __future__ import annotations

import polars as pl

from batch.load.inputs import LoadedBatch, SheetData
from batch.problems import Problem, sort_key
from batch.validate.validator import OUTPUT_COLUMNS, validate
from schemas import SHEETS
from tests.validate.test_validate_support import loaded, run, sheet_frame, valid_rows, with_changes


def test_valid_batch_has_no_problems_and_every_row_valid() -> None:
    result = run(valid_rows())
    assert result.problems == ()
    assert (result.error_count, result.warning_count) == (0, 0)
    for name, frame in result.sheets.items():
        assert frame["_valid"].dtype == pl.Boolean
        assert frame["_valid"].all(), name


def test_frames_keep_loader_columns_and_add_normalized_ones() -> None:
    batch = loaded(**valid_rows())
    result = validate(batch)
    for name, frame in result.sheets.items():
        expected = [*batch.sheets[name].frame.columns, *OUTPUT_COLUMNS[name], "_valid"]
        assert frame.columns == expected
        assert frame.height == batch.sheets[name].frame.height


def test_normalized_values() -> None:
    sheets = run(valid_rows()).sheets
    customer = sheets["customers"].row(0, named=True)
    assert customer["packages_list"] == ["webex_calling", "webex_meetings", "cisco_calling_plan"]
    assert customer["numbers_e164"] == [f"+35894245100{i}" for i in range(10)]
    assert customer["main_number_e164"] == "+358942451000"
    assert customer["supported"] is True
    assert customer["provisioning_id_resolved"] == "ZjViMzYxODctYzhkZC00NzI3LThiMmYtZjljNDQ3ZjI5MDQ2"
    assert sheets["customers"]["provisioning_id_resolved"][1] == "ZjViMzYxODctYzhkZC00NzI3"
    assert sheets["customers"]["country_code"].to_list() == ["FI", "FI"]
    location = sheets["locations"].row(0, named=True)
    assert location["timezone_resolved"] == "Europe/Helsinki"
    assert location["customer_in_batch"] is True
    assert location["numbers_e164"] == ["+358356552000", "+358356552001"]
    users = sheets["users"]
    assert users["email_normalized"].to_list() == ["it@makela.fi", "eero@makela.fi", "liisa@makela.fi", "admin@oljy.fi"]
    assert users["location_resolved"].to_list() == ["Pääkonttori", "Tampere", "Tampere", None]
    assert users["phone_e164"].to_list() == ["+358942451001", None, "+358356552001", None]
    assert users["roles_list"].to_list() == [["Full Administrator"], [], [], []]
    assert users["customer_in_batch"].all()


def test_problems_sorted_and_unique() -> None:
    rows = with_changes(
        customers={1: {"external_id": "FI-1", "company_name": "50%"}},
        users={2: {"extension": "x"}, 1: {"roles": "Boss"}},
    )
    problems = run(rows).problems
    assert len(problems) == len(set(problems)) > 3
    assert list(problems) == sorted(problems, key=sort_key)


def test_loader_problems_are_passed_through() -> None:
    batch = loaded(**valid_rows())
    note = Problem("users", 1, "nickname", "nickname", "warning", "users.nickname.unknown_column", "Unknown column")
    result = validate(LoadedBatch(batch.sheets, (note,)))
    assert result.problems == (note,)


def test_rows_of_merged_inputs_are_told_apart_by_position() -> None:
    """Two files both have a users row 2: an error in one must not invalidate the other."""
    rows = valid_rows()
    first = sheet_frame("users", rows["users"][:1])
    second = sheet_frame("users", [{**rows["users"][2], "extension": "x"}]).with_columns(
        pl.lit("b.xlsx").alias("_source")
    )
    sheets = dict(loaded(**rows).sheets)
    sheets["users"] = SheetData("users", pl.concat([first, second]))
    result = validate(LoadedBatch(sheets))
    assert result.sheets["users"]["_valid"].to_list() == [True, False]
    assert [(p.row, p.rule) for p in result.problems] == [(2, "users.extension.format")]


def test_each_listed_problem_names_its_rows_input() -> None:
    """Merged inputs repeat row numbers: a problem's ``source`` is its own row's ``_source`` (looked up for the
    listed rows only), on every sheet; a row without problems lends its source to nothing."""
    rows = valid_rows()
    sheets = dict(loaded(**rows).sheets)
    users = sheets["users"].frame.with_columns(
        pl.when(pl.int_range(pl.len()) % 2 == 0)
        .then(pl.lit("a.csv"))
        .otherwise(pl.lit("b.xlsx#users"))
        .alias("_source"),
        pl.when(pl.int_range(pl.len()) >= 2).then(pl.lit("x")).otherwise(pl.col("extension")).alias("extension"),
    )
    sheets["users"] = SheetData("users", users)
    customers = sheets["customers"].frame.with_columns(
        pl.lit("c.csv").alias("_source"), pl.lit("100% Oy").alias("company_name")
    )
    sheets["customers"] = SheetData("customers", customers)
    result = validate(LoadedBatch(sheets))
    expected = {("users", row): src for row, src in zip(users["_row"], users["_source"], strict=True)}
    expected |= {("customers", row): src for row, src in zip(customers["_row"], customers["_source"], strict=True)}
    locations = sheets["locations"].frame
    expected |= {("locations", row): src for row, src in zip(locations["_row"], locations["_source"], strict=True)}
    listed = {(p.sheet, p.row, p.rule, p.source) for p in result.problems}
    assert {(sheet, rule) for sheet, _, rule, _ in listed} >= {
        ("users", "users.extension.format"),
        ("customers", "customers.company_name.format"),
    }
    assert all(source == expected[(sheet, row)] for sheet, row, _, source in listed)
    assert {source for *_, source in listed} >= {"a.csv", "b.xlsx#users", "c.csv"}


def test_dependent_rows_name_the_row_to_fix() -> None:
    result = run(with_changes(customers={0: {"company_name": "100% Oy"}}))
    dependents = [p for p in result.problems if p.rule == "dependency.invalid_parent"]
    assert {(p.sheet, p.row) for p in dependents} == {("locations", 2), ("users", 2), ("users", 3), ("users", 4)}
    assert all("customers row 2" in p.message and "FI-1" in p.message for p in dependents)
    assert result.sheets["users"]["_valid"].to_list() == [False, False, False, True]


def test_later_duplicate_is_invalid_and_names_the_earlier_row() -> None:
    rows = with_changes(users=[{**valid_rows()["users"][1], "email": "Eero@Makela.fi", "location_name": None}])
    result = run(rows)
    (problem,) = result.problems
    assert (problem.row, problem.rule) == (6, "users.email.duplicate")
    assert "row 3" in problem.message
    assert result.sheets["users"]["_valid"].to_list() == [True, True, True, True, False]


def test_empty_batch() -> None:
    result = validate(loaded())
    assert result.problems == ()
    assert set(result.sheets) == set(SHEETS)
    assert all(frame.height == 0 for frame in result.sheets.values())


def test_memory_grows_with_rows_not_rows_times_numbers() -> None:
    """A customer with a 1,000-number range and its users: no user row carries the range (the users × numbers
    copy once took 4.2 GiB for 200,000 users; ``make bench-validate`` measures the big case)."""
    from batch.validate.rules.prepare import prepare

    rows = with_changes(customers={0: {"numbers": "+358 9 4245 1000..+358 9 4245 1999"}})
    batch = loaded(**rows)
    prepared = prepare({name: batch.sheets[name].frame for name in batch.sheets})
    users = prepared.users
    list_items = sum(int(users[c].list.len().sum() or 0) for c, t in users.schema.items() if isinstance(t, pl.List))
    assert list_items < 50 * users.height
    assert prepared.hq_numbers.height >= 1000
    assert [p.rule for p in validate(batch).problems] == []


def test_a_users_customer_columns_are_its_first_customer_rows() -> None:
    """Users do not carry their customer's columns (``with_customer`` fetches them by ``__cpos``): each user gets
    the first customers row of its external_id (a later duplicate is never its customer), none without one."""
    from batch.validate.rules.prepare import CUSTOMER_OF_USER, prepare, with_customer

    twin = {**valid_rows()["customers"][1], "hq_location_name": "Toinen", "admin_email": "other@oljy.fi"}
    stranger = {**valid_rows()["users"][3], "customer_external_id": "SE-9", "email": "x@y.se"}
    rows = with_changes(customers=[twin], users=[stranger])
    batch = loaded(**rows)
    prepared = prepare({name: batch.sheets[name].frame for name in batch.sheets})
    assert not set(CUSTOMER_OF_USER) & set(prepared.users.columns)
    users = with_customer(prepared.users, prepared.customers, *CUSTOMER_OF_USER)
    assert users["__hq_name"].to_list() == ["Pääkonttori", "Pääkonttori", "Pääkonttori", None, None]
    assert users["__c_admin"].to_list() == ["it@makela.fi"] * 3 + ["admin@oljy.fi", None]
    assert users["__c_country"].to_list() == ["FI", "FI", "FI", "FI", None]
    assert users["__c_packages"].to_list() == [["webex_calling", "webex_meetings", "cisco_calling_plan"]] * 3 + [
        ["webex_meetings"],
        None,
    ]


def test_empty_keys_never_collide_and_a_duplicate_names_the_first_row() -> None:
    """Duplicate checks leave rows with a null key part out (users without a number or extension are many):
    they are never duplicates; real duplicates still name the first row with the key."""
    meetings = {"package": "webex_meetings", "phone_number": None, "extension": None, "location_name": None}
    base = valid_rows()["users"][1]
    more = [{**base, **meetings, "email": f"m{i}@makela.fi"} for i in range(3)]
    more += [
        {**base, "customer_external_id": "FI-2", "email": "e@oljy.fi", "extension": "1001"},
        {**base, "email": "twin@makela.fi", "package": "webex_calling", "location_name": None, "extension": "1001"},
        {**base, "email": "M1@Makela.fi", "phone_number": None, "extension": None},
    ]
    result = run(with_changes(users=more))
    duplicates = [(p.row, p.column, p.rule, p.message) for p in result.problems if p.rule.endswith(".duplicate")]
    assert [d[:3] for d in duplicates] == [
        (10, "extension", "users.extension.duplicate"),
        (11, "email", "users.email.duplicate"),
    ]
    assert "users row 2" in duplicates[0][3] and "users row 7" in duplicates[1][3]


def test_users_of_an_invalid_location_name_its_row_and_input() -> None:
    """The location's row (and, merged, its input) in a dependent user's message is fetched by ``__lpos``: users do
    not carry it. Liisa (users row 4) is at Tampere (locations row 2 of loc.csv); the customer's row is named too."""
    rows = with_changes(locations={0: {"main_number": "abc"}}, customers={1: {"company_name": "100% Oy"}})
    sheets = dict(loaded(**rows).sheets)
    sheets["locations"] = SheetData(
        "locations", sheets["locations"].frame.with_columns(pl.lit("loc.csv").alias("_source"))
    )
    sheets["customers"] = SheetData(
        "customers", sheets["customers"].frame.with_columns(pl.lit("cus.csv").alias("_source"))
    )
    users = sheets["users"].frame.with_columns(pl.lit("users.csv").alias("_source"))
    sheets["users"] = SheetData("users", users)
    result = validate(LoadedBatch(sheets, inputs={"loc.csv": "a", "cus.csv": "b", "users.csv": "c"}))
    dependents = {
        (p.sheet, p.row, p.column): p.message for p in result.problems if p.rule == "dependency.invalid_parent"
    }
    assert set(dependents) == {("users", 4, "location_name"), ("users", 5, "customer_external_id")}
    assert "location Tampere on locations row 2 of loc.csv is invalid" in dependents[("users", 4, "location_name")]
    assert "customer FI-2 on customers row 3 of cus.csv is invalid" in dependents[("users", 5, "customer_external_id")]


def test_a_clean_batch_keeps_no_per_row_errors_and_a_bad_number_keeps_its_item() -> None:
    """Error columns that are null on every row are one literal, and a listed number's ``item`` stays only where it
    is wrong; the problems say the same as before."""
    from batch.validate.rules.prepare import prepare

    batch = loaded(**valid_rows())
    clean = prepare({name: batch.sheets[name].frame for name in batch.sheets})
    assert clean.users["__phone_error"].null_count() == clean.users.height
    assert clean.hq_numbers["item"].null_count() == clean.hq_numbers.height
    rows = with_changes(customers={0: {"numbers": "+358 9 4245 1000..+358 9 4245 1009; 12"}})
    result = run(rows)
    bad = [(p.row, p.column, p.value) for p in result.problems if p.rule == "customers.numbers.invalid"]
    assert bad == [(2, "numbers", "12")]


def test_hash_repeats_marks_every_row_of_a_repeated_key_and_no_other() -> None:
    """The candidates of a duplicate check: all rows of a key seen twice (first one too), whatever the order."""
    from batch.validate.rules import hash_repeats

    frame = pl.DataFrame(
        {"a": ["x", "y", "x", "z", None, "y", None, "w"], "b": ["1", "1", "2", "1", "1", "1", "1", "1"]}
    )
    assert hash_repeats(frame, pl.col("a")).to_list() == [True, True, True, False, True, True, True, False]
    assert hash_repeats(frame, pl.struct("a", "b")).to_list() == [False, True, False, False, True, True, True, False]
    assert hash_repeats(frame.head(0), pl.col("a")).to_list() == []


def test_a_users_location_is_resolved_by_name_per_customer_whatever_the_case() -> None:
    """Only users naming a location other than the HQ look it up (by customer and name, case-insensitively), also
    for a customer not in the batch; the HQ by any case is the HQ; an unknown name stays as typed (a warning)."""
    rows = valid_rows()
    malmo = {
        **rows["locations"][0],
        "customer_external_id": "SE-9",
        "location_name": "Malmö",
        "country": "SE",
        "numbers": None,
        "main_number": None,
        "postal_code": "21120",
        "city": "Malmö",
        "timezone": "Europe/Stockholm",
    }
    base = {**rows["users"][2], "phone_number": None}
    users = [
        {**base, "customer_external_id": "SE-9", "email": "a@se.se", "location_name": "malmö", "extension": "3001"},
        {**base, "email": "b@makela.fi", "location_name": "PÄÄKONTTORI", "extension": "3002"},
        {**base, "email": "c@makela.fi", "location_name": "Oulu", "extension": "3003"},
        {**base, "email": "d@makela.fi", "location_name": None, "extension": "3004"},
    ]
    result = run(with_changes(locations=[malmo], users=users))
    resolved = result.sheets["users"].select("_row", "location_resolved").rows()
    assert resolved == [
        (2, "Pääkonttori"),
        (3, "Tampere"),
        (4, "Tampere"),
        (5, None),
        (6, "Malmö"),
        (7, "Pääkonttori"),
        (8, "Oulu"),
        (9, "Pääkonttori"),
    ]
    assert [(p.sheet, p.row, p.rule) for p in result.problems] == [
        ("locations", 3, "locations.customer_external_id.not_in_batch"),
        ("users", 6, "users.customer_external_id.not_in_batch"),
        ("users", 8, "users.location_name.not_in_batch"),
    ]

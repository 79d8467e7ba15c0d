"""The whole graph of one small batch that holds every case a row can be in (issue 22 item 2: the planner was
rewritten column by column; this table is what the row-by-row planner made of the same batch)."""

from __future__ import annotations

import gc
from pathlib import Path

import polars as pl
import pytest

from batch.jobs import Kind
from batch.load.inputs import load_inputs
from batch.plan import graph
from batch.plan.graph import build_plan
from batch.validate.validator import ValidatedBatch, validate
from tests.builders import input_sheets, write_csv_folder
from tests.plan.test_plan import CUSTOMER, LOCATION, user

MEETINGS_ONLY = CUSTOMER | {
    "external_id": "FI-2",
    "packages": "webex_meetings",
    "numbers": "",
    "main_number": "",
    "admin_email": "a@two.fi",
}
LOCATIONS = [
    LOCATION,
    LOCATION | {"customer_external_id": "SRV-3", "location_name": "Espoo", "numbers": ""},  # a customer on the server
    LOCATION | {"location_name": "Lahti", "numbers": ""},  # no numbers: no numbers job
]
USERS = [
    user("hq@testi.fi", phone_number="+358 9 4245 1001"),  # a number of the HQ: waits for it
    user("hq2@testi.fi", location_name="hq", extension="2222"),  # the HQ by name, any case
    user("tre@testi.fi", location_name="tampere", phone_number="+358 3 5655 2001", roles="Full Administrator"),
    user("tre2@testi.fi", location_name="Tampere", extension="3333"),  # same location, no number to wait for
    user("ext@testi.fi", extension="1234"),  # blank location: the HQ
    user("meet@testi.fi", package="webex_meetings"),  # invalid (FI-1 offers no meetings): no jobs
    user("two@two.fi", customer_external_id="FI-2", package="webex_meetings", roles="Full Administrator"),
    user("srv@x.fi", customer_external_id="SRV-1", extension="4444"),  # the server customer's HQ, looked up
    user("srv2@x.fi", customer_external_id="SRV-1", location_name="Oulu", extension="4445"),
    user("srv3@x.fi", customer_external_id="SRV-1", location_name="oulu", extension="4446"),  # one look-up
    user("srv4@x.fi", customer_external_id="SRV-1", extension="4447"),
    user("srv5@x.fi", customer_external_id="SRV-2", package="webex_meetings"),
    user("bad", extension="12"),  # invalid: no jobs
]

C1, T, S1 = "customer:FI-1", "location:FI-1/tampere", "customer:SRV-1"
#: (key, kind, row, parents, refs' values) in plan order.
JOBS = [
    (C1, "customer", 2, (), ()),
    ("hq:FI-1", "hq_location", 2, (C1,), (C1,)),
    ("numbers:FI-1/hq", "numbers", 2, ("hq:FI-1",), (C1, "hq:FI-1")),
    ("main:FI-1/hq", "main_number", 2, ("hq:FI-1", "numbers:FI-1/hq"), (C1, "hq:FI-1")),
    ("customer:FI-2", "customer", 3, (), ()),
    (T, "location", 2, (C1,), (C1,)),
    ("calling:FI-1/tampere", "calling", 2, (T,), (C1, T)),
    ("numbers:FI-1/tampere", "numbers", 2, ("calling:FI-1/tampere",), (C1, T)),
    ("customer:SRV-3", "customer_ref", None, (), ()),
    ("location:SRV-3/espoo", "location", 3, ("customer:SRV-3",), ("customer:SRV-3",)),
    ("calling:SRV-3/espoo", "calling", 3, ("location:SRV-3/espoo",), ("customer:SRV-3", "location:SRV-3/espoo")),
    ("location:FI-1/lahti", "location", 4, (C1,), (C1,)),
    ("calling:FI-1/lahti", "calling", 4, ("location:FI-1/lahti",), (C1, "location:FI-1/lahti")),
    ("subscriber:hq@testi.fi", "subscriber", 2, (C1, "hq:FI-1", "numbers:FI-1/hq"), (C1, "hq:FI-1")),
    ("subscriber:hq2@testi.fi", "subscriber", 3, (C1, "hq:FI-1"), (C1, "hq:FI-1")),
    ("subscriber:tre@testi.fi", "subscriber", 4, (C1, T, "calling:FI-1/tampere", "numbers:FI-1/tampere"), (C1, T)),
    ("roles:tre@testi.fi", "roles", 4, ("subscriber:tre@testi.fi",), (C1, "subscriber:tre@testi.fi")),
    ("subscriber:tre2@testi.fi", "subscriber", 5, (C1, T, "calling:FI-1/tampere"), (C1, T)),
    ("subscriber:ext@testi.fi", "subscriber", 6, (C1, "hq:FI-1"), (C1, "hq:FI-1")),
    ("subscriber:two@two.fi", "subscriber", 8, ("customer:FI-2",), ("customer:FI-2",)),
    ("roles:two@two.fi", "roles", 8, ("subscriber:two@two.fi",), ("customer:FI-2", "subscriber:two@two.fi")),
    (S1, "customer_ref", None, (), ()),
    ("hq:SRV-1", "hq_location", None, (S1,), (S1,)),
    ("subscriber:srv@x.fi", "subscriber", 9, (S1, "hq:SRV-1"), (S1, "hq:SRV-1")),
    ("location:SRV-1/oulu", "location_ref", None, (S1,), (S1,)),
    ("subscriber:srv2@x.fi", "subscriber", 10, (S1, "location:SRV-1/oulu"), (S1, "location:SRV-1/oulu")),
    ("subscriber:srv3@x.fi", "subscriber", 11, (S1, "location:SRV-1/oulu"), (S1, "location:SRV-1/oulu")),
    ("subscriber:srv4@x.fi", "subscriber", 12, (S1, "hq:SRV-1"), (S1, "hq:SRV-1")),
    ("customer:SRV-2", "customer_ref", None, (), ()),
    ("subscriber:srv5@x.fi", "subscriber", 13, ("customer:SRV-2",), ("customer:SRV-2",)),
]
ROWS = {
    ("customers", 2): (C1, "hq:FI-1", "numbers:FI-1/hq", "main:FI-1/hq"),
    ("customers", 3): ("customer:FI-2",),
    ("locations", 2): (T, "calling:FI-1/tampere", "numbers:FI-1/tampere"),
    ("locations", 3): ("customer:SRV-3", "location:SRV-3/espoo", "calling:SRV-3/espoo"),
    ("locations", 4): ("location:FI-1/lahti", "calling:FI-1/lahti"),
    ("users", 2): ("subscriber:hq@testi.fi",),
    ("users", 3): ("subscriber:hq2@testi.fi",),
    ("users", 4): ("subscriber:tre@testi.fi", "roles:tre@testi.fi"),
    ("users", 5): ("subscriber:tre2@testi.fi",),
    ("users", 6): ("subscriber:ext@testi.fi",),
    ("users", 8): ("subscriber:two@two.fi", "roles:two@two.fi"),
    ("users", 9): (S1, "hq:SRV-1", "subscriber:srv@x.fi"),
    ("users", 10): (S1, "location:SRV-1/oulu", "subscriber:srv2@x.fi"),
    ("users", 11): (S1, "location:SRV-1/oulu", "subscriber:srv3@x.fi"),
    ("users", 12): (S1, "hq:SRV-1", "subscriber:srv4@x.fi"),
    ("users", 13): ("customer:SRV-2", "subscriber:srv5@x.fi"),
}


def validated_batch(tmp_path: Path) -> ValidatedBatch:
    sheets = input_sheets(customers=[CUSTOMER, MEETINGS_ONLY], locations=LOCATIONS, users=USERS)
    return validate(load_inputs([write_csv_folder(tmp_path / "in", sheets)]))


@pytest.mark.parametrize("users_at_once", [100_000, 3, 1])
def test_every_job_and_row_of_a_batch_of_every_case(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, users_at_once: int
) -> None:
    """The same graph however many users rows are planned at once (parts hold valid and invalid rows)."""
    monkeypatch.setattr(graph, "USERS_AT_ONCE", users_at_once)
    plan = build_plan(validated_batch(tmp_path))
    got = [(j.key, str(j.kind), j.row, j.parents, tuple(j.refs.values())) for j in plan.jobs.values()]
    assert got == JOBS
    assert {(sheet, row): jobs for (_, sheet, row), jobs in plan.rows.items()} == ROWS
    assert list(plan.rows) == sorted(plan.rows, key=lambda r: (["customers", "locations", "users"].index(r[1]), r[2]))
    sources = {j.source.rsplit("/", 1)[-1] for j in plan.jobs.values()}
    assert sources == {"", "customers.csv", "locations.csv", "users.csv"}  # look-ups have no row, no input
    assert all((j.source == "") == (j.row is None) for j in plan.jobs.values())
    for job in plan.jobs.values():  # each job reads its own row, however the sheet was cut
        if job.kind is Kind.SUBSCRIBER:
            assert (job.fields["_row"], "subscriber:" + job.fields["email_normalized"]) == (job.row, job.key)


def test_a_job_reads_its_whole_validated_row(tmp_path: Path) -> None:
    """``Job.fields`` reads the frame when asked: every column of the row (list columns as lists, nulls as
    None), and ``calling`` as the planner decided it."""
    validated = validated_batch(tmp_path)
    plan = build_plan(validated)
    users = validated.sheets["users"]
    for job in plan.jobs.values():
        if job.kind is not Kind.SUBSCRIBER:
            continue
        (row,) = users.filter(pl.col("_row") == job.row).to_dicts()
        assert dict(job.fields) == {**row, "calling": row["package_resolved"] in {"webex_calling"}}
        assert list(job.fields.items()) == [(key, job.fields[key]) for key in job.fields]  # read in one pass
    tre = plan.jobs["subscriber:tre@testi.fi"].fields
    assert tre["roles_list"] == ["Full Administrator"] and tre["phone_e164"] == "+35835655 2001".replace(" ", "")
    assert plan.jobs["subscriber:ext@testi.fi"].fields["phone_e164"] is None
    assert {**tre, "x": 1}["x"] == 1 and len(tre) == len(users.columns) + 1
    customer = plan.jobs["customer:FI-1"].fields
    assert customer["calling"] is True and customer["numbers_e164"][0] == "+358942451000"
    assert plan.jobs["customer:FI-2"].fields["calling"] is False
    assert plan.jobs["location:FI-1/lahti"].fields["calling"] is None  # as before: a location row has no say


def test_users_of_one_location_share_their_parents_and_refs(tmp_path: Path) -> None:
    """A million users hold a few thousand parent tuples and refs, not one each."""
    plan = build_plan(validated_batch(tmp_path))
    srv, srv4 = plan.jobs["subscriber:srv@x.fi"], plan.jobs["subscriber:srv4@x.fi"]
    assert srv.parents is srv4.parents and srv.refs is srv4.refs
    tre, tre2 = plan.jobs["subscriber:tre@testi.fi"], plan.jobs["subscriber:tre2@testi.fi"]
    assert tre.refs == tre2.refs and tre.parents != tre2.parents  # only tre's phone is one of the new numbers


def test_building_leaves_the_garbage_collector_as_it_found_it(tmp_path: Path) -> None:
    validated = validated_batch(tmp_path)
    assert gc.isenabled()
    build_plan(validated)
    assert gc.isenabled()
    gc.disable()
    try:
        build_plan(validated)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_depth_and_kind_counts_of_jobs_sharing_parent_tuples() -> None:
    """``depth`` works a level out once per parents tuple: jobs sharing one are at one level, whatever else."""
    from batch.jobs import Job
    from batch.plan.graph import Plan

    top: tuple[str, ...] = ("a",)
    jobs = [Job("a", Kind.CUSTOMER, "customers", 2), Job("b", Kind.HQ, "customers", 2, top)]
    jobs += [Job(f"u{i}", Kind.SUBSCRIBER, "users", i, top) for i in range(3)]
    jobs += [Job("r", Kind.ROLES, "users", 9, ("u2",)), Job("s", Kind.ROLES, "users", 9, ("b", "r"))]
    plan = Plan({job.key: job for job in jobs})
    assert plan.depth() == 4  # a → u2 → r → s
    assert plan.kind_counts() == {Kind.CUSTOMER: 1, Kind.HQ: 1, Kind.SUBSCRIBER: 3, Kind.ROLES: 2}
    assert Plan().depth() == 0


def test_a_repeating_column_decodes_to_the_same_values_as_text_or_as_a_categorical() -> None:
    """``batch.validate.compact`` makes a users sheet's repeating columns categoricals: the planner reads the
    same values from them, each distinct value one ``str`` shared by its rows."""
    from batch.plan.sheets import _decoded

    values = ["FI-1", None, "FI-2", "FI-1"] * 500
    text = pl.Series("customer_external_id", values)
    decoded = _decoded(text.cast(pl.Categorical))
    assert decoded == _decoded(text) == values
    assert decoded[0] is decoded[3]

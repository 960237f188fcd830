"""The job cost store's lookups by transaction are served by the unique index on (company,
project, transaction, line), never by a walk of the whole project; and they mark gone exactly
the lines they should, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from procore_qb.store.repositories.job_costs import JobCosts

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
PROJECT = 562949953421312
OTHER = 562949953421313

_UNIQUE = "sqlite_autoindex_job_cost_lines_1 (company_id=? AND procore_project_id=? AND txn_id=?)"
_READ_KEY = "ix_job_cost_lines_company_id_read_key (company_id=? AND read_key=?)"
_BY_ID = "USING INTEGER PRIMARY KEY (rowid=?)"
_DIRTY = "ix_job_cost_lines_dirty (company_id=? AND procore_project_id=?"
_COST_CODE = "ix_job_cost_lines_cost_code (company_id=? AND procore_project_id=? AND cost_code_id=?"
_MAPPED = "ix_job_cost_lines_mapped (company_id=? AND procore_project_id=? AND status=? AND"
_NOT_MAPPED = "ix_job_cost_lines_not_mapped (company_id=? AND procore_project_id=? AND status=?"


def _line(txn: int, line: int, cents: int = 1000) -> dict[str, Any]:
    return {
        "txn_id": f"{txn:06d}-1700000000",
        "line_id": str(line),
        "job_id": "80000001-1700000000",
        "source": "bill",
        "txn_date": date(2026, 1 + txn % 12, 1 + txn % 28),
        "ref_number": f"B{txn}",
        "vendor_name": "Granite Supply",
        "memo": "",
        "item_id": f"I{txn % 7}",
        "account_id": None,
        "amount_cents": cents,
        "status": "pending",
        "reason": None,
        "message": None,
    }


def _txn(n: int) -> str:
    return f"{n:06d}-1700000000"


@pytest.fixture
def stored(session_factory: sessionmaker[Session], company_id: int) -> int:
    """300 transactions of 3 lines in one project, 20 in another, all read by ``full``."""
    with session_factory.begin() as session:
        repo = JobCosts(session)
        repo.upsert_lines(
            company_id,
            PROJECT,
            [_line(t, n) for t in range(300) for n in range(3)],
            read_key="full",
            now=NOW,
        )
        repo.upsert_lines(
            company_id,
            OTHER,
            [_line(t, n) for t in range(20) for n in range(3)],
            read_key="full",
            now=NOW,
        )
    return company_id


@contextmanager
def _statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def grab(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, many: bool
    ) -> None:
        if "job_cost_lines" in statement:
            seen.append((statement, parameters[0] if many else parameters))

    event.listen(engine, "before_cursor_execute", grab)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", grab)


def _plans(session: Session, statements: list[tuple[str, Any]]) -> list[str]:
    connection = session.connection()
    return [
        str(row[-1])
        for statement, parameters in statements
        for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
    ]


def _assert_keyed(
    engine: Engine, session: Session, call: Callable[[JobCosts], int], allowed: tuple[str, ...]
) -> None:
    """Every step of the plans of ``call``'s statements on ``job_cost_lines`` is a search by
    one of ``allowed`` (no scan, no search of the project alone)."""
    with _statements(engine) as statements:
        call(JobCosts(session))
    assert statements
    plans = [p for p in _plans(session, statements) if "job_cost_lines" in p]
    assert plans
    for plan in plans:
        assert plan.startswith("SEARCH job_cost_lines USING"), plan
        assert any(key in plan for key in allowed), plan


@pytest.fixture(params=["as_migrated", "reversed"])
def index_order(request: pytest.FixtureRequest, engine: Engine) -> str:
    """The indexes of ``job_cost_lines`` as the migrations left them, or re-created in the
    reverse order. Without statistics SQLite settles equal estimates by the order of the
    indexes, and a table copy in the migrations re-creates them in no set order: a plan
    must not depend on it, so each plan test sees both outcomes of every such tie."""
    if request.param == "reversed":
        with engine.begin() as connection:
            made = connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
                " AND tbl_name = 'job_cost_lines' AND sql IS NOT NULL"
            ).all()
            for name, _sql in made:
                connection.exec_driver_sql(f'DROP INDEX "{name}"')
            for _name, sql in reversed(made):
                connection.exec_driver_sql(sql)
    return str(request.param)


def sqlite_plans(test: Callable[..., None]) -> Callable[..., None]:
    """The plan tests run on SQLite alone, with the indexes in either order: EXPLAIN QUERY
    PLAN is SQLite's, and PostgreSQL's plans follow its table statistics (the behaviour
    tests below run on both)."""
    test = pytest.mark.usefixtures("index_order")(test)
    return pytest.mark.parametrize("engine", ["sqlite"], indirect=True)(test)


@sqlite_plans
def test_removing_transactions_searches_them_by_the_unique_index(
    engine: Engine, session_factory: sessionmaker[Session], stored: int
) -> None:
    with session_factory.begin() as session:
        _assert_keyed(
            engine,
            session,
            lambda repo: repo.remove_txns(
                stored, [PROJECT, OTHER], [_txn(5), _txn(17), _txn(250)], NOW
            ),
            (_UNIQUE, _BY_ID),
        )


def _read_changes(session: Session, company_id: int) -> None:
    """A changes-only read ``changes`` that saw two lines of two transactions of PROJECT."""
    JobCosts(session).upsert_lines(
        company_id, PROJECT, [_line(9, 0, 2000), _line(40, 1)], read_key="changes", now=NOW
    )


@sqlite_plans
def test_removing_the_unseen_lines_of_a_read_searches_by_read_and_transaction(
    engine: Engine, session_factory: sessionmaker[Session], stored: int
) -> None:
    with session_factory.begin() as session:
        _read_changes(session, stored)
        _assert_keyed(
            engine,
            session,
            lambda repo: repo.remove_unseen_of_read_txns(stored, [PROJECT, OTHER], "changes", NOW),
            (_READ_KEY, _UNIQUE, _BY_ID),
        )


@sqlite_plans
def test_counting_the_lines_of_a_read_searches_by_read(
    engine: Engine, session_factory: sessionmaker[Session], stored: int
) -> None:
    with session_factory.begin() as session:
        _read_changes(session, stored)
        _assert_keyed(
            engine,
            session,
            lambda repo: repo.count_marked(stored, [PROJECT, OTHER], "changes"),
            (_READ_KEY,),
        )
        assert JobCosts(session).count_marked(stored, [PROJECT, OTHER], "changes") == 2
        assert JobCosts(session).count_marked(stored, [OTHER], "changes") == 0


@sqlite_plans
def test_the_pending_lines_of_transactions_are_searched_by_the_unique_index(
    engine: Engine, session_factory: sessionmaker[Session], stored: int
) -> None:
    with session_factory.begin() as session:
        _assert_keyed(
            engine,
            session,
            lambda repo: len(repo.pending_of_txns(stored, PROJECT, [_txn(5), _txn(17)])),
            (_UNIQUE,),
        )


@sqlite_plans
def test_the_dirty_lines_are_searched_by_the_partial_index_of_dirty_lines(
    engine: Engine, session_factory: sessionmaker[Session], stored: int
) -> None:
    with session_factory.begin() as session:
        _assert_keyed(
            engine,
            session,
            lambda repo: (
                len(repo.page(stored, PROJECT, after_id=5, limit=100, dirty=True))
                + repo.has_dirty(stored, PROJECT)
            ),
            (_DIRTY,),
        )


@sqlite_plans
def test_marking_a_page_sent_searches_the_partial_index_of_dirty_lines(
    engine: Engine, session_factory: sessionmaker[Session], stored: int
) -> None:
    with session_factory.begin() as session:
        _assert_keyed(
            engine,
            session,
            lambda repo: repo.mark_sent_between(stored, PROJECT, 10, 400),
            (_DIRTY,),
        )


@sqlite_plans
def test_the_report_lists_each_status_by_its_partial_index_without_a_sort(
    engine: Engine, session_factory: sessionmaker[Session], stored: int
) -> None:
    with session_factory.begin() as session:
        repo = JobCosts(session)
        rows = repo.page(stored, PROJECT, after_id=0, limit=900, dirty=True)
        repo.settle_written([(r.id, r.version, 10 + n, 20, 7) for n, r in enumerate(rows[:600])])
        repo.place_many([(r.id, r.version, "not_mapped", None, "no_item", "") for r in rows[600:]])
    for status, index in (("mapped", _MAPPED), ("not_mapped", _NOT_MAPPED)):
        with session_factory.begin() as session:
            with _statements(engine) as statements:
                repo = JobCosts(session)
                listed = repo.listing(stored, PROJECT, statuses=(status,), limit=25, offset=50)
                counted = repo.count(stored, PROJECT, statuses=(status,))
            plans = _plans(session, statements)
        assert len(listed) == 25
        assert counted == (600 if status == "mapped" else 300)
        assert all(r.status == status for r in listed)
        keys = [(r.txn_date, r.txn_id, r.line_id) for r in listed]
        assert keys == sorted(keys, reverse=True)
        assert not any("TEMP B-TREE" in plan for plan in plans), plans
        on_lines = [plan for plan in plans if "job_cost_lines" in plan]
        assert len(on_lines) == 2
        assert all(index in plan for plan in on_lines), on_lines


@sqlite_plans
def test_the_lines_of_a_cost_code_are_searched_by_the_partial_index_of_placed_lines(
    engine: Engine, session_factory: sessionmaker[Session], stored: int
) -> None:
    with session_factory.begin() as session:
        _assert_keyed(
            engine,
            session,
            lambda repo: (
                repo.count(stored, PROJECT, statuses=("mapped",), cost_code_id=7)
                + len(
                    repo.lines_after(
                        stored, PROJECT, statuses=("mapped",), after_id=0, limit=50, cost_code_id=7
                    )
                )
            ),
            (_COST_CODE,),
        )


def test_lines_leave_the_dirty_ones_when_settled_and_are_found_by_cost_code_once_placed(
    session_factory: sessionmaker[Session], stored: int
) -> None:
    with session_factory.begin() as session:
        repo = JobCosts(session)
        rows = repo.page(stored, PROJECT, after_id=0, limit=1000, dirty=True)
        assert len(rows) == 900
        repo.settle_written([(r.id, r.version, 10 + n, 20, 7) for n, r in enumerate(rows[:4])])
        repo.place_many([(r.id, r.version, "mapped", 8, None, None) for r in rows[4:6]])
        assert repo.counts(stored, PROJECT)["dirty"] == 896
        assert [r.id for r in repo.page(stored, PROJECT, after_id=0, limit=3, dirty=True)] == [
            r.id for r in rows[4:7]
        ]
        assert repo.count(stored, PROJECT, statuses=("mapped",), cost_code_id=7) == 4
        assert repo.count(stored, PROJECT, statuses=("mapped",), cost_code_id=8) == 2
        assert repo.has_dirty(stored, PROJECT)
        repo.settle_written([(r.id, r.version, 10, 20, 7) for r in rows[4:]])
        assert not repo.has_dirty(stored, PROJECT)
        assert repo.page(stored, PROJECT, after_id=0, limit=10, dirty=True) == []
        assert repo.count(stored, PROJECT, statuses=("mapped",), cost_code_id=7) == 900


def test_lines_a_write_left_unsettled_are_marked_sent_and_so_are_a_dead_writes(
    session_factory: sessionmaker[Session], stored: int
) -> None:
    with session_factory.begin() as session:
        repo = JobCosts(session)
        repo.set_project(
            stored, PROJECT, qb_job_id="80000001-1700000000", enabled=True, by="t", now=NOW
        )
        rows = repo.page(stored, PROJECT, after_id=0, limit=12, dirty=True)
        # A page of eight lines went out: Procore settled six, the other two stay dirty.
        repo.settle_written([(r.id, r.version, 10 + n, 20, 7) for n, r in enumerate(rows[:6])])
        assert repo.mark_sent_between(stored, PROJECT, rows[0].id, rows[7].id) == 2
        assert repo.mark_sent_between(stored, PROJECT, rows[0].id, rows[7].id) == 0
        # The next page's write died in flight: the next write marks its lines first.
        repo.mark_in_flight(stored, PROJECT, rows[8].id, rows[9].id)
        assert repo.recover_in_flight(stored, PROJECT) == 2
        assert repo.recover_in_flight(stored, PROJECT) == 0
        project = repo.project(stored, PROJECT)
        assert project is not None
        assert (project.in_flight_from_id, project.in_flight_to_id) == (None, None)
        after = {r.id: r.sent for r in repo.page(stored, PROJECT, after_id=0, limit=12)}
    assert [after[r.id] for r in rows] == [False] * 6 + [True] * 4 + [False] * 2


def test_the_pending_lines_of_transactions_leave_out_placed_and_gone_lines(
    session_factory: sessionmaker[Session], stored: int
) -> None:
    with session_factory.begin() as session:
        repo = JobCosts(session)
        repo.remove_txns(stored, [PROJECT], [_txn(6)], NOW)
        row = repo.page(stored, PROJECT, after_id=0, limit=1)[0]
        repo.place_many([(row.id, row.version, "mapped", 7, None, None)])
        found = repo.pending_of_txns(stored, PROJECT, [row.txn_id, _txn(5), _txn(6), "nope"])
    assert sorted(found) == sorted(
        [(row.txn_id, row.item_id, row.account_id)] * 2 + [(_txn(5), "I5", None)] * 3
    )


def _gone(session: Session, project_id: int) -> set[tuple[str, str]]:
    return {
        (str(t), str(n))
        for t, n in session.execute(
            sa.text(
                "SELECT txn_id, line_id FROM job_cost_lines"
                " WHERE procore_project_id = :p AND removed"
            ),
            {"p": project_id},
        )
    }


def test_removed_transactions_lose_every_line_once(
    session_factory: sessionmaker[Session], stored: int
) -> None:
    with session_factory.begin() as session:
        repo = JobCosts(session)
        assert repo.remove_txns(stored, [PROJECT, OTHER], [_txn(5), _txn(250), "nope"], NOW) == 9
        # Gone already: not counted, not changed again.
        assert repo.remove_txns(stored, [PROJECT], [_txn(5)], NOW) == 0
        assert repo.remove_txns(stored, [PROJECT], [], NOW) == 0
    with session_factory() as session:
        assert _gone(session, PROJECT) == {(_txn(t), str(n)) for t in (5, 250) for n in range(3)}
        assert _gone(session, OTHER) == {(_txn(5), str(n)) for n in range(3)}
        versions = session.execute(
            sa.text("SELECT DISTINCT version, dirty FROM job_cost_lines WHERE removed")
        ).all()
        assert [(int(v), bool(d)) for v, d in versions] == [(2, True)]


def test_a_changes_only_read_removes_the_unseen_lines_of_its_transactions(
    session_factory: sessionmaker[Session], stored: int
) -> None:
    """A transaction read is read whole for every project of the read: its lines the read did
    not see are gone from each of them (deleted, or recoded to another project's job)."""
    with session_factory.begin() as session:
        repo = JobCosts(session)
        repo.upsert_lines(stored, PROJECT, [_line(9, 0, 2000), _line(40, 1)], read_key="r", now=NOW)
        repo.upsert_lines(stored, OTHER, [_line(3, 2)], read_key="r", now=NOW)
        assert repo.remove_unseen_of_read_txns(stored, [PROJECT, OTHER], "r", NOW) == 12
        assert repo.remove_unseen_of_read_txns(stored, [PROJECT, OTHER], "r", NOW) == 0
        assert repo.count_marked(stored, [PROJECT, OTHER], "r") == 3
    with session_factory() as session:
        assert _gone(session, PROJECT) == {
            *((_txn(3), str(n)) for n in range(3)),
            (_txn(9), "1"),
            (_txn(9), "2"),
            (_txn(40), "0"),
            (_txn(40), "2"),
        }
        assert _gone(session, OTHER) == {
            *((_txn(9), str(n)) for n in range(3)),
            (_txn(3), "0"),
            (_txn(3), "1"),
        }

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from procore_qb.domain.export_workflow import CustomerChoice, ExportItem, ExportState
from procore_qb.domain.import_workflow import ImportItem
from procore_qb.domain.project import Address, CostCode, ProcoreProject
from procore_qb.domain.quickbooks_job import QuickBooksJob
from procore_qb.store import migrate
from procore_qb.store.engine import create_engine, create_session_factory
from procore_qb.store.errors import Conflict
from procore_qb.store.models import AuditEntry
from procore_qb.store.repositories.audit import AuditLog
from procore_qb.store.repositories.companies import Companies
from procore_qb.store.repositories.links import RecordLinks
from procore_qb.store.repositories.users import Users
from procore_qb.store.repositories.workflow import ExportItems, ImportItems

from .conftest import NOW


def test_a_record_is_linked_once_on_each_side(session: Session, company_id: int) -> None:
    links = RecordLinks(session)
    links.link(
        company_id,
        "project_job",
        procore_id=2001,
        qb_id="80000012-1",
        qb_full_name="Riverside Health:Riverside Clinic TI",
        qb_version="1",
        now=NOW,
    )
    # Re-linking the same pair updates the version.
    again = links.link(
        company_id,
        "project_job",
        procore_id=2001,
        qb_id="80000012-1",
        qb_full_name="Riverside Health:Riverside Clinic TI",
        qb_version="2",
        now=NOW,
    )
    assert again.qb_version == "2"
    with pytest.raises(Conflict, match="already linked to QuickBooks Riverside Health"):
        links.link(
            company_id,
            "project_job",
            procore_id=2001,
            qb_id="80000099-9",
            qb_full_name="Other",
            qb_version="1",
            now=NOW,
        )
    with pytest.raises(Conflict, match="already linked to Procore project_job record 2001"):
        links.link(
            company_id,
            "project_job",
            procore_id=2002,
            qb_id="80000012-1",
            qb_full_name="Riverside Health:Riverside Clinic TI",
            qb_version="1",
            now=NOW,
        )


def test_the_audit_log_refuses_update_and_delete(
    session_factory: sessionmaker[Session], company_id: int
) -> None:
    with session_factory.begin() as session:
        AuditLog(session).append(
            at=NOW, actor="ada@summit.example", action="send", company_id=company_id
        )
    for statement in (sa.update(AuditEntry).values(actor="mallory"), sa.delete(AuditEntry)):
        with pytest.raises(DBAPIError, match="append-only"), session_factory.begin() as session:
            session.execute(statement)
    with session_factory() as session:
        entries = AuditLog(session).page(company_id)
        assert [(e.actor, e.action) for e in entries] == [("ada@summit.example", "send")]


def _sent_item(company_id: int) -> ExportItem:
    project = ProcoreProject(
        id=2001,
        company_id=4263,
        name="Riverside Clinic TI",
        address=Address(line1="12 River Rd", city="Springfield", state_code="IL"),
        erp_sync=True,
        standard_cost_code_list_id=1,
        cost_codes=(CostCode(id=1, full_code="01-100", name="General Conditions"),),
    )
    return ExportItem.new(project_id=2001, company_id=company_id).send(project, by=103, at=NOW)


def test_export_items_round_trip_with_their_history(session: Session, company_id: int) -> None:
    items = ExportItems(session)
    sent = _sent_item(company_id)
    stored = items.save(
        sent,
        action="send",
        from_state=ExportState.UNSYNCED,
        now=NOW,
        actor=103,
        expected_version=None,
    )
    assert items.for_project(company_id, 2001) == stored
    assert stored.item == sent

    accepted = sent.accept(by=101, at=NOW, customer=CustomerChoice.existing("80000002-1"))
    stored = items.save(
        accepted,
        action="accept",
        from_state=sent.state,
        now=NOW,
        actor=101,
        expected_version=stored.version,
    )
    done = accepted.succeeded(
        job_id="80000012-1",
        full_name="Riverside Health:Riverside Clinic TI",
        version="1764321000",
        at=NOW,
    )
    final = items.save(
        done,
        action="export_succeeded",
        from_state=accepted.state,
        now=NOW,
        expected_version=stored.version,
    )
    assert final.item == done
    assert final.version == 3
    assert [s.item for s in items.in_states(company_id, [ExportState.SYNCED])] == [done]
    assert [(e.action, e.from_state, e.to_state, e.actor) for e in items.history(final.id)] == [
        ("send", "unsynced", "ready_to_export", 103),
        ("accept", "ready_to_export", "exporting", 101),
        ("export_succeeded", "exporting", "synced", None),
    ]


def test_import_items_round_trip(session: Session, company_id: int) -> None:
    items = ImportItems(session)
    job = QuickBooksJob(
        name="Willow Creek Condos",
        full_name="Greenleaf Properties:Willow Creek Condos",
        id="80000020-1",
        version="1",
        parent_full_name="Greenleaf Properties",
    )
    staged = ImportItem.staged(company_id=company_id, job=job, at=NOW)
    first = items.save(staged, action="stage", from_state=None, now=NOW, expected_version=None)
    linked = staged.link(project_id=2002, by=101, at=NOW)
    stored = items.save(
        linked,
        action="link",
        from_state=staged.state,
        now=NOW,
        actor=101,
        expected_version=first.version,
    )
    assert stored.item == linked
    assert items.for_job(company_id, "80000020-1") == stored
    assert [e.from_state for e in items.history(stored.id)] == ["", "ready_to_import"]


def test_two_deciders_on_one_export_item_cannot_both_win(
    session_factory: sessionmaker[Session], company_id: int
) -> None:
    sent = _sent_item(company_id)
    with session_factory.begin() as session:
        ExportItems(session).save(
            sent, action="send", from_state=ExportState.UNSYNCED, now=NOW, expected_version=None
        )
    # Both approvers saw version 1 on their page; the second decision arrives after the first.
    with session_factory() as session:
        seen = ExportItems(session).for_project(company_id, 2001)
    assert seen is not None
    with session_factory.begin() as session:
        ExportItems(session).save(
            sent.accept(by=101, at=NOW, customer=CustomerChoice.new("Riverside Health")),
            action="accept",
            from_state=sent.state,
            now=NOW,
            expected_version=seen.version,
        )
    with (
        pytest.raises(Conflict, match=r"changed by someone else .* reload it"),
        session_factory.begin() as session,
    ):
        ExportItems(session).save(
            sent.reject(by=102, at=NOW, comment="wrong customer"),
            action="reject",
            from_state=sent.state,
            now=NOW,
            expected_version=seen.version,
        )
    with session_factory() as session:
        stored = ExportItems(session).for_project(company_id, 2001)
        assert stored is not None
        assert stored.item.state is ExportState.EXPORTING


def test_permissions_cache_is_replaced_whole(session: Session, company_id: int) -> None:
    users = Users(session)
    ada = users.upsert(
        company_id, procore_user_id=101, email="Ada@Summit.example", can_push_to_accounting=True
    )
    users.replace_permissions(
        ada, {("erp_integrations", 0): "admin", ("project_admin", 2001): "admin"}, now=NOW
    )
    users.replace_permissions(ada, {("erp_integrations", 0): "standard"}, now=NOW)
    assert users.permissions(ada.id) == {("erp_integrations", 0): "standard"}
    assert users.company_level(ada.id, "directory") == "none"
    assert users.by_email(company_id, "ada@summit.example") is ada


def test_company_settings_round_trip(session: Session, company_id: int) -> None:
    companies = Companies(session)
    assert companies.setting(company_id, "default_project_template", 1) == 1
    companies.set_setting(company_id, "default_project_template", {"id": 2}, now=NOW)
    companies.set_setting(company_id, "default_project_template", {"id": 3}, now=NOW)
    assert companies.setting(company_id, "default_project_template") == {"id": 3}
    with pytest.raises(Conflict):
        companies.add(procore_company_id=4263, name="Again", qb_edition="online", now=NOW)


@pytest.mark.postgres
def test_concurrent_transactions_cannot_both_decide(postgres_url: str) -> None:
    """On PostgreSQL two transactions can read the same version at once; the later write
    finds the row changed and is refused. (SQLite serializes writers at BEGIN instead.)"""
    engine = create_engine(postgres_url)
    migrate.upgrade(engine)
    session_factory = create_session_factory(engine)
    with session_factory.begin() as session:
        company_id = (
            Companies(session)
            .add(
                procore_company_id=4263, name="Summit Ridge Builders", qb_edition="online", now=NOW
            )
            .id
        )
    sent = _sent_item(company_id)
    with session_factory.begin() as session:
        ExportItems(session).save(
            sent, action="send", from_state=ExportState.UNSYNCED, now=NOW, expected_version=None
        )
    first = session_factory()
    second = session_factory()
    try:
        seen_first = ExportItems(first).for_project(company_id, 2001)
        seen_second = ExportItems(second).for_project(company_id, 2001)
        assert seen_first is not None
        assert seen_second is not None
        ExportItems(first).save(
            sent.accept(by=101, at=NOW, customer=CustomerChoice.new("Riverside Health")),
            action="accept",
            from_state=sent.state,
            now=NOW,
            expected_version=seen_first.version,
        )
        first.commit()
        with pytest.raises(Conflict, match="changed by someone else"):
            ExportItems(second).save(
                sent.reject(by=102, at=NOW),
                action="reject",
                from_state=sent.state,
                now=NOW,
                expected_version=seen_second.version,
            )
    finally:
        first.close()
        second.close()
        engine.dispose()

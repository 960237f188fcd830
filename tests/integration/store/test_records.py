from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from procore_qb.store.errors import Conflict
from procore_qb.store.models import AuditEntry, ExportItem
from procore_qb.store.repositories.audit import AuditLog
from procore_qb.store.repositories.companies import Companies
from procore_qb.store.repositories.links import RecordLinks
from procore_qb.store.repositories.users import Users
from procore_qb.store.repositories.workflow import ExportItems

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


def test_two_deciders_on_one_export_item_cannot_both_win(
    session_factory: sessionmaker[Session], company_id: int
) -> None:
    with session_factory.begin() as session:
        item = ExportItems(session).add(
            ExportItem(
                company_id=company_id,
                procore_project_id=2001,
                state="ready_to_export",
                snapshot={"name": "Riverside Clinic TI"},
                created_at=NOW,
                updated_at=NOW,
            )
        )
        item_id = item.id
    # Each approver loaded the page (version 1) in its own transaction; the second decision
    # arrives after the first was committed.
    first = session_factory()
    second = session_factory()
    try:
        a = ExportItems(first).get(item_id)
        first.commit()
        b = ExportItems(second).get(item_id)
        b.state = "exporting"
        second.commit()
        a.state = "rejected"
        with pytest.raises(StaleDataError):
            first.commit()
    finally:
        first.close()
        second.close()
    with session_factory() as session:
        assert ExportItems(session).get(item_id).state == "exporting"


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

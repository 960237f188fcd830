"""Hand-written QuickBooks answers for unit tests of the Desktop driver (the real rules are
exercised against the simulator in tests/integration/desktop)."""

from __future__ import annotations

from lxml import etree


def requests_of(message: str) -> list[etree._Element]:
    root = etree.fromstring(message.split("?>", 2)[-1].strip().encode())
    msgs = root.find("QBXMLMsgsRq")
    assert msgs is not None
    return list(msgs)


def customer_ret(
    list_id: str,
    name: str,
    *,
    parent: tuple[str, str] | None = None,
    edit_sequence: str = "1700000000",
    guid: str | None = None,
    number: str = "",
) -> str:
    full = name if parent is None else f"{parent[1]}:{name}"
    parent_xml = (
        ""
        if parent is None
        else f"<ParentRef><ListID>{parent[0]}</ListID><FullName>{parent[1]}</FullName></ParentRef>"
    )
    number_xml = f"<AccountNumber>{number}</AccountNumber>" if number else ""
    guid_xml = f"<ExternalGUID>{guid}</ExternalGUID>" if guid else ""
    return (
        f"<CustomerRet><ListID>{list_id}</ListID><TimeCreated>2026-11-28T09:00:00+00:00</TimeCreated>"
        f"<TimeModified>2026-11-28T09:00:00+00:00</TimeModified><EditSequence>{edit_sequence}</EditSequence>"
        f"<Name>{name}</Name><FullName>{full}</FullName><IsActive>true</IsActive>{parent_xml}"
        f"<Sublevel>{0 if parent is None else 1}</Sublevel>{number_xml}"
        f"<JobStatus>None</JobStatus>{guid_xml}</CustomerRet>"
    )


def rs(
    rq: etree._Element,
    body: str = "",
    *,
    code: int = 0,
    message: str = "Status OK",
    remaining: int | None = None,
    iterator_id: str | None = None,
) -> str:
    tag = str(rq.tag)[:-2] + "Rs"
    severity = "Info" if code in (0, 1) else ("Warn" if code == 500 else "Error")
    extra = ""
    if remaining is not None:
        extra += f' iteratorRemainingCount="{remaining}"'
    if iterator_id is not None:
        extra += f' iteratorID="{iterator_id}"'
    return (
        f'<{tag} requestID="{rq.get("requestID")}" statusCode="{code}" '
        f'statusSeverity="{severity}" statusMessage="{message}"{extra}>{body}</{tag}>'
    )


def message(*responses: str) -> str:
    return (
        '<?xml version="1.0" ?><QBXML><QBXMLMsgsRs>' + "".join(responses) + "</QBXMLMsgsRs></QBXML>"
    )

"""Query pages written from the stored form are what the tree path writes, byte for byte."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lxml import etree

from procore_qb.sandbox.qbd import QbdSimulator
from procore_qb.sandbox.qbd.nodes import Node, Written, to_text
from procore_qb.sandbox.qbd.txn_pages import PageWriter
from procore_qb.sandbox.qbd.txns import TXN_KINDS, render_txn

Run = Callable[..., etree._Element]


def _both_paths_agree(sim: QbdSimulator) -> int:
    company = sim.company
    compared = 0
    for kind in TXN_KINDS:
        ids = [obj.txn_id for obj in company.txns(kind)]
        for include_lines in (False, True):
            whole = PageWriter(company, kind, include_lines=include_lines, whole=True).rets(ids)
            parts = PageWriter(company, kind, include_lines=include_lines, whole=False).rets(ids)
            assert len(whole) == len(parts) == len(ids)
            for txn_id, one, split in zip(ids, whole, parts, strict=True):
                obj = company.get_txn(txn_id)
                assert obj is not None
                tree = render_txn(company, obj, include_lines=include_lines)
                expected = to_text(tree)
                assert isinstance(one, Written)
                assert one.tag == tree.tag
                assert to_text(one) == expected
                assert [child.tag for child in split.children] == [c.tag for c in tree.children]
                assert all(isinstance(child, Written) for child in split.children)
                assert to_text(split) == expected
                compared += 1
    return compared


def test_seeded_transactions_are_written_alike(sim: QbdSimulator) -> None:
    assert _both_paths_agree(sim) == 2 * 7


def test_renamed_references_and_odd_stored_bodies_are_written_alike(
    sim: QbdSimulator, qb: Run
) -> None:
    vendor = qb("<VendorQueryRq><MaxReturned>1</MaxReturned></VendorQueryRq>")[0][0]
    out = qb(
        f"<VendorModRq><VendorMod><ListID>{vendor.findtext('ListID')}</ListID><EditSequence>"
        f'{vendor.findtext("EditSequence")}</EditSequence><Name>A &amp; &lt;B&gt; "C"</Name>'
        "</VendorMod></VendorModRq>"
    )[0]
    assert out.get("statusCode") == "0"
    assert _both_paths_agree(sim) == 2 * 7  # plain bodies, a name that needs escaping
    company = sim.company
    bill = company.txns("Bill")[0]
    gone = Node(
        "VendorRef",
        children=[
            Node("ListID", "80FFFFFF-1"),
            Node("FullName", "Gone"),
            Node.ref("ClassRef", bill.entity_ids[0], "stale"),
        ],
    )
    bill.body.children.extend(
        [
            Node("Memo", ""),
            Node("TxnID", "shown after the real one"),
            Node("NotInBillRet", "dropped"),
            Node("ExternalGUID"),
            Node("LinkedTxn", children=[Node("TxnID", "x&y"), Node.ref("ItemRef", "", "")]),
            gone,
        ]
    )
    bill.body.children[-7].children.append(Node("Desc", "a\rb<c>"))
    company.update_txn(bill)
    assert _both_paths_agree(sim) == 2 * 7


def test_missing_transactions_are_left_out_in_the_order_asked(sim: QbdSimulator) -> None:
    ids = [obj.txn_id for obj in sim.company.txns("Bill")]
    asked = [ids[2], "80FFFFFF-1", ids[0], ids[2]]
    rets = PageWriter(sim.company, "Bill", include_lines=False, whole=True).rets(asked)
    assert [etree.fromstring(ret.text or "").findtext("TxnID") for ret in rets] == [
        ids[2],
        ids[0],
        ids[2],
    ]


def test_a_body_that_is_not_a_stored_node_is_refused(sim: QbdSimulator) -> None:
    writer = PageWriter(sim.company, "Bill", include_lines=True, whole=True)
    with pytest.raises(ValueError, match="not a stored qbXML node"):
        writer.ret(("80000001-1", 1, "1", "t", "t", '["Body", [["Memo"]]]'))
    with pytest.raises(ValueError, match="not a stored qbXML node"):
        writer.ret(("80000001-1", 1, "1", "t", "t", '"Body"'))


def test_a_text_xml_cannot_hold_is_refused_by_both_paths(sim: QbdSimulator) -> None:
    company = sim.company
    bill = company.txns("Bill")[0]
    bill.body.children.append(Node("Memo", "bell \x07"))
    company.update_txn(bill)
    with pytest.raises(ValueError, match="XML compatible"):
        to_text(render_txn(company, bill, include_lines=False))
    writer = PageWriter(company, "Bill", include_lines=False, whole=True)
    with pytest.raises(ValueError, match="XML compatible"):
        writer.rets([bill.txn_id])

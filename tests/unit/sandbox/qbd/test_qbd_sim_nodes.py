"""Stored nodes read back and written out as the lxml path does, without building lxml trees."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from procore_qb.sandbox.qbd.nodes import Node, to_element, to_text

TAGS = st.sampled_from(["QBXML", "BillRet", "ItemLineRet", "Amount", "Desc", "ListID", "A-b.c_1"])
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


def _nodes() -> st.SearchStrategy[Node]:
    leaves = st.builds(
        Node,
        TAGS,
        st.one_of(st.none(), TEXT),
        st.just([]),
        st.dictionaries(st.sampled_from(["requestID", "statusMessage", "x"]), TEXT, max_size=2),
    )
    return st.recursive(
        leaves,
        lambda inner: st.builds(
            Node,
            TAGS,
            st.none(),
            st.lists(inner, min_size=1, max_size=4),
            st.dictionaries(st.sampled_from(["iteratorID", "y"]), TEXT, max_size=2),
        ),
        max_leaves=12,
    )


def _lxml_text(node: Node) -> str:
    root = to_element(node)
    for element in root.iter():
        element.tail = "\n"
        if len(element):
            element.text = "\n"
    return etree.tostring(root, encoding="unicode")


@settings(max_examples=300, deadline=None)
@given(_nodes())
def test_to_text_writes_what_lxml_writes_or_refuses_what_it_refuses(node: Node) -> None:
    try:
        expected = _lxml_text(node)
    except ValueError:
        with pytest.raises(ValueError, match="XML compatible"):
            to_text(node)
        return
    assert to_text(node) == expected


@settings(max_examples=200, deadline=None)
@given(_nodes())
def test_the_stored_form_reads_back_to_the_same_tree(node: Node) -> None:
    stored = json.loads(json.dumps(node.to_json()))
    back = Node.from_json(stored)
    assert back.to_json() == node.to_json()
    assert back.attrs == {}


def test_a_stored_form_that_is_not_a_node_is_refused() -> None:
    for bad in ({"tag": "A"}, ["A"], [1, "x"], ["A", [["B"]]]):
        with pytest.raises(ValueError, match="not a stored qbXML node"):
            Node.from_json(bad)

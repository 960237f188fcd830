"""Hypothesis strategies for qbXML response messages: cost transactions, customers and items
with escapes, character references, CDATA, missing optional fields, unicode and big amounts,
mostly in the element order QuickBooks writes and sometimes not (unknown elements, another
order, comments), so that both the fast reading and its fallback are exercised."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

JOBS = ("80000022-1796316216", "80000023-1796316216", "J&<1>")
COST_QUERIES = {
    "Bill": "BillQuery",
    "Check": "CheckQuery",
    "CreditCardCharge": "CreditCardChargeQuery",
    "VendorCredit": "VendorCreditQuery",
    "JournalEntry": "JournalEntryQuery",
}


@dataclass
class El:
    """An element: ``text`` for a leaf, ``children`` otherwise."""

    tag: str
    text: str | None = None
    children: list[El] = field(default_factory=list)


# Characters XML allows (no surrogates, no C0 controls but tab, LF, CR, no U+FFFE/U+FFFF).
xml_char = st.characters(
    blacklist_categories=("Cs",),
    blacklist_characters=[chr(c) for c in range(0x20) if c not in (9, 10, 13)]
    + ["\ufffe", "\uffff"],
)
xml_text = st.one_of(
    st.text(xml_char, max_size=20),
    st.sampled_from(["Smith & Sons", "<b>bold</b>", 'say "hi"', "it's", "a]]>b", "Café ☕", ""]),
)
ids = st.one_of(
    st.sampled_from(JOBS),
    st.from_regex(r"[0-9A-F]{8}-[0-9]{10}", fullmatch=True),
)
amounts = st.one_of(
    st.decimals(
        min_value=-(10**14), max_value=10**14, places=2, allow_nan=False, allow_infinity=False
    ).map(str),
    st.decimals(
        min_value=-(10**4), max_value=10**4, places=10, allow_nan=False, allow_infinity=False
    ).map(str),
    st.sampled_from(
        [
            "999999999999999.99",
            "-999999999999999.9999999999",
            "0.00",
            "-0.00",
            " 12.50 ",
            "+5",
            ".5",
            "5.",
            "1E+3",
            "1_000.5",
            "12",
            "",
            # refused: not amounts QuickBooks holds
            "NaN",
            "1E+20",
            "1.12345678901",
            "9999999999999999",
            "ten",
        ]
    ),
)
dates = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from([" 2026-03-10 ", "2026-13-01", "soon", ""]),
)
spaces = st.sampled_from(["", "\n", "\r\n", "  ", "\n\t"])


@st.composite
def rendered_text(draw: st.DrawFn, value: str) -> str:
    """``value`` as character data: escaped, with character references, or in CDATA."""
    style = draw(st.sampled_from(["plain", "plain", "refs", "cdata"]))
    if style == "cdata":
        return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"
    out = []
    for ch in value:
        if style == "refs" and draw(st.booleans()):
            out.append(f"&#{ord(ch)};" if draw(st.booleans()) else f"&#x{ord(ch):X};")
        elif ch == "&":
            out.append("&amp;")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append(draw(st.sampled_from(["&gt;", "&gt;"])))
        elif ch == '"' and draw(st.booleans()):
            out.append("&quot;")
        elif ch == "'" and draw(st.booleans()):
            out.append("&apos;")
        elif ch == "\r":
            out.append("&#13;")
        else:
            out.append(ch)
    return "".join(out)


@st.composite
def render(draw: st.DrawFn, el: El, plain: bool = False) -> str:
    gap = "\n" if plain else draw(spaces)
    if el.text is not None:
        text = el.text if plain else draw(rendered_text(el.text))
        return f"<{el.tag}>{text}</{el.tag}>{gap}"
    inner = "".join(draw(render(child, plain)) for child in el.children)
    if not plain and draw(st.integers(0, 30)) == 0:
        inner = "<!-- a comment -->" + inner
    return f"<{el.tag}>{gap}{inner}</{el.tag}>{gap}"


def ref(tag: str, list_id: str | None, full_name: str | None) -> El:
    children = []
    if list_id is not None:
        children.append(El("ListID", list_id))
    if full_name is not None:
        children.append(El("FullName", full_name))
    return El(tag, children=children)


@st.composite
def maybe(draw: st.DrawFn, el: El) -> list[El]:
    return [el] if draw(st.booleans()) else []


@st.composite
def a_ref(draw: st.DrawFn, tag: str) -> list[El]:
    if not draw(st.booleans()):
        return []
    return [ref(tag, draw(st.one_of(st.none(), ids)), draw(st.one_of(st.none(), xml_text)))]


@st.composite
def expense_line(draw: st.DrawFn) -> El:
    kids = [El("TxnLineID", draw(st.one_of(ids, st.just(""))))]
    kids += draw(a_ref("AccountRef"))
    kids += draw(maybe(El("Amount", draw(amounts))))
    kids += draw(maybe(El("Memo", draw(xml_text))))
    kids += draw(a_ref("CustomerRef"))
    kids += draw(a_ref("ClassRef"))
    kids += draw(maybe(El("BillableStatus", "NotBillable")))
    return El("ExpenseLineRet", children=kids)


@st.composite
def item_line(draw: st.DrawFn) -> El:
    kids = [El("TxnLineID", draw(ids))]
    kids += draw(a_ref("ItemRef"))
    kids += draw(maybe(El("Desc", draw(xml_text))))
    kids += draw(maybe(El("Quantity", "2")))
    kids += draw(maybe(El("Cost", "12.5")))
    kids += draw(maybe(El("Amount", draw(amounts))))
    kids += draw(a_ref("CustomerRef"))
    kids += draw(a_ref("SalesTaxCodeRef"))
    if draw(st.integers(0, 10)) == 0:
        kids.append(
            El(
                "DataExtRet",
                children=[
                    El("DataExtName", "Phase"),
                    El("DataExtType", "STR255TYPE"),
                    El("DataExtValue", draw(xml_text)),
                ],
            )
        )
    return El("ItemLineRet", children=kids)


@st.composite
def group_line(draw: st.DrawFn) -> El:
    kids = [El("TxnLineID", draw(ids)), ref("ItemGroupRef", "G-1", "Kit")]
    kids += draw(maybe(El("Desc", draw(xml_text))))
    kids.append(El("TotalAmount", "10.00"))
    kids += draw(st.lists(item_line(), max_size=3))
    return El("ItemGroupLineRet", children=kids)


@st.composite
def journal_line(draw: st.DrawFn) -> El:
    kind = draw(st.sampled_from(["JournalDebitLine", "JournalCreditLine"]))
    kids = draw(maybe(El("TxnLineID", draw(ids))))
    kids += draw(a_ref("AccountRef"))
    kids += draw(maybe(El("Amount", draw(amounts))))
    kids += draw(maybe(El("Memo", draw(xml_text))))
    kids += draw(a_ref("EntityRef"))
    return El(kind, children=kids)


@st.composite
def txn(draw: st.DrawFn, kind: str) -> El:
    head = [
        El("TxnID", draw(st.one_of(ids, st.just("")))) if draw(st.integers(0, 20)) else None,
        El("TimeCreated", "2026-12-03T16:43:36+00:00"),
        El("TimeModified", "2026-12-03T16:43:36+00:00"),
        El("EditSequence", "1796316216"),
    ]
    kids = [k for k in head if k is not None]
    if kind in ("Bill", "VendorCredit"):
        kids += draw(a_ref("VendorRef"))
    if kind in ("Check", "CreditCardCharge"):
        kids += draw(a_ref("AccountRef"))
        kids += draw(a_ref("PayeeEntityRef"))
    if draw(st.integers(0, 20)):
        kids.append(El("TxnDate", draw(dates)))
    kids += draw(maybe(El("RefNumber", "R-1")))
    kids += draw(maybe(El("Memo", draw(xml_text))))
    if kind in ("Bill", "VendorCredit", "Check") and draw(st.integers(0, 8)) == 0:
        kids.append(
            El(
                "LinkedTxn",
                children=[
                    El("TxnID", "L-1"),
                    El("TxnType", "BillPaymentCheck"),
                    El("TxnDate", "2026-01-01"),
                    El("Amount", "-5.00"),
                ],
            )
        )
    if kind == "JournalEntry":
        kids += draw(st.lists(journal_line(), max_size=4))
    else:
        kids += draw(st.lists(expense_line(), max_size=3))
        kids += draw(st.lists(st.one_of(item_line(), item_line(), group_line()), max_size=4))
    if kind in ("Bill", "VendorCredit"):
        kids += draw(maybe(El("OpenAmount", "1.00")))
    # Now and then what QuickBooks does not write: an unknown element, another order.
    roll = draw(st.integers(0, 15))
    if roll == 0:
        kids.insert(draw(st.integers(0, len(kids))), El("Unknown", draw(xml_text)))
    elif roll == 1 and len(kids) > 1:
        i = draw(st.integers(0, len(kids) - 2))
        kids[i], kids[i + 1] = kids[i + 1], kids[i]
    return El(f"{kind}Ret", children=kids)


def message(bodies: list[tuple[str, str, str]], prolog: str = "") -> str:
    """A response message of ``(response tag, attributes, records markup)``."""
    out = [prolog, "<QBXML>\n<QBXMLMsgsRs>\n"]
    for tag, attributes, records in bodies:
        out.append(f"<{tag}Rs {attributes}>\n{records}</{tag}Rs>\n")
    out.append("</QBXMLMsgsRs>\n</QBXML>\n")
    return "".join(out)


STATUS_OK = 'requestID="k.0.0" statusCode="0" statusSeverity="Info" statusMessage="Status OK"'


@st.composite
def cost_message(draw: st.DrawFn, plain: bool = False) -> str:
    bodies = []
    for kind in draw(st.lists(st.sampled_from(sorted(COST_QUERIES)), min_size=1, max_size=3)):
        records = "".join(
            draw(render(draw(txn(kind)), plain)) for _ in range(draw(st.integers(0, 3)))
        )
        bodies.append((COST_QUERIES[kind], STATUS_OK, records))
    prolog = draw(st.sampled_from(["", '<?xml version="1.0" ?>\n', '<?xml version="1.0"?>\r\n']))
    return message(bodies, prolog)


@st.composite
def customer(draw: st.DrawFn) -> El:
    kids = [
        El("ListID", draw(st.one_of(ids, st.just("")))),
        El("TimeCreated", "2026-12-03T16:43:36+00:00"),
        El("TimeModified", draw(st.sampled_from(["2026-12-03T16:43:36+00:00", "x"]))),
        El("EditSequence", "1796316216"),
        El("Name", draw(st.one_of(xml_text, st.just("")))),
    ]
    kids += draw(maybe(El("FullName", draw(xml_text))))
    kids += draw(maybe(El("IsActive", draw(st.sampled_from(["true", "false", " 1 ", "no"])))))
    kids += draw(a_ref("ParentRef"))
    kids += draw(maybe(El("Sublevel", draw(st.sampled_from(["0", "1", "12345", "x"])))))
    if draw(st.booleans()):
        address = [
            El(tag, draw(xml_text))
            for tag in ("Addr1", "Addr2", "City", "State", "PostalCode", "Country")
            if draw(st.booleans())
        ]
        kids.append(El("BillAddress", children=address))
    kids += draw(maybe(El("Balance", "0.00")))
    kids += draw(maybe(El("AccountNumber", draw(xml_text))))
    kids += draw(
        maybe(El("JobStatus", draw(st.sampled_from(["Awarded", "InProgress", "None", "Started"]))))
    )
    kids += draw(maybe(El("JobStartDate", draw(dates))))
    kids += draw(maybe(El("JobProjectedEndDate", draw(dates))))
    kids += draw(maybe(El("ExternalGUID", draw(xml_text))))
    if draw(st.integers(0, 10)) == 0:
        kids.insert(draw(st.integers(0, len(kids))), El("Unknown", draw(xml_text)))
    return El("CustomerRet", children=kids)


@st.composite
def item(draw: st.DrawFn) -> El:
    tag = draw(st.sampled_from(["ItemServiceRet", "ItemOtherChargeRet", "ItemNonInventoryRet"]))
    kids = [El("ListID", draw(ids)), El("EditSequence", "1"), El("Name", draw(xml_text))]
    kids += draw(maybe(El("FullName", draw(xml_text))))
    kids += draw(maybe(El("IsActive", "false")))
    if draw(st.booleans()):
        kids.append(El("SalesOrPurchase", children=[El("Desc", draw(xml_text))]))
    elif draw(st.booleans()):
        kids.append(
            El(
                "SalesAndPurchase",
                children=[El("SalesDesc", draw(xml_text)), El("PurchaseDesc", draw(xml_text))],
            )
        )
    kids += draw(maybe(El("ExternalGUID", draw(xml_text))))
    return El(tag, children=kids)

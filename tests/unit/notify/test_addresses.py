"""E-mail addresses at the boundary: the From setting and users' addresses."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procore_qb.notify.addresses import MailAddress, parse_address, parse_mailbox

ATEXT = string.ascii_letters + string.digits + "!#$%&'*+/=?^_`{|}~-"
atoms = st.text(alphabet=ATEXT, min_size=1, max_size=10)
locals_ = st.lists(atoms, min_size=1, max_size=4).map(".".join).filter(lambda s: len(s) <= 64)
labels = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9-]{0,10}[A-Za-z0-9])?", fullmatch=True)
domains = st.lists(labels, min_size=1, max_size=4).map(".".join)
addresses = st.builds(lambda local, domain: f"{local}@{domain}", locals_, domains).filter(
    lambda a: len(a) <= 254
)
names = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters='<>"\\'),
    max_size=40,
)


@settings(max_examples=200)
@given(addresses)
def test_every_dot_atom_address_is_accepted_with_its_domain_lower_cased(address: str) -> None:
    local, _, domain = address.rpartition("@")
    assert parse_address(address) == f"{local}@{domain.lower()}"


@settings(max_examples=200)
@given(addresses, names)
def test_a_named_mailbox_reads_back_as_written(address: str, name: str) -> None:
    parsed = parse_mailbox(f"{name} <{address}>")
    assert parsed.address == parse_address(address)
    assert parsed.name == name.strip()
    assert parse_mailbox(str(parsed)) == parsed


@settings(max_examples=200)
@given(addresses, st.sampled_from(["\r", "\n", "\x00", "\x1b", "\x7f"]), st.data())
def test_a_control_character_anywhere_is_refused(
    address: str, control: str, data: st.DataObject
) -> None:
    at = data.draw(st.integers(min_value=0, max_value=len(address)))
    text = address[:at] + control + address[at:]
    with pytest.raises(ValueError, match="control characters"):
        parse_address(text)
    with pytest.raises(ValueError, match="control characters"):
        parse_mailbox(f"Ada <{text}>")


@given(st.text(max_size=60).filter(lambda s: "@" not in s))
def test_text_without_an_at_sign_is_not_an_address(text: str) -> None:
    with pytest.raises(ValueError, match=r"e-mail address|control characters"):
        parse_address(text)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("", "empty"),
        ("ada@", "not an e-mail address"),
        ("@summit.example", "not an e-mail address"),
        (".ada@summit.example", "before '@'"),
        ("ada..b@summit.example", "before '@'"),
        ('"ada b"@summit.example', "before '@'"),
        ("ada@summit_builders.example", "not a host name"),
        ("ada@-summit.example", "not a host name"),
        ("ada@summit..example", "not a host name"),
        ("ada@bücher.example", "xn--"),
        ("a" * 65 + "@summit.example", "at most 64"),
        ("a@" + ".".join(["b" * 60] * 5), "at most 254"),
    ],
)
def test_refusals_name_the_rule(text: str, rule: str) -> None:
    with pytest.raises(ValueError, match=rule):
        parse_address(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("procore-qb@Summit.Example", MailAddress("procore-qb@summit.example")),
        ("procore-qb <pq@summit.example>", MailAddress("pq@summit.example", "procore-qb")),
        ('"Summit, ERP" <pq@summit.example>', MailAddress("pq@summit.example", "Summit, ERP")),
        ("  <pq@summit.example>  ", MailAddress("pq@summit.example")),
    ],
)
def test_mailbox_forms(text: str, expected: MailAddress) -> None:
    assert parse_mailbox(text) == expected


@pytest.mark.parametrize(
    "text",
    ["Ada <a@b.example", "Ada a@b.example>", "Ada <a@b.example> <c@d.example>", 'A"da <a@b.c>'],
)
def test_malformed_mailboxes_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"angle brackets|double quote"):
        parse_mailbox(text)

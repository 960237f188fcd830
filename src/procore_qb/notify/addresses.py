"""E-mail addresses as procore-qb accepts them: the From address in the settings and the users'
addresses that mail is sent to.

An address is ``local@domain`` (RFC 5322 §3.4.1 dot-atom form), optionally with a display name
as ``Name <local@domain>``. Limits: 64 characters for the local part and 255 for the domain
(RFC 5321 §4.5.3.1), 254 for the whole address (the 256-character path less its angle
brackets). Domains are ASCII: an internationalised domain is written in its ``xn--`` form.
Control characters are refused everywhere, so no value can add a header line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["MailAddress", "parse_address", "parse_mailbox"]

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LOCAL = re.compile(rf"^{_ATEXT}+(?:\.{_ATEXT}+)*$")
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_NAMED = re.compile(r"^(?P<name>[^<>]*)<(?P<address>[^<>]*)>$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NAME_FORBIDDEN = re.compile(r'["\\]')
MAX_ADDRESS = 254
MAX_LOCAL = 64
MAX_DOMAIN = 255
MAX_NAME = 78


@dataclass(frozen=True, slots=True)
class MailAddress:
    """A checked address with an optional display name."""

    address: str
    name: str = ""

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>" if self.name else self.address


def parse_address(text: str) -> str:
    """Return ``text`` as a bare address (``local@domain``, domain lower-cased); raise
    ``ValueError`` naming the rule it breaks."""
    if not isinstance(text, str):
        raise ValueError(f"an e-mail address must be text, got {type(text).__name__}")
    if _CONTROL.search(text):
        raise ValueError("an e-mail address may not contain line breaks or control characters")
    address = text.strip()
    if not address:
        raise ValueError("the e-mail address is empty; write it as name@example.com")
    if len(address) > MAX_ADDRESS:
        raise ValueError(f"an e-mail address has at most {MAX_ADDRESS} characters (RFC 5321)")
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise ValueError(f"{address!r} is not an e-mail address; write it as name@example.com")
    if len(local) > MAX_LOCAL:
        raise ValueError(f"the part before '@' has at most {MAX_LOCAL} characters (RFC 5321)")
    if not _LOCAL.match(local):
        raise ValueError(
            f"the part before '@' in {address!r} may hold only letters, digits, single dots "
            "(not first or last) and !#$%&'*+/=?^_`{|}~- (quoted forms are not accepted)"
        )
    if len(domain) > MAX_DOMAIN or not all(_LABEL.match(label) for label in domain.split(".")):
        raise ValueError(
            f"the domain of {address!r} is not a host name: use letters, digits and hyphens "
            "between dots, at most 63 per label (write an international domain in its xn-- form)"
        )
    return f"{local}@{domain.lower()}"


def parse_mailbox(text: str) -> MailAddress:
    """Parse ``local@domain`` or ``Display Name <local@domain>``; raise ``ValueError`` naming
    the rule it breaks."""
    if not isinstance(text, str):
        raise ValueError(f"an e-mail address must be text, got {type(text).__name__}")
    if _CONTROL.search(text):
        raise ValueError("an e-mail address may not contain line breaks or control characters")
    stripped = text.strip()
    named = _NAMED.match(stripped)
    if named is None:
        if "<" in stripped or ">" in stripped:
            raise ValueError(
                f"{stripped!r} is not of the form 'Name <name@example.com>': use one pair of "
                "angle brackets around the address, after the name"
            )
        return MailAddress(parse_address(stripped))
    name = named.group("name").strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = name[1:-1].strip()
    if len(name) > MAX_NAME:
        raise ValueError(f"the display name has at most {MAX_NAME} characters")
    if _NAME_FORBIDDEN.search(name):
        raise ValueError('the display name may not contain a double quote (") or a backslash')
    return MailAddress(parse_address(named.group("address")), name)

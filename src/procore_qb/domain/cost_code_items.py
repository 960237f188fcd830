"""Standard cost codes and QuickBooks Service items: how an item's name splits into a code and
a description, and what QuickBooks refuses in the name of a new item.

* Procore's Code maps to the item's Name, its Description to the item's purchase and sales
  descriptions (spec procore-workflow §1.4 [S10]).
* Companies that number their items ("01-100 General Conditions") keep the number as the code
  and the rest as the description: :data:`DEFAULT_ITEM_NAME_PATTERN` does that and leaves
  plain names whole; a company may set its own pattern (a regular expression with the named
  groups ``code`` and ``description``).
* A new item's Name is at most 31 characters on Desktop and 100 on Online, without ':' (the
  hierarchy separator) — Online also refuses tabs and newlines (:mod:`procore_qb.domain.limits`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from procore_qb.domain.limits import EditionLimits
from procore_qb.domain.problems import Problem, RuleCode

__all__ = [
    "DEFAULT_ITEM_NAME_PATTERN",
    "MAX_PATTERN",
    "SplitName",
    "compile_item_name_pattern",
    "item_name_problems",
    "split_item_name",
]

DEFAULT_ITEM_NAME_PATTERN = r"^(?P<code>\d[\d.\-]*)\s+(?P<description>\S.*)$"
"""A leading number (digits, dots and dashes) then the description: "01-100 General
Conditions" → code "01-100", description "General Conditions". Other names stay whole."""
MAX_PATTERN = 500
"""Longest item name pattern accepted (a company setting)."""
_CODE_MAX = 255
_DESCRIPTION_MAX = 255
_CHAR_NAMES = {":": "':'", "\t": "a tab", "\n": "a newline"}


@dataclass(frozen=True, slots=True)
class SplitName:
    code: str
    description: str


def compile_item_name_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a company's item name pattern; ValueError naming the rule when it is not a
    regular expression of at most :data:`MAX_PATTERN` characters with the named groups
    ``code`` and ``description``."""
    if len(pattern) > MAX_PATTERN:
        raise ValueError(f"item_name_pattern is at most {MAX_PATTERN} characters")
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"item_name_pattern is not a regular expression: {exc}") from exc
    missing = [g for g in ("code", "description") if g not in compiled.groupindex]
    if missing:
        raise ValueError(
            "item_name_pattern needs the named groups (?P<code>…) and (?P<description>…); "
            f"it lacks {', '.join(missing)}"
        )
    return compiled


def split_item_name(pattern: re.Pattern[str], name: str, description: str = "") -> SplitName:
    """The code and description of a standard cost code made from an item named ``name``
    whose purchase/sales description is ``description``. A name the pattern does not match
    (or matches with an empty code) is the code whole; the description is then the item's
    description, or its name."""
    found = pattern.fullmatch(name.strip())
    text = description.strip()
    if found is not None and (found.group("code") or "").strip():
        code = found.group("code").strip()
        desc = (found.group("description") or "").strip() or text or code
    else:
        code = name.strip()
        desc = text or code
    return SplitName(code[:_CODE_MAX], desc[:_DESCRIPTION_MAX])


def item_name_problems(name: str, limits: EditionLimits) -> list[Problem]:
    """What QuickBooks would refuse in ``name`` as a new item's Name, with the fix."""
    problems: list[Problem] = []
    field = f"{limits.product_name} item Name"
    if len(name) > limits.item_name_max:
        problems.append(
            Problem(
                RuleCode.ITEM_NAME_TOO_LONG,
                f"Cost code '{name[:60]}' is {len(name)} characters; the {field} is at most "
                f"{limits.item_name_max}. Shorten the code of the standard cost code in "
                "Procore (Company Admin → Cost Codes), then Retry or send it again.",
            )
        )
    bad = limits.forbidden_found(name)
    if bad:
        words = " or ".join(_CHAR_NAMES.get(c, repr(c)) for c in bad)
        problems.append(
            Problem(
                RuleCode.ITEM_NAME_FORBIDDEN_CHARACTER,
                f"Cost code '{name[:60]}' contains {words}, which the {field} cannot hold "
                "(QuickBooks separates list levels with ':'). Change the code in Procore, then "
                "Retry or send it again.",
            )
        )
    return problems

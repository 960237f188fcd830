"""The simulators' JSON answers, encoded with orjson.

A page of a thousand Procore direct cost line items, or of a thousand QuickBooks Online bills,
is several hundred kilobytes of JSON, and encoding it with Python's ``json`` was the largest
part of the simulators' work for such a call (about 4 us of each line's 15 in the Procore
simulator's sync of direct cost line items). :class:`JsonReply` writes the same JSON text as
Starlette's ``JSONResponse`` (UTF-8, no spaces, no ``NaN``: the simulators never hold one,
:mod:`procore_qb.sandbox.jsonbody` refuses them on the way in) an order of magnitude faster.
What orjson does not encode (an integer beyond 64 bits, which a request may carry in a field
the simulator keeps as it came) is encoded by ``JSONResponse``, so every body still gets an
answer.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse

__all__ = ["JsonReply"]


class JsonReply(JSONResponse):
    """``JSONResponse`` with orjson's encoder."""

    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content)
        except TypeError:  # orjson.JSONEncodeError: what orjson does not encode
            return super().render(content)

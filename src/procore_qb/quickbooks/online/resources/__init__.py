"""One module per QuickBooks Online entity: reads, writes and the mapping to our records."""

from __future__ import annotations

"""QuickBooks: the command model, and the Desktop and Online drivers that execute it."""

from __future__ import annotations

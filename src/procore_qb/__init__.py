"""procore-qb: keeps Procore projects and QuickBooks jobs in sync, both ways."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"

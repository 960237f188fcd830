"""How the pages write times and durations (template filters ``when``, ``relative`` and
``duration``, installed by the kit). Times are shown in UTC with how long ago (or until) in
words, inside ``<time datetime="…">`` where the template wants it machine-readable."""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup

__all__ = ["duration", "relative", "when"]


def duration(seconds: float) -> str:
    """``45 s``, ``3 min``, ``2 h 5 min``, ``3 days``."""
    seconds = max(seconds, 0.0)
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} days"


def relative(value: datetime, now: datetime) -> str:
    """``5 min ago``, ``in 2 h``, ``just now``."""
    seconds = (value - now).total_seconds()
    if abs(seconds) < 30:
        return "just now"
    words = duration(abs(seconds))
    return f"in {words}" if seconds > 0 else f"{words} ago"


def when(value: datetime | None, now: datetime, *, never: str = "never") -> Markup:
    """``<time datetime="…">2026-11-30 15:00 UTC (5 min ago)</time>``; ``never`` for None."""
    if value is None:
        return Markup("{}").format(never)
    return Markup('<time datetime="{}">{} UTC ({})</time>').format(
        value.isoformat(), f"{value:%Y-%m-%d %H:%M}", relative(value, now)
    )

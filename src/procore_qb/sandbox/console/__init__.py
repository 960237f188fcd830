"""What the three simulator consoles share: their path, templates, form handling and CSRF guard.

Each simulator serves a small console of its own at :data:`CONSOLE_PATH`, where a person does
in a browser what the seed world does in Procore or QuickBooks. The pages are plain
server-rendered HTML (Jinja2 templates packaged here); every state-changing form carries a
per-console token and is refused when posted from another site (see :mod:`.kit`).
"""

from __future__ import annotations

from procore_qb.sandbox.console.kit import (
    CONSOLE_PATH,
    ConsoleKit,
    FormError,
    console_url,
)

__all__ = ["CONSOLE_PATH", "ConsoleKit", "FormError", "console_url"]

"""The pages' own refusals (the use cases' errors are rendered as problems, see ``problems``)."""

from __future__ import annotations

__all__ = ["CrossSiteRefused", "PageError", "SignInRequired"]


class PageError(Exception):
    """Root of every error raised by :mod:`procore_qb.web.pages`."""


class SignInRequired(PageError):
    """The page needs a signed-in person: answered with a redirect to ``/login?next=…``."""

    def __init__(self, next_path: str) -> None:
        super().__init__("sign in to see this page")
        self.next_path = next_path


class CrossSiteRefused(PageError):
    """A state-changing request that did not come from this site's own pages (CSRF)."""

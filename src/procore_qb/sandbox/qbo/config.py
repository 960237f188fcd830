"""Settings of the QuickBooks Online simulator; every limit can be lowered so tests reach it."""

from __future__ import annotations

from dataclasses import dataclass, field

from procore_qb.sandbox.seed import QB_COMPANY_NAME, QBO_APP, QBO_REALM_ID

__all__ = ["DEFAULT_RETRY_SCHEDULE", "SimulatorConfig"]

DEFAULT_RETRY_SCHEDULE: tuple[float, ...] = (0, 10, 20, 30, 300, 1200, 7200, 14400, 21600)
"""Webhook delivery attempts, seconds after the event: 0s, 10s, 20s, 30s, 5m, 20m, 2h, 4h, 6h,
then every 6 h (https://blogs.a.intuit.com/2025/10/14/introducing-enhanced-webhooks-monitoring,
spec A.14)."""


@dataclass
class SimulatorConfig:
    """Limits and switches; the defaults are QuickBooks Online's published values."""

    # The seed world's company and sandbox app (DESIGN §4).
    realm_id: str = QBO_REALM_ID
    company_name: str = QB_COMPANY_NAME
    client_id: str = QBO_APP.client_id
    client_secret: str = QBO_APP.client_secret
    # Spec A.12: 500 requests per minute per realm, at most 10 concurrent per app and realm.
    requests_per_minute: int = 500
    max_concurrent: int = 10
    # Sandbox companies: 10 requests per second per realm and app since 2025-09-15 (2025-08-13
    # blog, spec A.12). Off by default so tests and benchmarks measure the production limits.
    requests_per_second: int | None = None
    # Sandbox only: hold each API request this long, so tests can overlap requests and reach
    # the concurrency limit.
    latency_seconds: float = 0.0
    # Batch endpoint: 120 requests per minute per realm, "implemented ... on October 31, 2025
    # in the Production environment" (blogs.intuit.com/2025/08/13/upcoming-changes-to-the-
    # accounting-api; it replaces the 2023 blog's 40 of spec A.8/A.12); 30 items per batch.
    batch_requests_per_minute: int = 120
    batch_max_items: int = 30
    # Spec A.6: MAXRESULTS default 100, at most 1000.
    query_default_max: int = 100
    query_max_results: int = 1000
    # Spec A.7: CDC look-back 30 days, at most 1000 objects per response.
    cdc_max_days: int = 30
    cdc_max_objects: int = 1000
    # Spec A.2: DisplayName up to 500 characters ([S], configurable).
    display_name_max: int = 500
    # Spec A.13: access tokens last 3600 s; refresh tokens 100 days rolling; a new refresh token
    # value at least daily ([U]); set to 0 to rotate on every refresh.
    access_token_seconds: int = 3600
    refresh_token_seconds: int = 100 * 86400
    refresh_rotation_seconds: int = 86400
    authorization_code_seconds: int = 600
    # Spec A.11: 401 bodies come in the documented ``Fault`` shape or the lower-case variant.
    auth_fault_lower_case: bool = False
    # Spec A.14: webhooks.
    webhook_url: str | None = None
    webhook_verifier_token: str = "demo-qbo-verifier"  # noqa: S105 - sandbox value
    webhook_format: str = "legacy"  # "legacy" or "cloudevents"
    webhook_retry_schedule: tuple[float, ...] = field(default=DEFAULT_RETRY_SCHEDULE)
    webhook_retry_every: float = 21600
    webhook_timeout_seconds: float = 3.0

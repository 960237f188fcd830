"""The ``procore-qb`` command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from procore_qb.settings import Settings
from procore_qb.store import migrate
from procore_qb.store.engine import create_engine

__all__ = ["app", "main"]

app = typer.Typer(
    name="procore-qb",
    help="Keep Procore projects and QuickBooks jobs in sync.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Database administration.", no_args_is_help=True)
app.add_typer(db_app, name="db")
sandbox_app = typer.Typer(
    help="Run one simulator alone (Procore, QuickBooks Online or QuickBooks Desktop).",
    no_args_is_help=True,
)
app.add_typer(sandbox_app, name="sandbox")


def load_settings(console: Console) -> Settings:
    """Read the configuration, or exit with one line per invalid setting."""
    try:
        return Settings()
    except ValidationError as exc:
        console.print("[red]The configuration is invalid:[/red]")
        for error in exc.errors():
            name = "PROCORE_QB_" + "__".join(str(part) for part in error["loc"]).upper()
            console.print(f"  {name}: {error['msg']}", markup=False, soft_wrap=True)
        raise typer.Exit(code=2) from None


@db_app.command("upgrade")
def db_upgrade(
    revision: str = typer.Option("head", help="Alembic revision to upgrade to."),
) -> None:
    """Create the database, or bring it up to the newest schema."""
    console = Console()
    settings = load_settings(console)
    url = settings.database_url()
    if url.startswith("sqlite:///"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, busy_timeout_ms=settings.database.sqlite_busy_timeout_ms)
    try:
        before = migrate.current_revision(engine)
        migrate.upgrade(engine, revision)
        after = migrate.current_revision(engine)
    finally:
        engine.dispose()
    shown = engine.url.render_as_string(hide_password=True)
    if before == after:
        console.print(f"{shown}: already at revision {after}")
    else:
        console.print(f"{shown}: upgraded from {before or 'an empty database'} to {after}")


@sandbox_app.command("qbo")
def sandbox_qbo(
    port: Annotated[int, typer.Option(help="Port to listen on (127.0.0.1).")] = 8001,
    data_dir: Annotated[
        Path | None, typer.Option(help="Keep the company here across restarts.")
    ] = None,
    webhook_url: Annotated[
        str | None, typer.Option(help="Send QuickBooks webhooks to this URL.")
    ] = None,
) -> None:
    """The QuickBooks Online simulator alone, seeded with the seed world."""
    from procore_qb.sandbox import seed
    from procore_qb.sandbox.qbo.serve import serve

    console = Console()
    console.print(f"QuickBooks Online sandbox on http://127.0.0.1:{port}/")
    console.print(f"  company (realmId) {seed.QBO_REALM_ID}")
    console.print(f"  app client id {seed.QBO_APP.client_id}, secret {seed.QBO_APP.client_secret}")
    console.print(f"  discovery http://127.0.0.1:{port}/.well-known/openid_sandbox_configuration")
    serve(port=port, data_dir=data_dir, webhook_url=webhook_url)


def main() -> None:
    app()

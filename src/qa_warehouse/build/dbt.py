"""Run the dbt project (dbt_project/) against the resolved warehouse, in this process."""

from __future__ import annotations

import os
from pathlib import Path

from qa_warehouse import progress
from qa_warehouse.settings import load_settings
from qa_warehouse.warehouse import Warehouse, resolve_warehouse


class DbtFailed(RuntimeError):
    """dbt build failed: a model did not build or a data test or unit test did not pass."""


def dbt_environment(warehouse: Warehouse) -> dict[str, str]:
    settings = load_settings()
    return {
        **warehouse.dbt_env(),
        "QA_WAREHOUSE_PSEUDONYM_SALT": settings.pseudonym_salt,
        "DO_NOT_TRACK": "1",  # dbt's telemetry would try the network
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def run_dbt(command: list[str], warehouse: Warehouse | None = None, target_dir: Path | None = None) -> None:
    """`dbt <command>` with the project's profile pointed at the warehouse; raise on any failure.
    `target_dir` (default the warehouse's) is for a command that must not share its artifacts."""
    from dbt.cli.main import dbtRunner  # dbt is heavy: import it only when it runs

    settings = load_settings()
    os.environ.update(dbt_environment(warehouse or resolve_warehouse()))
    args = [
        *command,
        "--quiet",  # errors only on the console; the full log is under --log-path
        "--project-dir",
        str(settings.dbt_project_dir),
        "--profiles-dir",
        str(settings.dbt_project_dir),
        "--target-path",
        str(target_dir or settings.dbt_target_dir),
        "--log-path",
        str(settings.dbt_target_dir.parent / "logs"),
    ]
    callbacks = [_progress_callback(command)] if progress.listened() else []
    progress.report("dbt_started", command=" ".join(command))
    result = dbtRunner(callbacks=callbacks).invoke(args)
    progress.report("dbt_finished", command=" ".join(command), success=bool(result.success))
    if result.success:
        return
    failures = []
    for node_result in getattr(result.result, "results", None) or []:
        if str(node_result.status).lower() in ("error", "fail", "runtime error"):
            failures.append(
                f"{node_result.node.unique_id}: {node_result.status}: {(node_result.message or '').strip()}"
            )
    detail = "\n".join(failures) or str(result.exception or "see the dbt log")
    raise DbtFailed(f"dbt {' '.join(command)} failed; nothing was published.\n{detail}")


def _progress_callback(command: list[str]):
    """A dbt event callback that reports each finished node as progress ("dbt_node": done of total).
    dbt states the total on each node's start line (LogStartLine); NodeFinished ends each node."""
    state = {"done": 0, "total": 0, "models": 0}

    def on_event(event) -> None:
        name = event.info.name
        if name == "LogStartLine":
            state["total"] = max(state["total"], int(getattr(event.data, "total", 0) or 0))
        elif name == "NodeFinished":
            info = event.data.node_info
            state["done"] += 1
            if info.resource_type == "model":
                state["models"] += 1
            progress.report(
                "dbt_node",
                command=" ".join(command),
                done=state["done"],
                total=max(state["total"], state["done"]),
                models=state["models"],
                node=info.unique_id,
                status=info.node_status,
            )

    return on_event

"""`qa-warehouse docs`: the browsable documentation of the warehouse, built into the state folder.

- `docs/dbt/`: dbt's docs site (`dbt docs generate` against the warehouse), its catalog read from
  the published schemas (`reporting`, the restricted ones), where people and BI tools read the
  tables, not from their `_build` twins, which the publish step leaves empty.
- `docs/gx/`: GX's Data Docs of the gate's recent validations (each kept beside the loads by
  `load/gate/validate.py`), built by GX's own site builder, so the pages are GX's.
- `docs/index.html`: a small page linking both.

`qa-warehouse serve` serves the same folder inside Airflow's API server (orchestration/plugin.py).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from qa_warehouse.settings import load_settings

# The most recent validations GX's site shows: a run gates a few dozen files, so the last few runs.
RECENT_VALIDATIONS = 100
DBT_SITE_FILES = ("index.html", "manifest.json", "catalog.json")
# dbt_project's generate_schema_name reads it: each `_build` schema resolves to its published schema.
PUBLISHED_SCHEMAS_VAR = "docs_published_schemas"


@dataclass(frozen=True)
class ShownValidation:
    """One kept validation as GX's site shows it."""

    file_name: str
    load_table: str  # <extract>__load<id>
    suite: str
    success: bool
    validated_at: dt.datetime | None
    page: str | None  # its GX page, relative to the GX site's folder


@dataclass(frozen=True)
class DocsSite:
    root: Path
    dbt_index: Path
    gx_index: Path
    validations: list[ShownValidation]  # newest first


def docs_dir() -> Path:
    return load_settings().docs_dir


def build_docs(recent: int = RECENT_VALIDATIONS) -> DocsSite:
    """Build both sites and the index into the state folder's docs/ (each site replaced whole)."""
    root = docs_dir()
    root.mkdir(parents=True, exist_ok=True)
    dbt_index = build_dbt_docs(root / "dbt")
    gx_index, validations = build_gx_docs(root / "gx", recent)
    write_index(root, validations)
    return DocsSite(root, dbt_index, gx_index, validations)


def build_dbt_docs(out: Path) -> Path:
    """`dbt docs generate` into a target folder of its own (a scheduled `dbt build` may be using the
    warehouse's), then dbt's index.html, manifest.json and catalog.json copied to `out`."""
    from qa_warehouse.build.dbt import run_dbt

    target = load_settings().home / "dbt" / "docs-target"
    run_dbt(
        ["docs", "generate", "--vars", json.dumps({PUBLISHED_SCHEMAS_VAR: True})],
        target_dir=target,
    )
    _replace_dir(out)
    for name in DBT_SITE_FILES:
        shutil.copy2(target / name, out / name)
    return out / "index.html"


def kept_validations(recent: int = RECENT_VALIDATIONS) -> list[Path]:
    """The gate's kept validation results, newest first."""
    from qa_warehouse.load.gate.validate import validation_results_dir

    kept = [p for p in validation_results_dir().glob("*.json") if p.is_file()]
    return sorted(kept, key=lambda p: p.stat().st_mtime, reverse=True)[:recent]


def build_gx_docs(out: Path, recent: int = RECENT_VALIDATIONS) -> tuple[Path, list[ShownValidation]]:
    """GX's Data Docs of the recent kept validations: a file-backed GX context made for this build
    (in a temporary folder) is given the results and their suites, and GX's SiteBuilder writes the
    site to `out`."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # GX's telemetry would try the network
    import great_expectations as gx
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResultSchema
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    from qa_warehouse.load.gate.suites import suite_path

    _replace_dir(out)
    shown: list[tuple[ShownValidation, ValidationResultIdentifier]] = []
    with tempfile.TemporaryDirectory(prefix="qaw-gx-docs-") as project:
        context = gx.get_context(mode="file", project_root_dir=project)
        context.add_data_docs_site(
            "qa_warehouse",
            {
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(out)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
        suites: set[str] = set()
        for kept in kept_validations(recent):
            document = json.loads(kept.read_text(encoding="utf-8"))
            meta = document.get("meta") or {}
            result = ExpectationSuiteValidationResultSchema().load(document)
            suite_name = result.suite_name
            key = ValidationResultIdentifier(
                expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite_name),
                # The run is named by the delivered file: GX's index lists validations by run name.
                run_id=RunIdentifier(run_name=meta.get("file_name") or kept.stem, run_time=_run_time(meta)),
                batch_identifier=meta.get("batch_identifier") or kept.stem,
            )
            result.meta["run_id"] = key.run_id  # the validation's page shows the same run name as the index
            context.validation_results_store.set(key, result)
            validated_at = key.run_id.run_time
            shown.append(
                (
                    ShownValidation(
                        meta.get("file_name") or kept.stem,
                        meta.get("load_table") or kept.stem,
                        suite_name,
                        bool(result.success),
                        validated_at,
                        None,
                    ),
                    key,
                )
            )
            if suite_name not in suites and suite_path(suite_name).exists():
                # The committed suite (named by its extract), so the site has its Expectation Suite page.
                suites.add(suite_name)
                context.suites.add(gx.ExpectationSuite(**json.loads(suite_path(suite_name).read_text("utf-8"))))
        context.build_data_docs(site_names=["qa_warehouse"])
    # GX's index builds its tables with scripts from CDNs (jQuery, Bootstrap): offline it lists nothing,
    # so docs/index.html lists each validation too, linking its page (plain HTML, readable offline).
    return out / "index.html", [replace(v, page=_gx_page(out, key)) for v, key in shown]


def _gx_page(out: Path, key) -> str | None:
    """The validation's page as GX's site builder names it: validations/<suite>/<run name>/<run time>/<batch>.html."""
    run_name, run_time = key.run_id.to_tuple()
    page = Path(
        "validations", key.expectation_suite_identifier.name, run_name, run_time, f"{key.batch_identifier}.html"
    )
    return page.as_posix() if (out / page).is_file() else None


def _run_time(meta: dict) -> dt.datetime | None:
    run_id = meta.get("run_id") or {}
    value = meta.get("validation_time") or (run_id.get("run_time") if isinstance(run_id, dict) else None)
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else None


def write_index(root: Path, validations: list[ShownValidation]) -> Path:
    rows = "\n".join(
        f"<tr><td>{html.escape(v.file_name)}</td><td>{html.escape(v.suite)}</td>"
        f'<td class="{"passed" if v.success else "failed"}">{"passed" if v.success else "failed"}</td>'
        f"<td>{v.validated_at.strftime('%Y-%m-%d %H:%M UTC') if v.validated_at else ''}</td>"
        f"<td>{_page_link(v.page)}</td></tr>"
        for v in validations
    )
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>qa-warehouse documentation</title>
<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:3rem auto;line-height:1.5}}
table{{border-collapse:collapse}}td,th{{padding:.2rem .8rem;border-bottom:1px solid #ddd;text-align:left}}
.failed{{color:#b00020;font-weight:bold}}.passed{{color:#1b5e20}}</style></head>
<body><h1>qa-warehouse documentation</h1>
<ul>
<li><a href="dbt/index.html">dbt docs</a>: every model, its columns (from the published tables), tests and lineage</li>
<li><a href="gx/index.html">GX Data Docs</a>: the gate's most recent validations of delivered files, each
against its extract's suite (GX's index needs the network for its scripts; the pages below do not)</li>
</ul>
<h2>The gate's {len(validations)} most recent validations</h2>
<table><thead><tr><th>file</th><th>suite</th><th>result</th><th>validated</th><th></th></tr></thead>
<tbody>
{rows}
</tbody></table>
<p>Built {html.escape(dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))} by <code>qa-warehouse docs</code>.</p>
</body></html>
"""
    index = root / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def _page_link(page: str | None) -> str:
    from urllib.parse import quote

    return f'<a href="gx/{html.escape(quote(page))}">GX page</a>' if page else ""


def _replace_dir(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)


def serve_docs(root: Path, host: str = "127.0.0.1", port: int = 8090):
    """An HTTP server of the docs folder (call serve_forever; port 0 picks a free one)."""
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class QuietHandler(SimpleHTTPRequestHandler):
        def log_message(self, format, *args):
            pass  # a line per request would bury the URL the command prints

    return ThreadingHTTPServer((host, port), functools.partial(QuietHandler, directory=str(root)))


def docs_command(
    host: str = "127.0.0.1", port: int = 8090, serve: bool = True, recent: int = RECENT_VALIDATIONS
) -> int:
    """Build the sites; unless `serve` is false, serve them until Ctrl-C. 0, or 1 when a build fails."""
    import sys

    from qa_warehouse.build.dbt import DbtFailed

    print("building dbt's docs (dbt docs generate) and GX's Data Docs...", flush=True)
    try:
        site = build_docs(recent)
    except DbtFailed as error:
        print(error, file=sys.stderr)
        return 1
    print(f"dbt docs:      {site.dbt_index}")
    print(f"GX Data Docs:  {site.gx_index} ({len(site.validations)} validations)")
    if not serve:
        print(f"Docs:          {site.root / 'index.html'}")
        return 0
    try:
        server = serve_docs(site.root, host, port)
    except OSError as error:
        print(f"cannot serve on {host}:{port} ({error}): choose another with --port", file=sys.stderr)
        return 1
    print(f"Serving {site.root} at http://{host}:{server.server_address[1]}/ (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nstopped", flush=True)
    finally:
        server.server_close()
    return 0

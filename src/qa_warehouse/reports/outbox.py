"""Reports delivered: each period close's edition rendered into the outbox, once.

After a period close publishes an edition (qa_warehouse.publish.editions), `deliver_new_editions`
writes, for each authority with figures in it, Performance on a Page at the period's last month end
(HTML and PDF) and, for a financial year, the self-evaluation export (XLSX and CSV), into

    <outbox>/<period kind>/<period>/edition-<id>/

(`QA_WAREHOUSE_OUTBOX`, default `$QA_WAREHOUSE_HOME/outbox`; the period is `2025-03`, `2024-25-Q4`
or `2024-25`), with a `manifest.json` naming the edition and the files. `ReportsDelivered` is the
message that tells the owners which files are there (file names and periods only: no figures, no
personal data); the delivery DAG sends it through the alert channels.

The `reporting` Asset is emitted by every publication, a delivery's as well as a close's, so this
delivers only the editions not yet recorded in `reporting.report_deliveries` (migration 0009): a
re-run delivers nothing twice. An edition is rendered into a temporary folder beside its final one
and renamed into place only when every file is written, in the transaction that records it: a
failed render leaves no half edition folder and no record, and the next run tries again.

The page reads the published tables, not the edition (its trend goes back 12 months, beyond any
edition's period), so an edition is delivered only while the published `measure_values` figures
of its period are still exactly the edition's, and only when it is its period's latest edition
(the self-evaluation export reads that one). Otherwise it is recorded as superseded, with the
reason, and not rendered: the later edition is delivered instead.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from qa_warehouse.migrations import migrate
from qa_warehouse.reports import page as performance_page
from qa_warehouse.reports import self_evaluation
from qa_warehouse.settings import load_settings
from qa_warehouse.warehouse import Warehouse, connect

DELIVERIES_TABLE = "reporting.report_deliveries"
MANIFEST = "manifest.json"
PAGE_TABLE = "measure_values"  # the edition figures Performance on a Page shows
# A lock of its own (beside ingest's 804_903, publish's 804_904 and the migrations' 804_905): two
# deliveries at once (a manual run beside a scheduled one) never render the same edition twice.
DELIVERY_LOCK = 804_906


class PdfRenderingUnavailable(RuntimeError):
    """WeasyPrint (or the Pango it loads) is missing: no PDF can be made, so nothing is delivered."""


@dataclass(frozen=True)
class EditionToDeliver:
    edition_id: int
    period_kind: str
    period_first_day: dt.date
    period_last_day: dt.date
    as_at: dt.datetime
    publication_id: int

    @property
    def period(self) -> str:
        """The period as the outbox's folder names it: 2025-03, 2024-25-Q4 or 2024-25."""
        if self.period_kind == "month":
            return f"{self.period_last_day:%Y-%m}"
        first_year = self.period_first_day.year if self.period_first_day.month >= 4 else self.period_first_day.year - 1
        year = f"{first_year}-{(first_year + 1) % 100:02d}"
        if self.period_kind == "quarter":
            return f"{year}-Q{(self.period_first_day.month - 4) % 12 // 3 + 1}"
        return year

    @property
    def folder(self) -> str:
        return f"{self.period_kind}/{self.period}/edition-{self.edition_id}"


@dataclass(frozen=True)
class Delivery:
    edition_id: int
    period_kind: str
    period: str
    status: str  # 'delivered' or 'superseded'
    folder: str | None = None  # relative to the outbox
    files: tuple[str, ...] = field(default=())  # relative to the folder
    note: str | None = None


@dataclass(frozen=True)
class ReportsDelivered:
    """The message to the owners: which editions were delivered where, file by file. It names the
    period, the edition and the files only; the figures stay in the files."""

    outbox: str
    deliveries: tuple[Delivery, ...]

    @property
    def delivered(self) -> tuple[Delivery, ...]:
        return tuple(d for d in self.deliveries if d.status == "delivered")

    @property
    def subject(self) -> str:
        periods = ", ".join(f"{d.period_kind.replace('_', ' ')} {d.period}" for d in self.delivered)
        return f"qa-warehouse: reports delivered: {periods or 'none'}"

    @property
    def text(self) -> str:
        lines = [self.subject, f"Outbox: {self.outbox}"]
        for d in self.deliveries:
            if d.status == "delivered":
                lines.append(f"{d.period_kind.replace('_', ' ')} {d.period}, edition {d.edition_id}: {d.folder}/")
                lines += [f"- {name}" for name in d.files]
                if d.note:
                    lines.append(f"Not made: {d.note}")
            else:
                lines.append(f"{d.period_kind.replace('_', ' ')} {d.period}, edition {d.edition_id}: not delivered")
                lines.append(f"- {d.note}")
        return "\n".join(lines)

    def as_json(self) -> dict:
        return {
            "text": self.text,
            "subject": self.subject,
            "outbox": self.outbox,
            "deliveries": [asdict(d) for d in self.deliveries],
        }


def check_pdf_rendering() -> None:
    """Fail clearly, before anything is written, when WeasyPrint cannot make a PDF."""
    try:
        import weasyprint  # noqa: F401  (loads Pango: an OSError when the system library is missing)
    except (ImportError, OSError) as missing:
        raise PdfRenderingUnavailable(
            f"cannot deliver reports: PDF rendering is unavailable ({missing}). Install WeasyPrint "
            "(the project's dependency) and Pango (Debian and Ubuntu: libpango-1.0-0), then clear this task."
        ) from missing


def deliver_new_editions(outbox: Path | None = None, warehouse: Warehouse | None = None) -> list[Delivery]:
    """Deliver every edition not delivered yet, oldest first; return what was done with each."""
    outbox = Path(outbox or load_settings().outbox_dir)
    with connect(warehouse) as conn:
        migrate(conn)  # reporting.report_deliveries (migration 0009): a warehouse published before it
    deliveries = []
    with connect(warehouse) as conn, conn.cursor() as cur:
        cur.execute("select pg_advisory_lock(%s)", (DELIVERY_LOCK,))
        try:
            pending = _undelivered(cur)
            conn.commit()
            if pending:
                check_pdf_rendering()
            for edition in pending:
                deliveries.append(_deliver(conn, edition, outbox, warehouse))
        finally:
            conn.rollback()
            cur.execute("select pg_advisory_unlock(%s)", (DELIVERY_LOCK,))
            conn.commit()
    return deliveries


def _undelivered(cur) -> list[EditionToDeliver]:
    cur.execute(f"""
        select e.edition_id, e.period_kind, e.period_first_day, e.period_last_day, e.as_at, e.publication_id
        from reporting.editions e
        where not exists (select 1 from {DELIVERIES_TABLE} d where d.edition_id = e.edition_id)
        order by e.edition_id""")
    return [EditionToDeliver(*row) for row in cur.fetchall()]


def _deliver(conn, edition: EditionToDeliver, outbox: Path, warehouse: Warehouse | None) -> Delivery:
    """One edition: superseded, or rendered and renamed into place as its record commits."""
    with conn.cursor() as cur:
        reason = _superseded_because(cur, edition)
        authorities = _authorities(cur, edition)
    conn.commit()  # no snapshot held while rendering: a publication may take its locks meanwhile
    if reason is not None:
        return _supersede(conn, edition, reason)
    final = outbox / edition.folder
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():  # a run that renamed it but died before its record committed: render it again
        shutil.rmtree(final)
    staging = Path(tempfile.mkdtemp(prefix=f".edition-{edition.edition_id}-", dir=final.parent))
    try:
        files, not_made = _render(edition, authorities, staging, warehouse)
        with conn.cursor() as cur:
            # A publication while it rendered may have changed what the pages show: then it is not delivered.
            reason = _superseded_because(cur, edition)
            if reason is None:
                _record(cur, edition, "delivered", edition.folder, files, not_made)
                staging.rename(final)
        if reason is not None:
            conn.rollback()
            shutil.rmtree(staging)
            return _supersede(conn, edition, reason)
        conn.commit()
    except BaseException:
        conn.rollback()
        shutil.rmtree(staging, ignore_errors=True)
        if final.exists() and not _recorded(conn, edition):
            shutil.rmtree(final, ignore_errors=True)
        raise
    return Delivery(
        edition.edition_id, edition.period_kind, edition.period, "delivered", edition.folder, files, not_made
    )


def _supersede(conn, edition: EditionToDeliver, reason: str) -> Delivery:
    with conn.cursor() as cur:
        _record(cur, edition, "superseded", None, (), reason)
    conn.commit()
    return Delivery(edition.edition_id, edition.period_kind, edition.period, "superseded", note=reason)


def _superseded_because(cur, edition: EditionToDeliver) -> str | None:
    cur.execute(
        """select max(edition_id) from reporting.editions
           where period_kind = %s and period_first_day = %s and period_last_day = %s""",
        (edition.period_kind, edition.period_first_day, edition.period_last_day),
    )
    (latest,) = cur.fetchone()
    if latest != edition.edition_id:
        return f"superseded by edition {latest} of the same period, which is delivered instead"
    # The figures of the period as published now, against the edition's (EXCEPT compares nulls as equal).
    cur.execute(
        """select count(*) from (
               (select grain, figure, value from reporting.edition_figures where edition_id = %(edition)s
                  and table_name = %(table)s
                except
                select grain, figure, value from reporting.latest_figures where table_name = %(table)s
                  and period_end between %(first)s and %(last)s)
               union all
               (select grain, figure, value from reporting.latest_figures where table_name = %(table)s
                  and period_end between %(first)s and %(last)s
                except
                select grain, figure, value from reporting.edition_figures where edition_id = %(edition)s
                  and table_name = %(table)s)) differ""",
        {
            "edition": edition.edition_id,
            "table": PAGE_TABLE,
            "first": edition.period_first_day,
            "last": edition.period_last_day,
        },
    )
    (differing,) = cur.fetchone()
    if differing:
        return (
            f"the published {PAGE_TABLE} figures of the period have changed since the edition "
            f"({differing} figures differ): publish the period again to deliver its reports"
        )
    return None


def _authorities(cur, edition: EditionToDeliver) -> list[str]:
    cur.execute(
        """select distinct grain->>'la_code' from reporting.edition_figures
           where edition_id = %s and table_name = %s order by 1""",
        (edition.edition_id, PAGE_TABLE),
    )
    return [la_code for (la_code,) in cur.fetchall()]


def _render(
    edition: EditionToDeliver, authorities: list[str], folder: Path, warehouse: Warehouse | None
) -> tuple[tuple[str, ...], str | None]:
    """Every file of the edition into `folder`: their names, in the order written, and what could
    not be made for an authority (its figures do not make that report), said rather than failing
    the whole edition, which no retry would fix."""
    written: list[Path] = []
    not_made: list[str] = []  # what an authority's figures cannot make (e.g. no month or quarter rows)
    for la_code in authorities:
        # The page at the period's last month end, "as at" the edition's publication.
        try:
            page = replace(
                performance_page.read_page(la_code, edition.period_last_day, warehouse),
                published_at=edition.as_at,
                publication_id=edition.publication_id,
            )
        except performance_page.PageError as no_page:
            not_made.append(f"no Performance on a Page for {la_code}: {no_page}")
        else:
            html = performance_page.render_html(page)
            html_path = folder / performance_page.default_html_path(page).name
            html_path.write_text(html, encoding="utf-8")
            written += [html_path, performance_page.write_pdf(html, html_path.with_suffix(".pdf"))]
        if edition.period_kind == "financial_year":
            try:
                written += _self_evaluation(edition, la_code, folder, warehouse)
            except self_evaluation.NoFiguresForAuthority as no_export:
                not_made.append(f"no self-evaluation export for {la_code}: {no_export}")
    names = tuple(path.name for path in written)
    manifest = {
        "edition_id": edition.edition_id,
        "period_kind": edition.period_kind,
        "period_first_day": edition.period_first_day.isoformat(),
        "period_last_day": edition.period_last_day.isoformat(),
        "as_at": edition.as_at.isoformat(),
        "publication_id": edition.publication_id,
        "authorities": authorities,
        "files": list(names),
        "not_made": not_made,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return names, "; ".join(not_made) or None


def _self_evaluation(edition: EditionToDeliver, la_code: str, folder: Path, warehouse: Warehouse | None) -> list[Path]:
    year = self_evaluation.FinancialYear(edition.period_first_day.year)
    evaluation = self_evaluation.read_self_evaluation(year, la_code, warehouse)
    shown = evaluation.chosen.edition
    if shown is None or shown.edition_id != edition.edition_id:  # published again meanwhile: a new edition
        raise RuntimeError(
            f"the self-evaluation export of {year.label} reads edition {shown and shown.edition_id}, "
            f"not edition {edition.edition_id}: run the delivery again"
        )
    stem = f"self_evaluation_{year.slug}_{la_code}"
    xlsx, csv_path = folder / f"{stem}.xlsx", folder / f"{stem}.csv"
    self_evaluation.write_xlsx(evaluation, xlsx)
    self_evaluation.write_csv(evaluation, csv_path)
    return [xlsx, csv_path]


def _record(cur, edition: EditionToDeliver, status: str, folder: str | None, files: tuple[str, ...], note) -> None:
    cur.execute(
        f"insert into {DELIVERIES_TABLE} (edition_id, status, folder, files, note) values (%s, %s, %s, %s, %s)",
        (edition.edition_id, status, folder, list(files), note),
    )


def _recorded(conn, edition: EditionToDeliver) -> bool:
    with conn.cursor() as cur:
        cur.execute(f"select 1 from {DELIVERIES_TABLE} where edition_id = %s", (edition.edition_id,))
        found = cur.fetchone() is not None
    conn.rollback()
    return found

"""Read published tables back for people: the scorecard as a terminal table; a section of the
quarterly performance report (what `qa-warehouse demo` prints)."""

from __future__ import annotations

import datetime as dt

from qa_warehouse.warehouse import connect

# The report sections (measure_targets.area), in the order every report shows them, with their
# headings: Performance on a Page and the self-evaluation export both follow it.
SECTIONS = {
    "fostering": "Fostering",
    "audits": "Case file audits",
    "feedback": "Feedback",
    "complaints": "Complaints and compliments",
}


def section_title(section: str) -> str:
    """A section's heading; a section the seed adds before it is named here reads from its code."""
    return SECTIONS.get(section, section.replace("_", " ").capitalize())


SCORECARD_COLUMNS = (
    "la_code",
    "team",
    "period_end",
    "measure_name",
    "in_time",
    "out_of_time",
    "not_yet_due",
    "percentage",
    "target",
    "rag",
    "direction_of_travel",
)


def read_scorecard(
    la_code: str | None = None, period_end: dt.date | None = None, all_periods: bool = False
) -> list[dict]:
    """Published rows; by default each authority's latest period end only."""
    period_filter = (
        "true"
        if all_periods
        else (
            "period_end = %(period_end)s"
            if period_end
            else "period_end = (select max(period_end) from reporting.fostering_kpi_scorecard m where m.la_code = s.la_code)"
        )
    )
    with connect() as conn, conn.cursor() as cur:
        cur.execute(
            f"""select {", ".join(SCORECARD_COLUMNS)} from reporting.fostering_kpi_scorecard s
                where (%(la_code)s::text is null or la_code = %(la_code)s) and {period_filter}
                order by la_code, period_end, team nulls first, display_order""",
            {"la_code": la_code, "period_end": period_end},
        )
        return [dict(zip(SCORECARD_COLUMNS, row)) for row in cur.fetchall()]


def format_scorecard(rows: list[dict]) -> str:
    """Percentages rounded to whole numbers for display only; the table keeps them exact."""
    headers = (
        "LA",
        "team",
        "period end",
        "measure",
        "in time",
        "out of time",
        "not yet due",
        "%",
        "target",
        "RAG",
        "direction",
    )
    body = [
        (
            r["la_code"],
            r["team"] or "(all teams)",
            str(r["period_end"]),
            r["measure_name"],
            str(r["in_time"]),
            str(r["out_of_time"]),
            str(r["not_yet_due"]),
            "-" if r["percentage"] is None else f"{r['percentage']:.0f}",
            "" if r["target"] is None else f"{r['target']:.0f}",
            r["rag"] or "-",
            r["direction_of_travel"] or "-",
        )
        for r in rows
    ]
    widths = [max(len(h), *(len(line[i]) for line in body)) for i, h in enumerate(headers)]
    render = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([render(headers), render(["-" * w for w in widths]), *map(render, body)])


# The child protection figures the demo prints, in the order a committee reads them.
CHILD_PROTECTION_LINE = (
    ("cp_plans_at_period_end", "children on a CP plan"),
    ("cp_plans_second_or_subsequent", "second or later plan"),
    ("icpc_15_working_days", "ICPCs within 15 working days"),
    ("children_awaiting_icpc", "awaiting an ICPC"),
    ("cp_reviews_in_time", "CP reviews in time"),
)


def child_protection_lines() -> list[str]:
    """One line per authority: its latest month's child protection figures from children_in_need_scorecard."""
    with connect() as conn, conn.cursor() as cur:
        cur.execute(
            """select la_code, period_end, measure_code, value, unit, rag from reporting.children_in_need_scorecard s
               where period_type = 'month' and measure_code = any(%s) and period_end = (
                   select max(period_end) from reporting.children_in_need_scorecard m
                   where m.la_code = s.la_code and m.period_type = 'month')
               order by la_code""",
            ([code for code, _ in CHILD_PROTECTION_LINE],),
        )
        by_authority: dict[tuple[str, dt.date], dict[str, tuple]] = {}
        for la_code, period_end, code, value, unit, rag in cur.fetchall():
            by_authority.setdefault((la_code, period_end), {})[code] = (value, unit, rag)
    lines = []
    for (la_code, period_end), figures in by_authority.items():
        shown = []
        for code, label in CHILD_PROTECTION_LINE:
            value, unit, rag = figures.get(code, (None, None, None))
            if value is None:
                shown.append(f"{label} no data")
            elif unit == "percentage":
                shown.append(f"{label} {float(value):.0f}%" + (f" ({rag})" if rag else ""))
            else:
                shown.append(f"{label} {_shown(value, unit)}")
        lines.append(f"Child protection, {la_code} at {period_end:%d %b %Y}: " + "; ".join(shown))
    return lines or ["Child protection: no children in need census has been published"]


# The section of the quarterly performance report the demo prints (any section code works).
DEMO_REPORT_SECTION = "child_protection"
REPORT_SECTION_COLUMNS = (
    "la_code",
    "section_title",
    "financial_year",
    "financial_quarter",
    "measure_name",
    "unit",
    "value",
    "previous_quarter_value",
    "same_quarter_last_year_value",
    "target",
    "rag",
    "direction_of_travel",
    "england_value",
    "statistical_neighbours_value",
    "quartile",
    "value_status",
    "commentary",
    "section_commentary",
)


def read_report_section(section: str = DEMO_REPORT_SECTION, la_code: str | None = None) -> list[dict]:
    """One section of reporting.quarterly_performance_report, each authority's latest quarter, its
    authority totals in display order (a section without figures: its one no_data row)."""
    with connect() as conn, conn.cursor() as cur:
        cur.execute(
            f"""select {", ".join(REPORT_SECTION_COLUMNS)} from reporting.quarterly_performance_report r
                where section = %(section)s and breakdown = 'All'
                  and (%(la)s::text is null or la_code = %(la)s)
                  and period_end = (select max(period_end) from reporting.quarterly_performance_report l
                                    where l.la_code = r.la_code)
                order by la_code, display_order, measure_name""",
            {"section": section, "la": la_code},
        )
        return [dict(zip(REPORT_SECTION_COLUMNS, row)) for row in cur.fetchall()]


def _shown(value, unit: str | None) -> str:
    """Percentages, averages and rates to one decimal place for display only (the table keeps them
    exact); counts whole."""
    if value is None:
        return "-"
    if unit == "percentage":
        return f"{float(value):.1f}%"
    return f"{float(value):.1f}" if unit in ("average", "rate_per_10000") else f"{int(value):,}"


def format_report_section(rows: list[dict]) -> str:
    """The section as a committee paper's table per authority, its commentary beneath."""
    if not rows:
        return "Quarterly performance report: not published yet"
    blocks = []
    for la_code in dict.fromkeys(r["la_code"] for r in rows):
        mine = [r for r in rows if r["la_code"] == la_code]
        first = mine[0]
        heading = f"{first['section_title']}, {la_code}, {first['financial_quarter']} {first['financial_year']}"
        if all(r["value_status"] == "no_data" for r in mine):
            lines = [f"{heading}: no figures are published for this section"]
        else:
            headers = ("measure", "value", "prev qtr", "last year", "target", "RAG", "direction", "England", "SN")
            body = [
                (
                    r["measure_name"],
                    "no data" if r["value_status"] == "not_delivered" else _shown(r["value"], r["unit"]),
                    _shown(r["previous_quarter_value"], r["unit"]),
                    _shown(r["same_quarter_last_year_value"], r["unit"]),
                    _shown(r["target"], "percentage") if r["target"] is not None else "",
                    r["rag"] or "-",
                    r["direction_of_travel"] or "-",
                    _shown(r["england_value"], r["unit"]) if r["england_value"] is not None else "",
                    _shown(r["statistical_neighbours_value"], r["unit"])
                    if r["statistical_neighbours_value"] is not None
                    else "",
                )
                for r in mine
            ]
            widths = [max(len(h), *(len(line[i]) for line in body)) for i, h in enumerate(headers)]
            render = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
            lines = [heading, render(headers), render(["-" * w for w in widths]), *map(render, body)]
            lines += [f"  {r['measure_name']}: {r['commentary']}" for r in mine if r["commentary"]]
        if first["section_commentary"]:
            lines.append(f"  Section commentary: {first['section_commentary']}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)

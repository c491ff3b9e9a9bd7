"""A synthetic commentary delivery (the commentary extract): the authority's narrative on its
quarterly performance report, one row per period and measure or section. Written on request only
(tests choose what it says): the generator's areas do not include it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from qa_warehouse_synthetic.files import FILE_FORMATS, CellValue, contract_table, landing_file_name, write_extract

EXTRACT = "commentary"


def write_commentary(
    folder: Path, la_code: str, as_at: date, rows: list[dict[str, CellValue]], file_format: int = 0
) -> Path:
    """Write `rows` (contract columns; la_code filled in) as the authority's commentary delivery
    at `as_at`, in one of FILE_FORMATS; return its path."""
    table = contract_table(EXTRACT, [{"la_code": la_code, **row} for row in rows])
    folder.mkdir(parents=True, exist_ok=True)
    return write_extract(table, folder / landing_file_name(EXTRACT, la_code, as_at), FILE_FORMATS[file_format])

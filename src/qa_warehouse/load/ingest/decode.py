"""Read what Excel-on-Windows exports: UTF-8 or Windows-1252, a BOM or not, trailing blank rows."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass

UTF8_BOM = b"\xef\xbb\xbf"
# A line of nothing but separators, quotes and spaces: a spreadsheet's empty row.
# (Trailing ones are already stripped, so only rows between two newlines are left to find.)
_BLANK_ROW = re.compile(rb'\n[ \t,"\r]*\n')


@dataclass(frozen=True)
class DecodedFile:
    header: list[str]  # column names as delivered, trimmed and lower-cased
    body: bytes  # header line included (COPY skips it), without BOM or trailing blank rows
    postgres_encoding: str  # what COPY is told the bytes are

    @property
    def may_have_blank_rows(self) -> bool:
        """False when no row can be empty, so the load can skip looking for them."""
        return _BLANK_ROW.search(self.body) is not None


def detect_encoding(data: bytes) -> str:
    """UTF-8 when the bytes are valid UTF-8, else Windows-1252 (which accepts almost anything)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "WIN1252"
    return "UTF8"


def strip_trailing_blank_rows(data: bytes) -> bytes:
    """Drop the rows of nothing but commas and spaces that spreadsheets leave at the end."""
    end = len(data)
    while True:
        trimmed = data[:end].rstrip(b"\r\n")
        line_start = trimmed.rfind(b"\n") + 1
        if line_start > 0 and not trimmed[line_start:].strip(b", \t\r"):
            end = line_start - 1
            continue
        # COPY wants one newline style throughout: end the last row as the file's rows end.
        return trimmed + (b"\r\n" if b"\r\n" in data[:4096] else b"\n")


def decode(data: bytes) -> DecodedFile:
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    encoding = detect_encoding(data)
    first_line = data.split(b"\n", 1)[0].decode("utf-8" if encoding == "UTF8" else "cp1252")
    header = next(csv.reader([first_line.rstrip("\r")]), [])
    return DecodedFile([name.strip().lower() for name in header], strip_trailing_blank_rows(data), encoding)

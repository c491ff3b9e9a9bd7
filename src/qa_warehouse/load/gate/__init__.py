"""The gate: one GX Core suite per extract, run on a file's rows before they join raw."""

from qa_warehouse.load.gate.suites import build_suite_document, suite_path, write_suites
from qa_warehouse.load.gate.validate import validate_incoming

__all__ = ["build_suite_document", "suite_path", "validate_incoming", "write_suites"]

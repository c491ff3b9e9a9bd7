"""Ingest: landing files in, one gated raw partition per file out."""

from qa_warehouse.load.ingest.loader import LoadOutcome, QuarantinedFiles, ingest_extract, ingest_file, landing_files

__all__ = ["LoadOutcome", "QuarantinedFiles", "ingest_extract", "ingest_file", "landing_files"]

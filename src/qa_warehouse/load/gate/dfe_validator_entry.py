"""Run DfE's 903 validator (csc-validator-be-903) on one delivery's files and print its findings as JSON.

This file runs in the DfE environment (.venv-dfe: pandas<2, numpy<1.25), never in the project's, so
it imports nothing from qa_warehouse; qa_warehouse.load.gate.dfe starts it as a subprocess. It reads
one JSON request on stdin:

    {"ruleset": "lac2024_25", "collection_year": "2025", "local_authority": "E10000034",
     "files": ["/tmp/.../903_header.csv", ...], "previous_year_files": [...]}

and writes one JSON document on stdout: each rule's code and message, the rules that could not run,
and every flagged row as {rule, table, row (0-based, the CSV's data row order), child}.
"""

from __future__ import annotations

import importlib
import json
import logging
import sys


def main() -> int:
    request = json.load(sys.stdin)
    result_stream = sys.stdout
    sys.stdout = sys.stderr  # some rules print: stdout carries only the JSON result
    logging.disable(logging.WARNING)  # the validator logs every rule at INFO: stdout stays JSON only
    if "list_rules" in request:  # {"list_rules": ["lac2024_25", ...]}: each ruleset's rule codes and messages
        json.dump(
            {
                name: {
                    code: rule.message
                    for code, rule in importlib.import_module(f"lac_validator.rules.{name}").registry.items()
                }
                for name in request["list_rules"]
            },
            result_stream,
        )
        return 0
    from lac_validator.lac_validator import LacValidator
    from lac_validator.types import UploadError
    from lac_validator.utils import process_uploaded_files

    registry = importlib.import_module(f"lac_validator.rules.{request['ruleset']}").registry
    files = process_uploaded_files(
        {"This year": request["files"], "Prev year": request.get("previous_year_files") or []}
    )
    try:
        validator = LacValidator(
            metadata={"collectionYear": request["collection_year"], "localAuthority": request["local_authority"]},
            files=files,
            registry=registry,
            selected_rules=None,
        )
    except UploadError as refused:  # the validator could not read the delivery (an unknown column set...)
        json.dump({"refused": str(refused)}, result_stream)
        return 0
    findings = []
    for table, frame in validator.ds_results.items():
        if table == "metadata" or table.endswith("_last"):
            continue
        flagged = [c for c in frame.columns if str(c).startswith("ERR_")]
        for column in flagged:
            rows = frame.index[frame[column].fillna(False).astype(bool)]
            for row in rows:
                child = frame.at[row, "CHILD"] if "CHILD" in frame.columns else None
                findings.append(
                    {
                        "rule": column[4:],
                        "table": table,
                        "row": int(row),
                        "child": None if child is None or child != child else str(child),
                    }
                )
    json.dump(
        {
            "messages": {code: rule.message for code, rule in registry.items()},
            "could_not_run": sorted(map(str, validator.fails)),
            "findings": findings,
        },
        result_stream,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

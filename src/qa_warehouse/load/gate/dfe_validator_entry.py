"""Run DfE's 903 or CIN validator (csc-validator-be-903, -cin) on one delivery and print its findings as JSON.

This file runs in the DfE environment (.venv-dfe: pandas<2, numpy<1.25), never in the project's, so
it imports nothing from qa_warehouse; qa_warehouse.load.gate.dfe starts it as a subprocess. It reads
one JSON request on stdin:

    {"ruleset": "lac2024_25", "collection_year": "2025", "local_authority": "E10000034",
     "files": ["/tmp/.../903_header.csv", ...], "previous_year_files": [...]}

or, for the children in need census, {"collection": "cin", "ruleset": "cin2024_25", "file": "/tmp/.../cin.xml"};
and writes one JSON document on stdout: each rule's code and message, the rules that could not run,
and every flagged row as {rule, table, row (0-based, the CSV's data row order, or the CIN validator's
row of its table), child}; a CIN rule about the return as a whole has table and row null.
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
    package = "cin_validator" if request.get("collection") == "cin" else "lac_validator"
    if "list_rules" in request:  # {"list_rules": ["lac2024_25", ...]}: each ruleset's rule codes and messages
        json.dump(
            {
                name: {
                    str(rule.code): rule.message
                    for rule in importlib.import_module(f"{package}.rules.{name}").registry.values()
                }
                for name in request["list_rules"]
            },
            result_stream,
        )
        return 0
    if package == "cin_validator":
        json.dump(_validate_cin(request), result_stream)
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


def _validate_cin(request: dict) -> dict:
    import contextlib
    import io
    import xml.etree.ElementTree as ET

    from cin_validator import cin_validator

    registry = importlib.import_module(f"cin_validator.rules.{request['ruleset']}").registry
    try:  # the file is the gate's own rendering of raw rows (cin_xml.write_return), never a delivery
        root = ET.parse(request["file"]).getroot()
        _one_review_a_reviews_element(root)
        data = cin_validator.process_data(cin_validator.convert_data(root))
    except Exception as refused:
        return {"refused": f"{type(refused).__name__}: {refused}"}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):  # the validator prints "Error with rule X: ..." and carries on
        validator = cin_validator.CinValidator(data, registry)
    could_not_run = sorted(
        {
            line.split("Error with rule ", 1)[1].split(":", 1)[0]
            for line in printed.getvalue().splitlines()
            if "Error with rule " in line
        }
    )
    findings = []
    for issue in validator.full_issue_df.to_dict("records"):
        child = issue.get("child_id")
        findings.append(
            {
                "rule": str(issue["rule_code"]),
                "table": issue.get("tables_affected"),
                "column": issue.get("columns_affected"),
                "row": None if issue.get("row_id") != issue.get("row_id") else int(issue["row_id"]),
                "child": None if child is None or child != child else str(child),
            }
        )
    for issue in validator.multichild_issues.to_dict("records"):  # about the return as a whole
        findings.append({"rule": str(issue["rule_code"]), "table": None, "column": None, "row": None, "child": None})
    return {
        "messages": {str(rule.code): rule.message for rule in registry.values()},
        "could_not_run": could_not_run,
        "findings": findings,
    }


def _one_review_a_reviews_element(root) -> None:
    """DfE's return lists a plan's reviews as CPPreviewDate elements in one Reviews element; the
    validator (cin_validator/ingress.py, create_Reviews) reads only the first date of each Reviews.
    Each review gets a Reviews element of its own, so that DfE's rules check every review."""
    import xml.etree.ElementTree as ET

    for plan in root.iter("ChildProtectionPlans"):
        for reviews in plan.findall("Reviews"):
            dates = reviews.findall("CPPreviewDate")
            if len(dates) > 1:
                at = list(plan).index(reviews)
                plan.remove(reviews)
                for offset, review in enumerate(dates):
                    single = ET.Element("Reviews")
                    single.append(review)
                    plan.insert(at + offset, single)


if __name__ == "__main__":
    sys.exit(main())

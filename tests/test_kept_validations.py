"""The gate keeps each validation's GX result for Data Docs: failing-row lists cut short, the file
named in its meta, and only the newest KEPT_VALIDATIONS kept."""

from __future__ import annotations

import json
import os

from qa_warehouse.load.gate import validate


class Result:
    """What keep_validation_result reads of GX's ExpectationSuiteValidationResult."""

    batch_id = "warehouse-carer_visits__load7"

    def __init__(self, rows: int):
        self.rows = rows

    def to_json_dict(self) -> dict:
        listed = list(range(self.rows))
        return {
            "success": False,
            "suite_name": "carer_visits",
            "meta": {"validation_time": "2025-04-07T01:02:03+00:00"},
            "results": [
                {
                    "success": False,
                    "result": {
                        "unexpected_count": self.rows,
                        "unexpected_list": listed,
                        "unexpected_index_list": listed,
                        "partial_unexpected_list": listed,
                        "details": {"unexpected_rows": [{"_source_row": n} for n in listed]},
                    },
                }
            ],
        }


def test_a_kept_result_is_cut_short_and_names_its_file(tmp_path, monkeypatch):
    monkeypatch.setenv("QA_WAREHOUSE_HOME", str(tmp_path))
    path = validate.keep_validation_result(Result(5000), "carer_visits__load7", "carer_visits_885_20250407.csv")
    assert path == tmp_path / "gx" / "validations" / "carer_visits__load7.json"
    kept = json.loads(path.read_text(encoding="utf-8"))
    assert kept["meta"]["file_name"] == "carer_visits_885_20250407.csv"
    assert kept["meta"]["load_table"] == "carer_visits__load7"
    assert kept["meta"]["batch_identifier"] == Result.batch_id
    found = kept["results"][0]["result"]
    assert found["unexpected_count"] == 5000  # the true count stays
    assert "unexpected_list" not in found and "unexpected_index_list" not in found
    assert len(found["partial_unexpected_list"]) == len(found["details"]["unexpected_rows"]) == validate.KEPT_ROWS


def test_only_the_newest_validations_are_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("QA_WAREHOUSE_HOME", str(tmp_path))
    monkeypatch.setattr(validate, "KEPT_VALIDATIONS", 3)
    for load in range(1, 6):
        path = validate.keep_validation_result(Result(1), f"carer_visits__load{load}", f"file{load}.csv")
        os.utime(path, (load, load))  # the order they were kept in, whatever the clock's resolution
    assert sorted(p.name for p in path.parent.glob("*.json")) == [
        "carer_visits__load3.json",
        "carer_visits__load4.json",
        "carer_visits__load5.json",
    ]

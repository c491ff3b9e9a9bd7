"""The extract contracts are the single source: the GX suites beside them must match them."""

import json

import pytest

from qa_warehouse.load.contracts import all_contracts, get_contract, load_order, recognise
from qa_warehouse.load.gate.suites import build_suite_document, render, suite_path

FOSTERING_EXTRACTS = {
    "carer_households",
    "carer_visits",
    "carer_reviews",
    "carer_supervisions",
    "carer_training",
    "notifications",
}
QUALITY_ASSURANCE_EXTRACTS = {"case_file_audits", "audit_actions", "feedback", "complaints"}


def test_every_extract_of_the_contract_built_so_far_has_a_contract_file():
    assert set(all_contracts()) >= FOSTERING_EXTRACTS | QUALITY_ASSURANCE_EXTRACTS


def test_every_contract_starts_with_la_code_and_names_its_key():
    for contract in all_contracts().values():
        assert contract.column_names[0] == "la_code"
        assert set(contract.key) <= set(contract.column_names)


def test_referenced_extracts_load_first():
    order = load_order()
    for contract in all_contracts().values():
        for upstream in contract.upstream_extracts:
            assert order.index(upstream) < order.index(contract.extract)


@pytest.mark.parametrize("extract", sorted(all_contracts()))
def test_committed_suite_matches_its_contract(extract):
    committed = suite_path(extract).read_text(encoding="utf-8")
    assert committed == render(build_suite_document(get_contract(extract))), (
        f"load/contracts/{extract}.suite.json is stale: run `qa-warehouse suites`"
    )


def test_suites_cover_every_rule_kind_the_issue_names():
    rules = {e["meta"]["rule"] for e in json.loads(suite_path("carer_visits").read_text())["expectations"]}
    assert {
        "required",
        "allowed_codes",
        "key_unique",
        "date_possible",
        "reference_resolves",
        "la_code_matches_file",
    } <= rules


@pytest.mark.parametrize(
    "name, expected",
    [
        ("carer_visits_885_20240331.csv", ("carer_visits", "885", "2024-03-31")),
        ("CARER_VISITS_885_20240331.CSV", ("carer_visits", "885", "2024-03-31")),
        ("notifications_301_20250101.csv", ("notifications", "301", "2025-01-01")),
    ],
)
def test_landing_file_names_are_recognised(tmp_path, name, expected):
    found = recognise(tmp_path / name)
    assert (found.extract, found.la_code, found.extract_date.isoformat()) == expected


@pytest.mark.parametrize(
    "name",
    [
        "carer_visits_885.csv",
        "visits_885_20240331.csv",
        "carer_visits_885_20241331.csv",
        "carer_visits_88_20240331.csv",
        "carer_visits_885_20240331.txt",
    ],
)
def test_other_file_names_are_not_recognised(tmp_path, name):
    assert recognise(tmp_path / name) is None


@pytest.mark.parametrize(
    "name, expected",
    [
        ("903_header_885_20250331.csv", ("ssda903_header", "885", "2025-03-31")),
        ("903_Episodes_885_20250331.CSV", ("ssda903_episodes", "885", "2025-03-31")),
        ("903_placed_adoption_301_20250430.csv", ("ssda903_placed_adoption", "301", "2025-04-30")),
        ("903_sw_episodes_301_20250430.csv", ("ssda903_sw_episodes", "301", "2025-04-30")),
        ("child_visits_885_20250331.csv", ("child_visits", "885", "2025-03-31")),
    ],
)
def test_903_files_are_recognised_by_their_dfe_stem(tmp_path, name, expected):
    found = recognise(tmp_path / name)
    assert (found.extract, found.la_code, found.extract_date.isoformat()) == expected


@pytest.mark.parametrize(
    "name", ["ssda903_header_885_20250331.csv", "903_header_885_20250331.xlsx", "903_headers_885_20250331.csv"]
)
def test_903_files_named_otherwise_are_not_recognised(tmp_path, name):
    assert recognise(tmp_path / name) is None


def test_903_layouts_have_no_la_code_column_and_report_the_child():
    for extract in ("ssda903_header", "ssda903_episodes", "ssda903_missing"):
        contract = get_contract(extract)
        assert contract.la_code_from_file_name and contract.subject == "child"
        assert contract.file_name_stem == "903_" + extract.removeprefix("ssda903_")
        rules = {e["meta"]["rule"] for e in build_suite_document(contract)["expectations"]}
        assert "la_code_matches_file" not in rules  # nothing to match: the name is where it comes from
    rules = {e["meta"]["rule"] for e in build_suite_document(get_contract("ssda903_episodes"))["expectations"]}
    # DfE's own rules run in DfE's validator (load/ssda903_delivery.py), not as copies in our suites;
    # ours keep what DfE does not check, such as a child with no Header row.
    assert {"reference_resolves", "episode_not_before_birth", "key_unique"} <= rules
    assert not {rule for rule in rules if rule.startswith("dfe_")}

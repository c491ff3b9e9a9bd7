"""The synthetic recruitment extract: it keeps its contract's rules, is coherent with the same
authority's fostering register, and has the funnel's shape (withdrawals at every stage)."""

from __future__ import annotations

from datetime import date

import pytest

from qa_warehouse_synthetic import generate_extracts
from tests.reference.quality_assurance import read_csv, typed_rows
from tests.reference.recruitment import withdrawn_from

AS_AT = date(2025, 3, 31)
STAGE_COLUMNS = (
    "enquiry_date",
    "initial_visit_date",
    "application_date",
    "assessment_start_date",
    "panel_date",
    "approval_date",
)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("recruitment")
    generate_extracts(
        folder, households=60, years=2, authorities=3, seed=5, as_at=AS_AT, areas=("fostering", "recruitment")
    )
    return {
        la: (
            typed_rows("recruitment", read_csv(folder / f"recruitment_{la}_20250331.csv"), "recruitment"),
            typed_rows("carer_households", read_csv(folder / f"carer_households_{la}_20250331.csv"), "households"),
        )
        for la in ("885", "886", "887")
    }


def test_every_enquiry_keeps_the_contract_rules(files):
    for la, (enquiries, _) in files.items():
        assert len({e["enquiry_id"] for e in enquiries}) == len(enquiries) >= 200
        for e in enquiries:
            assert e["la_code"] == la
            dates = [e[c] for c in STAGE_COLUMNS if e[c] is not None]
            assert dates == sorted(dates) and max(dates) <= AS_AT, e
            assert (e["withdrawn_date"] is None) == (e["withdrawal_reason"] is None), e
            assert not (e["approval_date"] and e["withdrawn_date"]), e
            assert e["approval_date"] is None or e["panel_date"] is not None, e
            if e["withdrawn_date"]:
                assert e["withdrawn_date"] >= max(dates) and e["withdrawn_date"] <= AS_AT, e
            if e["reg24_start_date"]:
                assert e["carer_type"] == "kinship"
                assert e["reg24_end_date"] is None or e["reg24_start_date"] <= e["reg24_end_date"] <= AS_AT, e


def test_approvals_are_the_registers_approvals(files):
    for la, (enquiries, households) in files.items():
        approved = sorted((e["approval_date"], e["carer_type"]) for e in enquiries if e["approval_date"])
        first = min(d for d, _ in approved)
        register = sorted(
            (h["approval_date"], h["carer_type"])
            for h in households
            if h["approval_date"] and h["approval_date"] >= first
        )
        assert approved == register and approved, la
        in_assessment = sum(h["status"] == "in_assessment" for h in households)
        in_progress = [
            e for e in enquiries if e["assessment_start_date"] and not e["approval_date"] and not e["withdrawn_date"]
        ]
        assert len(in_progress) >= in_assessment


def test_the_funnel_has_withdrawals_at_every_stage_and_reg24_on_both_sides_of_16_weeks(files):
    stages, reasons, lengths = set(), set(), []
    for enquiries, _ in files.values():
        stages |= {withdrawn_from(e) for e in enquiries if e["withdrawn_date"]}
        reasons |= {e["withdrawal_reason"] for e in enquiries if e["withdrawal_reason"]}
        lengths += [(e["reg24_end_date"] - e["reg24_start_date"]).days for e in enquiries if e["reg24_end_date"]]
    assert stages == {"enquiry", "initial_visit", "application", "assessment", "after_panel"}
    assert len(reasons) >= 6
    assert min(lengths) <= 112 < max(lengths)


def test_the_recruitment_stream_leaves_the_other_files_unchanged(tmp_path, files):
    with_recruitment = generate_extracts(
        tmp_path / "a",
        households=30,
        years=1,
        seed=2,
        as_at=AS_AT,
        areas=("fostering", "quality_assurance", "recruitment"),
    )
    without = generate_extracts(
        tmp_path / "b", households=30, years=1, seed=2, as_at=AS_AT, areas=("fostering", "quality_assurance")
    )
    others = {p.name: p.read_bytes() for p in with_recruitment if not p.name.startswith("recruitment_")}
    assert others == {p.name: p.read_bytes() for p in without}

"""The dbt project's conventions, checked over the manifest `dbt parse` writes (no database needed).

- only staging models read `source()`;
- every published (reporting) model has an enforced contract, a description and a description
  for every column;
- model names say their layer: stg_ in staging, int_ in intermediate, fct_/dim_ (or a bridge_
  table) in marts, no layer prefix in reporting;
- no model refs a model of a later layer (staging -> intermediate -> marts -> reporting and
  restricted).

Each failure names the offending models. Parse does not connect, so the profile's connection
values are placeholders.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qa_warehouse.settings import DBT_PROJECT_DIR

# The layer of a model is the first folder under models/; its rank orders the flow.
LAYER_RANK = {"staging": 0, "intermediate": 1, "marts": 2, "reporting": 3, "restricted": 3}
LAYER_PREFIXES = {
    "staging": ("stg_",),
    "intermediate": ("int_",),
    # bridge_: a many-to-many bridge between a fact and a dimension (bridge_qa_feedback_answer_themes)
    "marts": ("fct_", "dim_", "bridge_"),
}
LAYER_PREFIX_NAMES = ("stg_", "int_", "fct_", "dim_", "bridge_")
# Published tables whose name issue 18 fixes with a layer prefix, each with why.
PREFIXED_PUBLISHED_NAMES = {
    "dim_authority": "the authority dimension BI tools join on la_code; issue 18 names it reporting.dim_authority",
    "dim_date": "the date dimension BI tools relate period_end to; issue 19 names it reporting.dim_date",
    "dim_team": "the team dimension BI tools relate la_code and team to; issue 19 names it reporting.dim_team",
}

# Refs to a later layer that exist today, each with why; a new one fails, and so does an entry
# here that no longer exists (remove it when the model is moved).
KNOWN_LATER_LAYER_REFS = {
    # The calendar dimension is built from nothing but dates; the intermediate period spines join it.
    ("int_reporting_measure_counts", "dim_calendar"): "calendar",
    ("int_children_in_care_reporting_periods", "dim_calendar"): "calendar",
    ("int_quality_assurance_reporting_quarters", "dim_calendar"): "calendar",
    ("int_recruitment_reporting_months", "dim_calendar"): "calendar",
    # The long form of every headline measure counts the facts; it belongs after marts.
    ("int_reporting_measure_counts", "fct_fostering_kpi"): "measures over facts",
    ("int_reporting_measure_counts", "fct_qa_audits"): "measures over facts",
    ("int_reporting_measure_counts", "fct_qa_audit_actions"): "measures over facts",
    ("int_reporting_measure_counts", "fct_qa_feedback_answers"): "measures over facts",
    ("int_reporting_measure_counts", "fct_qa_complaints"): "measures over facts",
    ("int_children_in_care_scorecard_measures", "fct_children_in_care_care_measures"): "measures over facts",
    ("int_children_in_care_scorecard_measures", "fct_children_in_care_placement_measures"): "measures over facts",
    ("int_reporting_measure_counts", "fct_children_in_need_measures"): "measures over facts",
    ("int_reporting_measure_counts", "fct_workforce_monthly"): "measures over facts",
    ("int_reporting_measure_counts", "fct_residential_home_months"): "measures over facts",
    ("int_reporting_measure_counts", "fct_recruitment_enquiries"): "measures over facts",
}


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, dict]:
    """Every model node of the project's manifest, by unique id."""
    target = tmp_path_factory.mktemp("dbt_target")
    env = {
        **os.environ,
        "QA_WAREHOUSE_DB_HOST": "localhost",  # parse renders the profile but never connects
        "QA_WAREHOUSE_DB_PORT": "5432",
        "QA_WAREHOUSE_DB_USER": "parse",
        "QA_WAREHOUSE_DB_NAME": "parse",
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    command = [
        sys.executable,
        "-c",
        "from dbt.cli.main import cli; cli()",
        "parse",
        "--no-partial-parse",
        "--quiet",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target),
        "--log-path",
        str(target / "logs"),
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"dbt parse failed:\n{result.stdout}\n{result.stderr}"
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    return {key: node for key, node in manifest["nodes"].items() if node["resource_type"] == "model"}


def layer(node: dict) -> str:
    return Path(node["original_file_path"]).parts[1]  # models/<layer>/...


def test_every_model_is_in_a_known_layer(models):
    unknown = sorted(
        f"{node['name']} ({node['original_file_path']})" for node in models.values() if layer(node) not in LAYER_RANK
    )
    assert not unknown, f"models outside the layers {sorted(LAYER_RANK)}: {unknown}"


def test_only_staging_reads_sources(models):
    offenders = sorted(
        f"{node['name']} ({layer(node)}) reads {', '.join('.'.join(source) for source in node['sources'])}"
        for node in models.values()
        if node["sources"] and layer(node) != "staging"
    )
    assert not offenders, "only staging models may call source():\n" + "\n".join(offenders)


def test_every_reporting_model_has_an_enforced_contract_and_descriptions(models):
    problems = []
    for node in models.values():
        if layer(node) != "reporting":
            continue
        if not (node["config"].get("contract") or {}).get("enforced"):
            problems.append(f"{node['name']}: contract not enforced")
        if not node["description"].strip():
            problems.append(f"{node['name']}: no description")
        if not node["columns"]:
            problems.append(f"{node['name']}: no columns documented")
        for column in node["columns"].values():
            if not (column.get("description") or "").strip():
                problems.append(f"{node['name']}.{column['name']}: no description")
    assert not problems, "reporting models are published, so documented and contract enforced:\n" + "\n".join(problems)


def test_model_names_say_their_layer(models):
    offenders = []
    for node in models.values():
        name, where = node["name"], layer(node)
        if where in LAYER_PREFIXES and not name.startswith(LAYER_PREFIXES[where]):
            offenders.append(f"{name} in {where} does not start with {' or '.join(LAYER_PREFIXES[where])}")
        if where == "reporting" and name.startswith(LAYER_PREFIX_NAMES) and name not in PREFIXED_PUBLISHED_NAMES:
            offenders.append(f"{name} in reporting carries a layer prefix (published tables have plain names)")
    assert not offenders, "model names say their layer:\n" + "\n".join(sorted(offenders))


def test_no_model_refs_a_later_layer(models):
    later = set()
    for node in models.values():
        for parent_id in node["depends_on"]["nodes"]:
            parent = models.get(parent_id)
            if parent is None:  # a seed
                continue
            if LAYER_RANK[layer(parent)] > LAYER_RANK[layer(node)] or (
                LAYER_RANK[layer(parent)] == LAYER_RANK[layer(node)] and layer(parent) != layer(node)
            ):
                later.add((node["name"], parent["name"], layer(node), layer(parent)))
    new = sorted(
        f"{name} ({where}) refs {parent} ({parent_layer})"
        for name, parent, where, parent_layer in later
        if (name, parent) not in KNOWN_LATER_LAYER_REFS
    )
    assert not new, "a model refs a model of a later (or sibling) layer:\n" + "\n".join(new)
    gone = sorted(set(KNOWN_LATER_LAYER_REFS) - {(name, parent) for name, parent, _, _ in later})
    assert not gone, f"no longer refs a later layer, remove from KNOWN_LATER_LAYER_REFS: {gone}"

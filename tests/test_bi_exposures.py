"""Every published (reporting) model is in a dbt exposure, and every exposure says where it is
(`url`), so `dbt ls --select +exposure:<name>` and the docs site show who reads each table and
where to find it (docs/bi.md). Reads the project's files: no database, no dbt parse."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from qa_warehouse.settings import DBT_PROJECT_DIR

REPORTING = DBT_PROJECT_DIR / "models" / "reporting"
REPOSITORY = Path(__file__).resolve().parents[1]
REF = re.compile(r"""^ref\(\s*['"]([a-z0-9_]+)['"]\s*\)$""")


@pytest.fixture(scope="module")
def exposures() -> list[dict]:
    found = []
    for path in sorted(REPORTING.rglob("*.yml")):
        found += (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("exposures") or []
    return found


def reporting_models() -> set[str]:
    return {path.stem for path in REPORTING.rglob("*.sql")}


def referenced(exposure: dict) -> set[str]:
    names = set()
    for entry in exposure.get("depends_on") or []:
        match = REF.match(entry.strip())
        assert match, f"exposure {exposure['name']}: depends_on entry {entry!r} is not ref('<model>')"
        names.add(match.group(1))
    return names


def test_the_project_has_reporting_models_and_exposures(exposures):
    assert {"dim_date", "dim_team", "dim_authority", "report_measures", "measure_values"} <= reporting_models()
    assert len(exposures) >= 5


def test_every_reporting_model_is_in_an_exposure(exposures):
    exposed = set().union(*(referenced(e) for e in exposures))
    missing = sorted(reporting_models() - exposed)
    assert not missing, f"reporting models in no exposure (add them to models/reporting/_exposures.yml): {missing}"


def test_every_exposure_names_existing_reporting_models(exposures):
    models = reporting_models()
    unknown = sorted(f"{e['name']}: {name}" for e in exposures for name in referenced(e) - models)
    assert not unknown, f"exposures name models that are not in models/reporting: {unknown}"


def test_every_exposure_has_a_url_and_an_owner(exposures):
    """A url is a web address (a Metabase dashboard on the compose stack) or a document in this
    repository (the docs page that says how to run a CLI report), which must exist."""
    problems = []
    for exposure in exposures:
        url = str(exposure.get("url") or "")
        is_web_address = re.match(r"^https?://\S+$", url) is not None
        if not is_web_address and not (url and (REPOSITORY / url.split("#")[0]).is_file()):
            problems.append(f"{exposure['name']}: url {url!r}")
        if not (exposure.get("owner") or {}).get("name"):
            problems.append(f"{exposure['name']}: no owner")
    assert not problems, f"each exposure needs an http(s) url or a repository document, and an owner: {problems}"

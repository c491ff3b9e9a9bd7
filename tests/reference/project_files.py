"""Where the references find the project's own files (seeds, contracts): read as files, never imported.

One place, so a move of the source tree changes one line rather than every reference.
"""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGE_DIR = REPO_ROOT / "src" / "qa_warehouse"
SEEDS_DIR = PACKAGE_DIR / "build" / "dbt_project" / "seeds"
CONTRACTS_DIR = PACKAGE_DIR / "load" / "contracts"
DAGS_DIR = PACKAGE_DIR / "orchestration" / "dags"

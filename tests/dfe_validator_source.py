"""Read DfE's 903 validator (csc-validator-be-903, in .venv-dfe) as source text, never importing it.

The validator needs pandas<2 and numpy<1.25, which the project's environment does not have, so the
tests parse its modules with `ast`: config.column_names (the layouts) and the code lists in the
rule modules of each ruleset (lac2022_23 ... lac2026_27). A ruleset is the previous year's rules,
with that year's rule files added or replacing them and the codes in its __init__'s del_list removed
(lac_validator.rules.ruleset_utils.update_validator_functions).
"""

from __future__ import annotations

import ast
import os
from functools import cache
from pathlib import Path

from qa_warehouse.load.gate.dfe import (
    FIRST_RULESET_YEAR,
    LAST_RULESET_YEAR,
    DfeValidatorUnavailable,
    dfe_python,
)

RULESET_YEARS = tuple(range(FIRST_RULESET_YEAR, LAST_RULESET_YEAR + 1))


def ruleset_name(year: int) -> str:
    return f"lac{year}_{(year + 1) % 100:02d}"


def collection_year_label(year: int) -> str:
    """2024 -> '2024/25', as the seed ssda903_codes writes collection years."""
    return f"{year}/{(year + 1) % 100:02d}"


@cache
def validator_package() -> Path | None:
    """lac_validator's source folder in the DfE environment, or None when it is not installed."""
    try:
        python = dfe_python()
    except DfeValidatorUnavailable:
        return None
    # .venv-dfe/bin/python -> .venv-dfe/lib/python3.X/site-packages/lac_validator (not resolved:
    # the venv's python is a symlink to the system interpreter).
    venv = Path(os.path.abspath(python)).parent.parent
    found = sorted(venv.glob("lib/python3*/site-packages/lac_validator/config.py"))
    return found[-1].parent if found else None


def _literal(node: ast.AST):
    return ast.literal_eval(node)


@cache
def dfe_column_names() -> dict[str, list[str]]:
    """config.column_names: DfE's table name -> its columns, in order."""
    package = validator_package()
    assert package is not None
    tree = ast.parse((package / "config.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "column_names" for t in node.targets):
            return _literal(node.value)
    raise AssertionError("lac_validator/config.py has no column_names")


@cache
def deleted_rules(year: int) -> frozenset[str]:
    """The rule codes a ruleset's __init__ deletes from the previous year's (its del_list)."""
    package = validator_package()
    assert package is not None
    tree = ast.parse((package / "rules" / ruleset_name(year) / "__init__.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign):
            target = node.targets[0]
        if getattr(target, "id", None) == "del_list" and node.value is not None:  # type: ignore[union-attr]
            return frozenset(_literal(node.value))  # type: ignore[union-attr]
    return frozenset()


def rule_file(rule: str, year: int) -> Path | None:
    """The file of `rule` in effect in the ruleset of `year` (None when the rule is not in it)."""
    package = validator_package()
    assert package is not None
    current = None
    for ruleset_year in range(FIRST_RULESET_YEAR, year + 1):
        candidate = package / "rules" / ruleset_name(ruleset_year) / f"rule_{rule}.py"
        if candidate.is_file():
            current = candidate
        if rule in deleted_rules(ruleset_year):
            current = None
    return current


def rule_list(rule: str, variable: str, year: int) -> list[str]:
    """The list of string codes assigned to `variable` in `rule`'s validate function, as the
    ruleset of `year` has it (and the line it is on, for messages: see rule_list_line)."""
    path = rule_file(rule, year)
    assert path is not None, f"rule {rule} is not in {ruleset_name(year)}"
    return _rule_list_node(path, variable)[0]


def rule_list_line(rule: str, variable: str, year: int) -> str:
    path = rule_file(rule, year)
    assert path is not None
    package = validator_package()
    assert package is not None
    return f"lac_validator/{path.relative_to(package)}:{_rule_list_node(path, variable)[1]}"


@cache
def _rule_list_node(path: Path, variable: str) -> tuple[list[str], int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    validate = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "validate")
    for node in ast.walk(validate):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == variable for t in node.targets):
            return list(_literal(node.value)), node.lineno
    raise AssertionError(f"{path}: validate() assigns no list to {variable}")

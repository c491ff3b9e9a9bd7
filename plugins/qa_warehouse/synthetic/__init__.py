"""Synthetic landing files for tests, demos and benchmarks: realistic, deterministic, and
optionally carrying named defects for the gate to catch."""
from qa_warehouse.synthetic.defects import DEFECTS, Defect
from qa_warehouse.synthetic.files import landing_file_name
from qa_warehouse.synthetic.fostering import LA_CODES, generate_fostering_extracts

__all__ = ["DEFECTS", "Defect", "LA_CODES", "generate_fostering_extracts", "landing_file_name"]

"""Independent reference computations for the integration tests.

Each module here recomputes published figures straight from the landing files with plain
Python, following the written definitions (/work/shared/EXTRACTS.md and the test briefs). They
must never import the ``qa_warehouse`` package or touch a database: their value is that they
share no code with the pipeline they check.
"""

"""qa-warehouse: extracts in, gated by GX, modelled by dbt, published for BI.

The package is importable without Airflow; the DAG files in ../../dags are thin wrappers
over `qa_warehouse.pipeline`.
"""

"""qa-warehouse: extracts in, gated by GX, modelled by dbt, published for BI.

The flow reads top to bottom: load/ (contracts, gates, raw), build/ (seeds, dbt), publish/
(swap, editions, disclosure), reports/ (what readers receive). orchestration/ wraps the flow in
Airflow DAGs and is the only package that imports Airflow; the rest runs without it.
"""

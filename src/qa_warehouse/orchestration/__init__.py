"""The Airflow wing: the DAGs, their tasks, timetables, assets, alerts and the plugin.

The only package that imports Airflow; the rest of qa_warehouse runs without it.
"""

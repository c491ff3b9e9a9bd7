"""Running the whole stack on one machine: the embedded PostgreSQL and a standalone Airflow."""

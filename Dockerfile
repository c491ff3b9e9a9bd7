# The qa-warehouse Airflow image: the official Airflow image with this project installed, for
# every Airflow service of docker-compose.yml. The Airflow version must be the apache-airflow pin
# in pyproject.toml, on Python 3.11 (tests/test_docker_compose.py checks both).
FROM apache/airflow:3.3.2-python3.11

# Folders the stack mounts volumes on, created owned by the airflow user so that a new named
# volume starts with that owner (airflow-init also hands them to AIRFLOW_UID).
USER root
# Pango, for WeasyPrint's PDF of Performance on a Page (`qa-warehouse page --pdf`).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    && apt-get clean && rm -rf /var/lib/apt/lists/*
RUN mkdir -p /opt/qa-warehouse /var/lib/qa-warehouse /data/landing /data/quarantine \
    && chown -R airflow:0 /opt/qa-warehouse /var/lib/qa-warehouse /data \
    && chmod -R g+rwX /opt/qa-warehouse /var/lib/qa-warehouse /data
USER airflow

WORKDIR /opt/qa-warehouse

# The package and its pinned dependencies first, so that editing a DAG, a dbt model or a suite
# does not reinstall them. The DAGs, dbt project, contracts and suites ship inside the package
# (src/qa_warehouse); editable, so the image runs the files of this checkout.
# apache-airflow is held at the base image's version (AIRFLOW_VERSION is set by that image), and
# the providers the stack relies on, which the base image ships, are named so they stay.
COPY --chown=airflow:0 pyproject.toml README.md ./
COPY --chown=airflow:0 src/ ./src/
RUN pip install --no-cache-dir \
        "apache-airflow==${AIRFLOW_VERSION}" \
        apache-airflow-providers-celery \
        apache-airflow-providers-fab \
        apache-airflow-providers-postgres \
        apache-airflow-providers-redis \
        -e .

# DfE's validators in their own environment (they pin pandas<2): the gate runs them as a subprocess.
COPY --chown=airflow:0 constraints-dfe.txt ./
RUN python -m venv /opt/qa-warehouse/dfe-venv \
    && /opt/qa-warehouse/dfe-venv/bin/pip install --no-cache-dir -c constraints-dfe.txt \
        csc-validator-be-903 csc-validator-be-cin pandas numpy

# The rest of the checkout: deployment files, docs (.dockerignore keeps state and secrets out).
COPY --chown=airflow:0 . .

ENV AIRFLOW__CORE__DAGS_FOLDER=/opt/qa-warehouse/src/qa_warehouse/orchestration/dags \
    QA_WAREHOUSE_HOME=/var/lib/qa-warehouse \
    DO_NOT_TRACK=1 \
    GX_ANALYTICS_ENABLED=false \
    QA_WAREHOUSE_DFE_PYTHON=/opt/qa-warehouse/dfe-venv/bin/python

WORKDIR /opt/airflow

"""The production docker-compose stack, checked without Docker.

No Docker engine runs here, so docker-compose.yml is validated instead of started: against the
compose specification's JSON schema (as check-jsonschema ships it), for the services the stack
needs, and against docs/deployment.md, .env.example and the Dockerfile, which must name
everything it uses. The Metabase setup script and its dashboards are tested against a fake Metabase
in tests/test_metabase_dashboards.py.
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.resources
import importlib.util
import json
import re
import shlex
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCS = REPO / "docs" / "deployment.md"
ENV_EXAMPLE = REPO / ".env.example"
DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
SETUP_SCRIPT = REPO / "deploy" / "metabase" / "setup_metabase.py"

AIRFLOW_COMMANDS = {  # service -> its `airflow ...` subcommand
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-worker": "celery worker",
    "airflow-triggerer": "triggerer",
    "flower": "celery flower",
}
AIRFLOW_SERVICES = {*AIRFLOW_COMMANDS, "airflow-init"}
ONE_SHOT_SERVICES = {"airflow-init", "metabase-db-init", "metabase-setup"}


# ---- reading the files ---------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """safe_load (anchors and `<<` merge keys resolved) that refuses a key given twice in a mapping."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


def load_compose() -> dict:
    return yaml.load(COMPOSE_FILE.read_text(), Loader=_StrictLoader)


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_compose()


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


@functools.cache
def compose_validator():
    schema = compose_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def compose_schema() -> dict:
    vendored = importlib.resources.files("check_jsonschema.builtin_schemas.vendor")
    return json.loads(vendored.joinpath("compose-spec.json").read_text(encoding="utf-8"))


def schema_errors(document: dict) -> list[str]:
    errors = compose_validator().iter_errors(document)
    return [f"{error.json_path}: {error.message[:300]}" for error in sorted(errors, key=lambda e: e.json_path)]


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def interpolate(text: str, names: set[str] | None = None) -> str:
    """Compose's interpolation with every variable unset: defaults apply, `$$` is a literal `$`,
    and a variable without a default becomes `<NAME>`. Names read are added to `names`."""
    names = set() if names is None else names
    out, i = [], 0
    while i < len(text):
        if text[i] != "$":
            out.append(text[i])
            i += 1
        elif text.startswith("$$", i):
            out.append("$")
            i += 2
        elif text.startswith("${", i):
            depth, j = 1, i + 2
            while depth:
                if j == len(text):
                    raise ValueError(f"unclosed ${{ in {text!r}")
                depth += {"{": 1, "}": -1}.get(text[j], 0)
                j += 1
            body = text[i + 2 : j - 1]
            match = _NAME.match(body)
            if not match:
                raise ValueError(f"bad variable ${{{body}}} in {text!r}")
            name, rest = match.group(), body[match.end() :]
            names.add(name)
            if rest.startswith((":-", "-")):
                out.append(interpolate(rest.split("-", 1)[1], names))
            elif rest == "" or rest.startswith((":?", "?")):
                out.append(f"<{name}>")
            elif rest.startswith((":+", "+")):
                out.append("")
            else:
                raise ValueError(f"bad variable ${{{body}}} in {text!r}")
            i = j
        elif match := _NAME.match(text, i + 1):
            names.add(match.group())
            out.append(f"<{match.group()}>")
            i = match.end()
        else:
            out.append("$")
            i += 1
    return "".join(out)


def strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def variables_read(compose: dict) -> set[str]:
    """Every ${VAR} the compose file reads from the shell or .env."""
    names: set[str] = set()
    for text in strings_in(compose):
        interpolate(text, names)
    return names


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return {key: None if value is None else str(value) for key, value in env.items()}


def command_words(command) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else [str(word) for word in command]


def volume_mounts(service: dict) -> list[tuple[str, str, str]]:
    """(kind, source, target) of each mount, kind "volume" or "bind", defaults interpolated."""
    mounts = []
    for mount in service.get("volumes", []):
        if isinstance(mount, dict):
            mounts.append((mount["type"], interpolate(str(mount.get("source", ""))), mount["target"]))
            continue
        source, target = interpolate(mount).split(":")[:2]
        kind = "bind" if source.startswith((".", "/", "~")) else "volume"
        mounts.append((kind, source, target))
    return mounts


def published_ports(service: dict) -> list[str]:
    ports = []
    for port in service.get("ports", []):
        if isinstance(port, dict):
            ports.append(str(port["published"]))
            continue
        parts = interpolate(str(port)).split("/")[0].split(":")
        if len(parts) > 1:
            ports.append(parts[-2])
    return ports


def docs_section(heading: str) -> str:
    text = DOCS.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"docs/deployment.md has no '## {heading}' section"
    return match.group(1)


def docs_table(heading: str) -> dict[str, str]:
    """Backticked names in the first column of the section's tables -> the row they are in."""
    rows = {}
    for line in docs_section(heading).splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or set(cells[0]) <= set("-: "):
            continue
        for name in re.findall(r"`([^`]+)`", cells[0]):
            rows[name] = line
    return rows


def env_example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip().strip('"')
    return values


def project_environment_settings() -> set[str]:
    """QA_WAREHOUSE_* settings and DATABASE_URL that the package or the DAGs read from the
    environment: os.environ.get/[]/setdefault/pop and os.getenv, with a literal name or a
    module-level constant holding one."""

    def is_environ(node) -> bool:
        return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
            isinstance(node, ast.Name) and node.id == "environ"
        )

    def is_getter(func) -> bool:
        if isinstance(func, ast.Attribute) and func.attr in ("get", "setdefault", "pop") and is_environ(func.value):
            return True
        return (isinstance(func, ast.Attribute) and func.attr == "getenv") or (
            isinstance(func, ast.Name) and func.id == "getenv"
        )

    names = set()
    sources = [*(REPO / "src" / "qa_warehouse").rglob("*.py")]
    for path in sources:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            key = None
            if isinstance(node, ast.Call) and is_getter(node.func) and node.args:
                key = node.args[0]
            elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and is_environ(node.value):
                key = node.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                name = key.value
            elif isinstance(key, ast.Name):
                name = constants.get(key.id)
            else:
                continue
            if name and (name.startswith("QA_WAREHOUSE_") or name == "DATABASE_URL"):
                names.add(name)
    return names


def script_required_variables() -> set[str]:
    """The variables the setup script requires: its REQUIRED tuple, read without running it."""
    tree = ast.parse(SETUP_SCRIPT.read_text(encoding="utf-8"))
    [required] = [
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "REQUIRED" for t in node.targets)
    ]
    return set(ast.literal_eval(required))


# ---- (a) the compose specification ---------------------------------------------------------------


def test_compose_file_is_valid_against_the_compose_specification(compose):
    assert schema_errors(compose) == []


def test_compose_file_gives_no_key_twice_in_one_mapping():
    load_compose()  # _StrictLoader raises on a repeated key, which plain YAML would silently drop


# ---- (b) the services the stack needs ------------------------------------------------------------


def test_every_airflow_component_runs_its_own_airflow_command(services):
    for name, subcommand in AIRFLOW_COMMANDS.items():
        words = command_words(services[name]["command"])
        assert words[0] == "airflow" and " ".join(words[1:]) == subcommand, name


def test_airflow_services_share_one_image_environment_and_volumes(compose, services):
    common = compose["x-airflow-common"]
    assert common["build"]["context"] == "." and (REPO / common["build"].get("dockerfile", "Dockerfile")).is_file()
    for name in AIRFLOW_SERVICES:
        service = services[name]
        assert service["image"] == common["image"] and service["build"] == common["build"], name
        assert service["volumes"] == common["volumes"], name
        env = environment(service)
        assert {key: env.get(key) for key in common["environment"]} == environment(common), name


def test_airflow_runs_celery_with_a_redis_broker_and_a_postgres_metadata_database(compose, services):
    env = environment(compose["x-airflow-common"])
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert urlsplit(env["AIRFLOW__CELERY__BROKER_URL"]).hostname == "redis"
    assert services["redis"]["image"].startswith("redis:")
    metadata = urlsplit(interpolate(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]))
    assert metadata.hostname == "airflow-metadata" and metadata.scheme.startswith("postgresql")
    backend = urlsplit(interpolate(env["AIRFLOW__CELERY__RESULT_BACKEND"]))
    assert (backend.scheme, backend.hostname, backend.path) == ("db+postgresql", "airflow-metadata", metadata.path)
    assert services["airflow-metadata"]["image"].startswith("postgres:")
    assert metadata.path.lstrip("/") == environment(services["airflow-metadata"])["POSTGRES_DB"]


def test_the_warehouse_is_a_separate_postgres_18_that_airflow_reaches_as_connection_qa_warehouse(compose, services):
    warehouse = services["warehouse"]
    assert warehouse["image"] == "postgres:18"
    conn = urlsplit(interpolate(environment(compose["x-airflow-common"])["AIRFLOW_CONN_QA_WAREHOUSE"]))
    wh_env = {key: interpolate(value) for key, value in environment(warehouse).items()}
    assert (conn.scheme, conn.hostname, conn.port, conn.path.lstrip("/")) == (
        "postgresql",
        "warehouse",
        5432,
        wh_env["POSTGRES_DB"],
    )
    assert (conn.username, conn.password) == (wh_env["POSTGRES_USER"], wh_env["POSTGRES_PASSWORD"])
    assert conn.password == "<QA_WAREHOUSE_DB_PASSWORD>"  # from .env, never a literal
    data_volumes = {
        name: {source for kind, source, _ in volume_mounts(services[name]) if kind == "volume"}
        for name in ("warehouse", "airflow-metadata")
    }
    assert data_volumes["warehouse"] and data_volumes["airflow-metadata"]
    assert not data_volumes["warehouse"] & data_volumes["airflow-metadata"]


def test_airflow_settings_that_must_match_across_containers_come_from_env(compose):
    env = environment(compose["x-airflow-common"])
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
    for key, variable in [
        ("AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW_JWT_SECRET"),
        ("AIRFLOW__CORE__FERNET_KEY", "AIRFLOW_FERNET_KEY"),
        ("AIRFLOW__API__SECRET_KEY", "AIRFLOW_API_SECRET_KEY"),
    ]:
        assert env[key].startswith("${" + variable + ":?"), key
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "false"
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/qa-warehouse/src/qa_warehouse/orchestration/dags"


def test_airflow_containers_get_every_project_setting_with_folders_on_volumes(compose):
    env = environment(compose["x-airflow-common"])
    left_out = {"DATABASE_URL", "QA_WAREHOUSE_DBT_PROJECT_DIR"}  # see the docs' last environment table
    assert "DATABASE_URL" not in env, "DATABASE_URL would win over AIRFLOW_CONN_QA_WAREHOUSE"
    missing = project_environment_settings() - left_out - set(env)
    assert not missing, f"the Airflow containers cannot be given {sorted(missing)}"
    mounted = {target for _, _, target in volume_mounts(compose["x-airflow-common"])}
    for folder in ("QA_WAREHOUSE_HOME", "QA_WAREHOUSE_LANDING", "QA_WAREHOUSE_QUARANTINE"):
        assert env[folder] in mounted, f"{folder} is not on a volume: its contents would die with the container"
    assert "AIRFLOW_CONN_SMTP_DEFAULT" in env, "alert e-mails need the SMTP server"


def test_settings_adjustable_in_env_default_to_the_projects_own_defaults(compose, monkeypatch):
    from qa_warehouse.publish.swap import bi_role
    from qa_warehouse.settings import load_settings

    def project_view():
        return load_settings(), bi_role()

    passed_through = {
        key: re.fullmatch(r"\$\{" + key + r":-(.*)\}", value)
        for key, value in environment(compose["x-airflow-common"]).items()
        if key.startswith("QA_WAREHOUSE_")
    }
    defaults = {key: match.group(1) for key, match in passed_through.items() if match}
    assert "QA_WAREHOUSE_LANDING_POLL_SECONDS" in defaults
    for key, default in defaults.items():
        monkeypatch.delenv(key, raising=False)
        unset = project_view()
        monkeypatch.setenv(key, default)
        assert project_view() == unset, f"{key} defaults to {default!r} in the stack but not in the project"


def test_airflow_init_migrates_and_creates_the_admin_before_any_other_airflow_service_starts(services):
    script = " ".join(command_words(services["airflow-init"]["command"]))
    assert "airflow db migrate" in script and "airflow users create --role Admin" in script
    for name in AIRFLOW_SERVICES - {"airflow-init"}:
        assert services[name]["depends_on"]["airflow-init"] == {"condition": "service_completed_successfully"}, name


def test_airflow_init_creates_the_bi_login_with_the_code_publish_uses(services):
    script = command_words(services["airflow-init"]["command"])[-1]
    snippet = re.search(r"<<'PY'\n(.*?)\nPY\n", interpolate(script), re.S)
    assert snippet, "airflow-init runs no Python snippet"
    tree = ast.parse(snippet.group(1))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = importlib.import_module(node.module)
            for alias in node.names:
                assert hasattr(module, alias.name) or importlib.util.find_spec(f"{node.module}.{alias.name}"), (
                    f"{node.module}.{alias.name} no longer exists"
                )
    assert "ensure_roles" in snippet.group(1)


def test_metabase_is_registered_with_the_warehouse_as_the_bi_role_reading_reporting_only(services):
    assert services["metabase"]["image"].startswith("metabase/metabase:")
    setup = services["metabase-setup"]
    assert setup["depends_on"]["metabase"] == {"condition": "service_healthy"}
    assert setup["depends_on"]["airflow-init"] == {"condition": "service_completed_successfully"}
    env = environment(setup)
    assert (env["WAREHOUSE_HOST"], env["WAREHOUSE_PORT"], env["WAREHOUSE_SCHEMAS"]) == (
        "warehouse",
        "5432",
        "reporting,public_reporting",
    )
    assert env["WAREHOUSE_DB"] == environment(services["warehouse"])["POSTGRES_DB"]
    assert env["QA_WAREHOUSE_BI_ROLE"] == "${QA_WAREHOUSE_BI_ROLE:-qa_warehouse_bi}"
    assert env["QA_WAREHOUSE_BI_PASSWORD"].startswith("${QA_WAREHOUSE_BI_PASSWORD")
    assert urlsplit(env["METABASE_URL"]).hostname == "metabase"


def test_metabase_setup_service_sets_every_variable_its_script_requires(services):
    assert script_required_variables() <= set(environment(services["metabase-setup"]))


def test_metabase_keeps_its_application_data_in_postgres_not_in_the_container(services):
    env = environment(services["metabase"])
    assert env["MB_DB_TYPE"] == "postgres" and env["MB_DB_HOST"] in services
    assert services["metabase"]["depends_on"]["metabase-db-init"] == {"condition": "service_completed_successfully"}
    assert env["MB_DB_HOST"] == environment(services["metabase-db-init"])["PGHOST"]


def test_long_running_services_have_a_healthcheck_and_restart_always(services):
    for name, service in services.items():
        if name in ONE_SHOT_SERVICES:
            assert service.get("restart", "no") == "no", f"{name} runs once: a restart policy would rerun it"
            assert "healthcheck" not in service, name
        else:
            assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
            assert service.get("restart") == "always", name


def test_dependencies_name_services_and_wait_for_health_or_completion(services):
    for name, service in services.items():
        for dependency, rule in (service.get("depends_on") or {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            wanted = "service_completed_successfully" if dependency in ONE_SHOT_SERVICES else "service_healthy"
            assert rule["condition"] == wanted, f"{name} -> {dependency}"


def test_airflow_workers_scale_without_colliding(services):
    worker = services["airflow-worker"]
    assert "container_name" not in worker and not worker.get("ports")


def test_flower_starts_only_under_its_profile(services):
    assert services["flower"]["profiles"] == ["flower"]


def test_named_volumes_are_declared_and_bind_mounted_files_exist(compose, services):
    used = {source for service in services.values() for kind, source, _ in volume_mounts(service) if kind == "volume"}
    assert used == set(compose["volumes"])
    for service in services.values():
        for kind, source, target in volume_mounts(service):
            if kind == "bind" and Path(target).suffix:  # a file, not a folder compose creates
                assert (REPO / source).is_file(), source


# ---- (c) docs/deployment.md and .env.example name everything the compose file uses ---------------


def test_docs_list_every_service_with_its_image_or_build(services):
    rows = docs_table("Services and images")
    assert set(rows) == set(services)
    for name, service in services.items():
        assert f"`{service['image']}`" in rows[name], f"docs give {name} another image"
        if "build" in service:
            assert "Dockerfile" in rows[name], f"docs do not say {name} is built from the Dockerfile"


def test_docs_list_every_published_port(services):
    rows = docs_table("Ports")
    published = {port: name for name, service in services.items() for port in published_ports(service)}
    assert set(rows) == set(published)
    for port, name in published.items():
        assert f"`{name}`" in rows[port], f"docs put port {port} on another service than {name}"


def test_docs_list_every_named_volume_and_bind_mount(services):
    rows = docs_table("Volumes")
    mounts = {source for service in services.values() for _, source, _ in volume_mounts(service)}
    assert set(rows) == mounts


def test_docs_list_every_environment_variable_the_stack_reads_or_sets(compose, services):
    documented = set(docs_table("Environment variables"))
    set_in_containers = {
        key for service in [compose["x-airflow-common"], *services.values()] for key in environment(service)
    }
    missing = (variables_read(compose) | set_in_containers) - documented
    assert not missing, f"docs/deployment.md does not describe {sorted(missing)}"


def test_docs_describe_every_setting_the_project_reads_from_the_environment():
    settings = project_environment_settings()
    assert {"QA_WAREHOUSE_HOME", "QA_WAREHOUSE_PSEUDONYM_SALT", "DATABASE_URL"} <= settings  # the scan works
    missing = settings - set(docs_table("Environment variables"))
    assert not missing, f"docs/deployment.md does not describe {sorted(missing)}"


def test_docs_describe_no_variable_that_nothing_uses(compose, services):
    used = (
        variables_read(compose)
        | project_environment_settings()
        | {key for service in [compose["x-airflow-common"], *services.values()] for key in environment(service)}
    )
    stale = set(docs_table("Environment variables")) - used
    assert not stale, f"docs/deployment.md describes variables nothing uses: {sorted(stale)}"


def test_docs_say_how_to_stand_the_stack_up_and_scale_it_out():
    standing_up = docs_section("Standing it up")
    assert "cp .env.example .env" in standing_up and "docker compose up -d" in standing_up
    for ui in ("http://localhost:8080", "http://localhost:3000"):
        assert ui in standing_up
    scaling = docs_section("Scaling out")
    assert "--scale airflow-worker=" in scaling and "AIRFLOW_CONN_QA_WAREHOUSE" in scaling


def test_env_example_assigns_every_variable_the_compose_file_reads_and_no_other(compose):
    assert set(env_example()) == variables_read(compose)


def test_env_example_leaves_every_required_secret_empty_so_compose_refuses_to_start_until_filled(compose):
    required = set()
    for text in strings_in(compose):
        required |= set(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*):\?", text))
    assert required, "the compose file requires no variable at all"
    filled = {name for name in required if env_example()[name]}
    assert not filled, f".env.example gives values to required variables {sorted(filled)}"


def test_env_example_explains_every_variable_in_a_comment():
    # Each assignment sits under a comment: directly, or below assignments that share it.
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if not line.strip() or line.startswith("#"):
            continue
        above = number - 1
        while above >= 0 and lines[above].strip() and not lines[above].startswith("#"):
            above -= 1
        assert above >= 0 and lines[above].startswith("#"), f".env.example does not explain {line}"


# ---- (e) the Airflow image -----------------------------------------------------------------------


def test_dockerfile_builds_on_the_pinned_airflow_version_with_python_3_11():
    dependencies = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    [pinned] = [
        match.group(1)
        for dep in dependencies
        if (match := re.fullmatch(r"apache-airflow\s*==\s*([\w.]+)", dep.split(";")[0].strip()))
    ]
    base_images = re.findall(r"^FROM\s+(\S+)", DOCKERFILE.read_text(), re.M)
    assert base_images == [f"apache/airflow:{pinned}-python3.11"]


def test_dockerfile_installs_the_project_editable_where_its_dags_and_dbt_project_are():
    text = DOCKERFILE.read_text()
    assert re.search(r"WORKDIR /opt/qa-warehouse\b", text)
    assert re.search(r"pip install[^\n]*(\\\n[^\n]*)*-e \.", text), "the package is not installed editable"
    assert '"apache-airflow==${AIRFLOW_VERSION}"' in text, "pip could move Airflow off the base image's version"
    assert re.search(r"^COPY .* \. \.$", text, re.M), "the project (dags, dbt_project, expectations) is not copied"


def test_dockerignore_keeps_environments_history_state_and_secrets_out_of_the_image():
    ignored = {
        line.strip() for line in DOCKERIGNORE.read_text().splitlines() if line.strip() and not line.startswith("#")
    }
    assert {".venv", ".git", "**/__pycache__", ".env", ".qa-warehouse", "landing", "quarantine"} <= ignored


def test_metabase_image_is_pinned_to_a_release(services):
    tag = services["metabase"]["image"].split(":", 1)[1]
    assert re.fullmatch(r"v\d+\.\d+\.\d+(\.x|\.\d+)?", tag), f"metabase/metabase:{tag} is not a pinned release"


def test_metabase_setup_runs_the_python_script_with_the_dashboards_mounted_from_the_checkout(compose, services):
    setup = services["metabase-setup"]
    # Our image: its Python has requests and PyYAML, and it is built by the same build as Airflow's.
    common = compose["x-airflow-common"]
    assert setup["image"] == common["image"] and setup["build"] == common["build"]
    words = command_words(setup["entrypoint"])
    assert words[0] == "python" and len(words) == 2
    script_in_container = Path(words[1])
    mounts = {target: (kind, source) for kind, source, target in volume_mounts(setup)}
    [(folder_in_container, (kind, source))] = mounts.items()
    assert kind == "bind" and (REPO / source).resolve() == SETUP_SCRIPT.parent.resolve()
    assert script_in_container.parent == Path(folder_in_container) and script_in_container.name == SETUP_SCRIPT.name
    assert setup["volumes"][0].endswith(":ro"), "the setup has no business writing to the checkout"
    assert sorted((SETUP_SCRIPT.parent / "dashboards").glob("*.yml")), "no dashboards to set up"
    # The script holds no secret of its own: every credential comes from the environment.
    env = environment(setup)
    for secret in ("METABASE_ADMIN_PASSWORD", "QA_WAREHOUSE_BI_PASSWORD"):
        assert env[secret].startswith("${" + secret + ":?"), secret

#!/bin/sh
# Set Metabase up for the qa-warehouse, once, through its HTTP API (the metabase-setup service of
# docker-compose.yml runs it when Metabase is healthy):
#   1. the first admin: POST /api/setup with the setup token from GET /api/session/properties
#      (on an instance already set up, log in with the same admin instead: POST /api/session);
#   2. the warehouse database, connected as the read-only BI role and syncing its schemas
#      (`reporting,public_reporting`) only: POST /api/database, unless a database of that name is registered.
# Running it again changes nothing. POSIX sh and curl only: the curl image has no jq, so the few
# JSON fields needed are read with grep and sed.
set -eu

: "${METABASE_URL:?METABASE_URL is not set (e.g. http://metabase:3000)}"
: "${METABASE_ADMIN_EMAIL:?METABASE_ADMIN_EMAIL is not set}"
: "${METABASE_ADMIN_PASSWORD:?METABASE_ADMIN_PASSWORD is not set}"
: "${METABASE_SITE_NAME:?METABASE_SITE_NAME is not set}"
: "${METABASE_WAREHOUSE_NAME:?METABASE_WAREHOUSE_NAME is not set}"
: "${WAREHOUSE_HOST:?WAREHOUSE_HOST is not set}"
: "${WAREHOUSE_PORT:?WAREHOUSE_PORT is not set}"
: "${WAREHOUSE_DB:?WAREHOUSE_DB is not set}"
: "${WAREHOUSE_SCHEMAS:?WAREHOUSE_SCHEMAS is not set}"
: "${QA_WAREHOUSE_BI_ROLE:?QA_WAREHOUSE_BI_ROLE is not set}"
: "${QA_WAREHOUSE_BI_PASSWORD:?QA_WAREHOUSE_BI_PASSWORD is not set}"

METABASE_URL=${METABASE_URL%/}
HEALTH_TRIES=${METABASE_HEALTH_TRIES:-60}  # 5 s apart: Metabase's first start takes minutes
SESSION=""
RESPONSE=$(mktemp)
trap 'rm -f "$RESPONSE"' EXIT

fail() {
    echo "metabase-setup: $*" >&2
    exit 1
}

case $WAREHOUSE_PORT in
    '' | *[!0-9]*) fail "WAREHOUSE_PORT must be a number, not '$WAREHOUSE_PORT'" ;;
esac

# A JSON string's content: backslashes and double quotes escaped.
json_string() {
    printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'
}

# The first value of field $2 in JSON document $1, when it is a string (unquoted), a boolean or null.
json_field() {
    printf '%s' "$1" | tr -d '\n' \
        | grep -o -E "\"$2\"[[:space:]]*:[[:space:]]*(\"[^\"]*\"|true|false|null)" \
        | head -n 1 | sed -e 's/^[^:]*:[[:space:]]*//' -e 's/^"//' -e 's/"$//' || true
}

# request METHOD PATH [JSON-BODY]: print the response body; stop with Metabase's answer on an error.
request() {
    method=$1
    path=$2
    shift 2
    [ $# -eq 0 ] || set -- --data "$1"
    status=$(curl -sS -o "$RESPONSE" -w '%{http_code}' -X "$method" \
        -H 'Content-Type: application/json' -H "X-Metabase-Session: $SESSION" \
        "$@" "$METABASE_URL$path") || fail "could not reach Metabase at $METABASE_URL"
    case $status in
        2??) cat "$RESPONSE" ;;
        *) fail "Metabase answered HTTP $status to $method $path: $(cat "$RESPONSE")" ;;
    esac
}

tries=0
until curl -fs -o /dev/null "$METABASE_URL/api/health"; do
    tries=$((tries + 1))
    [ "$tries" -lt "$HEALTH_TRIES" ] || fail "Metabase at $METABASE_URL is not healthy; see: docker compose logs metabase"
    sleep 5
done

email=$(json_string "$METABASE_ADMIN_EMAIL")
password=$(json_string "$METABASE_ADMIN_PASSWORD")
properties=$(request GET /api/session/properties)
if [ "$(json_field "$properties" has-user-setup)" = true ]; then
    echo "Metabase is already set up: logging in as $METABASE_ADMIN_EMAIL"
    answer=$(request POST /api/session "{\"username\":\"$email\",\"password\":\"$password\"}")
else
    token=$(json_field "$properties" setup-token)
    [ -n "$token" ] && [ "$token" != null ] || fail "Metabase gave no setup token in /api/session/properties"
    site=$(json_string "$METABASE_SITE_NAME")
    echo "Setting Metabase up: admin $METABASE_ADMIN_EMAIL"
    answer=$(request POST /api/setup "{\"token\":\"$token\",\
\"user\":{\"first_name\":\"QA\",\"last_name\":\"Admin\",\"email\":\"$email\",\"password\":\"$password\",\"site_name\":\"$site\"},\
\"prefs\":{\"site_name\":\"$site\",\"allow_tracking\":false}}")
fi
SESSION=$(json_field "$answer" id)
[ -n "$SESSION" ] || fail "Metabase returned no session id"

name=$(json_string "$METABASE_WAREHOUSE_NAME")
databases=$(request GET /api/database)
if printf '%s' "$databases" | grep -q -F "\"name\":\"$name\""; then
    echo "The warehouse is already registered in Metabase as '$METABASE_WAREHOUSE_NAME': nothing to do"
    exit 0
fi

# Metabase tests this connection before saving it: the BI role must exist (airflow-init made it).
request POST /api/database "{\"engine\":\"postgres\",\"name\":\"$name\",\"is_full_sync\":true,\
\"details\":{\"host\":\"$(json_string "$WAREHOUSE_HOST")\",\"port\":$WAREHOUSE_PORT,\
\"dbname\":\"$(json_string "$WAREHOUSE_DB")\",\"user\":\"$(json_string "$QA_WAREHOUSE_BI_ROLE")\",\
\"password\":\"$(json_string "$QA_WAREHOUSE_BI_PASSWORD")\",\"ssl\":false,\"tunnel-enabled\":false,\
\"advanced-options\":false,\"schema-filters-type\":\"inclusion\",\
\"schema-filters-patterns\":\"$(json_string "$WAREHOUSE_SCHEMAS")\"}}" >/dev/null
echo "Registered the warehouse in Metabase as '$METABASE_WAREHOUSE_NAME':" \
    "$QA_WAREHOUSE_BI_ROLE@$WAREHOUSE_HOST:$WAREHOUSE_PORT/$WAREHOUSE_DB, schemas $WAREHOUSE_SCHEMAS only"

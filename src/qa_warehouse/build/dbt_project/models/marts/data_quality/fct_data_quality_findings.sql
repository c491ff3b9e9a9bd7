-- One row per finding of the authorities' current deliveries: what the published figures were
-- built from, and what was held out of them or warned about.
select
    issue_id,
    load_id,
    la_code,
    extract,
    extract_date,
    file_name,
    source_row,
    subject,
    rule,
    rule_source,
    severity,
    column_name,
    value,
    message,
    is_held
from {{ ref('stg_data_quality__issues') }}
where is_current_load

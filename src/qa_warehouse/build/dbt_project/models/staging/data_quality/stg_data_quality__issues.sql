-- Every finding of the gate (ours and DfE's validator's) for every load, with whether the load is
-- its extract's current delivery for the authority (the one the figures are built from).
select
    issues.issue_id,
    issues.load_id,
    issues.extract,
    issues.la_code,
    issues.extract_date,
    issues.file_name,
    issues.source_row,
    issues.subject,
    issues.rule,
    issues.rule_source,
    issues.severity,
    issues.column_name,
    issues.value,
    issues.message,
    coalesce(held.load_id is not null, false) as is_held,
    coalesce(current_loads.load_id is not null, false) as is_current_load
from {{ source('raw', 'data_quality_issues') }} as issues
left join {{ source('raw', 'held_rows') }} as held
    on held.load_id = issues.load_id
    and held.source_row = issues.source_row
left join {{ source('raw', 'current_loads') }} as current_loads
    on current_loads.load_id = issues.load_id

-- Regulation 44 visits as at each authority's current reg44_visits delivery, one row per visit.
with current_snapshot as (
    {{ current_snapshot('raw_residential', 'reg44_visits') }}
)

select
    {{ pseudonymise('visit_id') }} as visit_key,
    {{ pseudonymise('home_id') }} as home_key,
    trim(la_code) as la_code,
    cast(visit_date as date) as visit_date,
    -- blank = the report made no recommendations
    coalesce(cast(recommendations as integer), 0) as recommendations,
    _extract_date as extract_date
from current_snapshot

with current_snapshot as (
    {{ current_snapshot('raw', 'carer_visits') }}
)

select
    {{ pseudonymise('visit_id') }} as visit_key,
    trim(la_code) as la_code,
    {{ pseudonymise('household_id') }} as household_key,
    cast(visit_date as date) as visit_date,
    {{ normalise_code('visit_type') }} as visit_type,
    {{ pseudonymise('worker_id') }} as worker_key
from current_snapshot

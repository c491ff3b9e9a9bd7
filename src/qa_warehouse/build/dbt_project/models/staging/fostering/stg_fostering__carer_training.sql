with current_snapshot as (
    {{ current_snapshot('raw', 'carer_training') }}
)

select
    {{ pseudonymise('carer_id') }} as carer_key,
    trim(la_code) as la_code,
    {{ pseudonymise('household_id') }} as household_key,
    cast(tsd_due_date as date) as tsd_due_date,
    cast(tsd_completed_date as date) as tsd_completed_date
from current_snapshot

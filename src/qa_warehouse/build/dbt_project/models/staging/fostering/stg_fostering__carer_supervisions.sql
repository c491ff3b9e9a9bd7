with current_snapshot as (
    {{ current_snapshot('raw', 'carer_supervisions') }}
)

select
    {{ pseudonymise('supervision_id') }} as supervision_key,
    trim(la_code) as la_code,
    {{ pseudonymise('household_id') }} as household_key,
    cast(supervision_date as date) as supervision_date,
    {{ normalise_code('supervision_type') }} as supervision_type
from current_snapshot

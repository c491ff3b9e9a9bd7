with current_snapshot as (
    {{ current_snapshot('raw', 'carer_households') }}
)

select
    {{ pseudonymise('household_id') }} as household_key,
    trim(la_code) as la_code,
    trim(team) as team,
    {{ normalise_code('carer_type') }} as carer_type,
    {{ normalise_code('status') }} as status,
    {{ pseudonymise('supervising_worker_id') }} as supervising_worker_key,
    cast(approval_date as date) as approval_date,
    cast(deregistration_date as date) as deregistration_date,
    nullif(trim(deregistration_reason), '') as deregistration_reason,
    cast(approved_places as integer) as approved_places,
    -- the outward code only, even if a full postcode slips through
    nullif(split_part(upper(trim(postcode_district)), ' ', 1), '') as postcode_district,
    _extract_date as extract_date,
    _load_id as load_id
from current_snapshot

-- Complaints, compliments and comments as at each authority's current delivery, one row per record.
with current_snapshot as (
    {{ current_snapshot('raw_quality_assurance', 'complaints') }}
)

select
    {{ pseudonymise('record_id') }} as record_key,
    trim(la_code) as la_code,
    {{ normalise_code('record_type') }} as record_type,
    cast(received_date as date) as received_date,
    cast(stage as integer) as stage,
    {{ normalise_code('service') }} as service,
    cast(responded_date as date) as responded_date,
    {{ normalise_code('outcome') }} as outcome,
    cast(advocacy as boolean) as advocacy,
    {{ normalise_code('theme') }} as theme
from current_snapshot

-- Foster carer enquiries as at each authority's current recruitment delivery, one row per enquiry.
with current_snapshot as (
    {{ current_snapshot('raw_recruitment', 'recruitment') }}
)

select
    {{ pseudonymise('enquiry_id') }} as enquiry_key,
    trim(la_code) as la_code,
    {{ normalise_code('carer_type') }} as carer_type,
    cast(enquiry_date as date) as enquiry_date,
    cast(initial_visit_date as date) as initial_visit_date,
    cast(application_date as date) as application_date,
    cast(assessment_start_date as date) as assessment_start_date,
    cast(panel_date as date) as panel_date,
    cast(approval_date as date) as approval_date,
    cast(withdrawn_date as date) as withdrawn_date,
    {{ normalise_code('withdrawal_reason') }} as withdrawal_reason,
    cast(reg24_start_date as date) as reg24_start_date,
    cast(reg24_end_date as date) as reg24_end_date,
    _extract_date as extract_date
from current_snapshot

-- Audit actions as at each authority's current delivery, one row per action.
with current_snapshot as (
    {{ current_snapshot('raw_quality_assurance', 'audit_actions') }}
)

select
    {{ pseudonymise('action_id') }} as action_key,
    trim(la_code) as la_code,
    {{ pseudonymise('audit_id') }} as audit_key,
    {{ pseudonymise('owner_id') }} as owner_key,
    nullif(trim(description), '') as description,
    cast(due_date as date) as due_date,
    cast(completed_date as date) as completed_date,
    cast(followup_date as date) as followup_date,
    {{ normalise_code('followup_outcome') }} as followup_outcome,
    _extract_date as extract_date
from current_snapshot

-- Outcomes of children looked after for 12 months or more, from the current 903 OC2 delivery.
with current_snapshot as (
    {{ current_snapshot('raw_children_in_care', 'ssda903_oc2') }}
)

select
    {{ pseudonymise('child') }} as child_key,
    trim(la_code) as la_code,
    sdq_score,
    {{ normalise_code('sdq_reason', upper=true) }} as sdq_reason,
    convicted,
    health_check,
    immunisations,
    teeth_check,
    health_assessment,
    substance_misuse,
    intervention_received,
    intervention_offered,
    _extract_date as extract_date,
    _load_id as load_id
from current_snapshot

-- Published from int_fostering_deregistrations_in_months (docs/fostering-register.md): counts per
-- team, carer type and reason, no household ids.
select
    la_code,
    period_start,
    period_end,
    team,
    carer_type,
    deregistration_reason,
    households
from {{ ref('int_fostering_deregistrations_in_months') }}

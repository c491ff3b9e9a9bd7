-- Published from int_fostering_register_in_months (docs/fostering-register.md): counts per team
-- and carer type, no household ids or postcodes.
select
    la_code,
    period_start,
    period_end,
    team,
    carer_type,
    approved_households,
    approved_places,
    approved_households_without_places_recorded,
    approvals_in_month,
    deregistrations_in_month
from {{ ref('int_fostering_register_in_months') }}

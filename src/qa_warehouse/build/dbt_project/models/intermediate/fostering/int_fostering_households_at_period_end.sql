-- The population of the household measures, one row per household and period end D: households
-- approved at D. This is the only place the rule is written.
--   approved on or before D, not de-registered on or before D, and with a status that means it
--   was once approved (a household now de-registered was approved at D if D is before its
--   de-registration date; one in assessment never was).
select
    households.household_key,
    households.la_code,
    households.team,
    {{ team_key('households.la_code', 'households.team') }} as team_key,
    households.carer_type,
    households.status,
    households.approval_date,
    households.deregistration_date,
    periods.period_end
from {{ ref('stg_fostering__carer_households') }} as households
inner join {{ ref('int_fostering_reporting_periods') }} as periods
    on periods.la_code = households.la_code
where households.status in ('approved', 'on_hold', 'deregistered')
    and households.approval_date <= periods.period_end
    and (households.deregistration_date is null or households.deregistration_date > periods.period_end)

-- Foster carer households de-registered in each reporting month, per authority, team, carer type
-- and the register's de-registration reason as recorded (trimmed; blank: not recorded). Every
-- team, carer type and reason the register has ever recorded a de-registration with has a row in
-- every month (0 when none), so a month's table says "none" rather than nothing.
with periods as (
    select la_code, period_end, cast(date_trunc('month', period_end) as date) as period_start
    from {{ ref('int_fostering_reporting_periods') }}
),

deregistered as (
    select
        la_code,
        team,
        carer_type,
        deregistration_date,
        coalesce(deregistration_reason, 'not recorded') as deregistration_reason
    from {{ ref('stg_fostering__carer_households') }}
    where deregistration_date is not null
),

reasons as (
    select distinct la_code, team, carer_type, deregistration_reason from deregistered
)

select
    periods.la_code,
    periods.period_start,
    periods.period_end,
    reasons.team,
    reasons.carer_type,
    reasons.deregistration_reason,
    cast(count(deregistered.la_code) as integer) as households
from periods
inner join reasons on reasons.la_code = periods.la_code
left join deregistered
    on deregistered.la_code = reasons.la_code
    and deregistered.team = reasons.team
    and deregistered.carer_type = reasons.carer_type
    and deregistered.deregistration_reason = reasons.deregistration_reason
    and deregistered.deregistration_date between periods.period_start and periods.period_end
group by periods.la_code, periods.period_start, periods.period_end, reasons.team, reasons.carer_type,
         reasons.deregistration_reason

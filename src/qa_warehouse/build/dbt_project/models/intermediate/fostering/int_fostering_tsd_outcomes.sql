-- Training, Support and Development standards (measure tsd): one row per household in the
-- population and period end. A carer is compliant at D when they completed TSD on or before D,
-- or their due date is after D; the due date, where the extract leaves it blank, is the
-- household's approval date plus the carer type's due period (carer_type_tsd_due seed). The
-- household is in time when every carer is compliant; a household with no carer_training rows
-- counts as one carer with blank dates. Never "not yet due": a carer not yet due is compliant.
with carers_at_period_end as (
    select
        population.household_key,
        population.la_code,
        population.team,
        population.team_key,
        population.period_end,
        -- left join: no training rows leaves one carer with blank dates
        training.tsd_completed_date,
        coalesce(
            training.tsd_due_date,
            cast(population.approval_date + make_interval(months => due.tsd_due_months) as date)
        ) as effective_due_date
    from {{ ref('int_fostering_households_at_period_end') }} as population
    left join {{ ref('carer_type_tsd_due') }} as due
        on due.carer_type = population.carer_type
    left join {{ ref('stg_fostering__carer_training') }} as training
        on training.household_key = population.household_key
),

carer_compliance as (
    select
        *,
        coalesce(tsd_completed_date <= period_end, false) as is_completed,
        coalesce(tsd_completed_date <= period_end, false)
            or coalesce(effective_due_date > period_end, false) as is_compliant
    from carers_at_period_end
)

select
    'tsd' as measure_code,
    household_key,
    la_code,
    team,
    team_key,
    period_end,
    case when bool_and(is_compliant) then 'in_time' else 'out_of_time' end as outcome,
    max(tsd_completed_date) filter (where is_completed) as last_event_date,
    -- the earliest due date among carers not yet completed: when the household (fell) falls due
    min(effective_due_date) filter (where not is_completed) as due_date,
    -- out of time: D - that due date (0 when it fell due on D itself)
    case
        when not bool_and(is_compliant) then period_end - min(effective_due_date) filter (where not is_completed)
    end as days_overdue
from carer_compliance
group by household_key, la_code, team, team_key, period_end

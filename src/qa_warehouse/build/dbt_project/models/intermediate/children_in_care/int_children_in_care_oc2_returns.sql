-- Every OC2 row of the current delivery with the 903 year it describes (the latest 903 year ended
-- on or before the extract date) and whether its child is in DfE's OC2 cohort for that year:
-- looked after continuously for at least 12 months at 31 March, i.e. looked after at 31 March
-- (an episode open after it) in a period of care that began on or before 1 April, so on every
-- day of the year. Periods of care are counted with short breaks (LS V3, V4) left out, as DfE
-- leaves children on a series of short breaks out of the OC2 figures: a child moving from short
-- breaks into care begins a period of care then. The OC2 measures count only the cohort's rows;
-- int_children_in_care_oc2_outside_cohort lists the others.
with return_years as (
    select periods.la_code, periods.period_start, periods.period_end
    from {{ ref('int_children_in_care_reporting_periods') }} as periods
    where periods.period_type = 'year'
        and periods.period_end = (
            select max(later.period_end) from {{ ref('int_children_in_care_reporting_periods') }} as later
            where later.la_code = periods.la_code and later.period_type = 'year'
        )
),

cohort as (
    select distinct return_years.la_code, return_years.period_end, spells.child_key
    from return_years
    inner join {{ ref('int_children_in_care_care_episode_spells') }} as spells
        on spells.la_code = return_years.la_code
        and spells.decom <= return_years.period_end
        and (spells.dec is null or spells.dec > return_years.period_end)
        and spells.period_of_care_start <= return_years.period_start
)

select
    oc2.la_code,
    oc2.child_key,
    return_years.period_start,
    return_years.period_end,
    cohort.child_key is not null as in_cohort,
    oc2.health_check,
    oc2.immunisations,
    oc2.teeth_check,
    oc2.health_assessment,
    oc2.extract_date,
    oc2.load_id
from {{ ref('stg_children_in_care__oc2') }} as oc2
inner join return_years
    on return_years.la_code = oc2.la_code
    and return_years.period_end <= oc2.extract_date
left join cohort
    on cohort.la_code = oc2.la_code
    and cohort.period_end = return_years.period_end
    and cohort.child_key = oc2.child_key

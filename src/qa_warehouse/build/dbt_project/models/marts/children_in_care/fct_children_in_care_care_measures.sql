-- The care measures of the children in care scorecard: one row per authority, reporting period
-- (period_type 'month' or 'year' = the 903 year to 31 March), period end and measure, with the
-- numerator, the denominator and not_known (counted but left out of the denominator; NULL for a
-- measure where nothing can be not known). Every period has a row for each measure that applies to
-- its period type, with zeros where nothing is counted. Definitions: docs/children-in-care-figures.md.
--   positions at the period end (month and year): statutory_visits_in_time, reviews_in_time,
--     care_plan_up_to_date, pep_up_to_date, pathway_plan_up_to_date;
--   events in the period (month and year): missing_episodes;
--   the 903 year's OC2 and OC3 tables (year only): health_assessment, dental_check (of DfE's OC2
--     cohort: looked after continuously for 12 months at 31 March), care_leavers_in_touch,
--     care_leavers_eet, care_leavers_suitable_accommodation.
with periods as (
    select * from {{ ref('int_children_in_care_reporting_periods') }}
),

measures (measure_code, period_types, counts_not_known) as (
    values
        ('statutory_visits_in_time', array['month', 'year'], false),
        ('reviews_in_time', array['month', 'year'], false),
        ('pep_up_to_date', array['month', 'year'], true),
        ('pathway_plan_up_to_date', array['month', 'year'], true),
        ('care_plan_up_to_date', array['month', 'year'], true),
        ('health_assessment', array['year'], true),
        ('dental_check', array['year'], true),
        ('missing_episodes', array['month', 'year'], false),
        ('care_leavers_in_touch', array['year'], false),
        ('care_leavers_eet', array['year'], false),
        ('care_leavers_suitable_accommodation', array['year'], false)
),

position_counts as (
    select
        la_code, period_type, period_end, 'statutory_visits_in_time' as measure_code,
        count(*) filter (where outcome = 'in_time') as numerator,
        count(*) filter (where outcome in ('in_time', 'out_of_time')) as denominator,
        0 as not_known
    from {{ ref('int_children_in_care_visit_outcomes') }}
    group by la_code, period_type, period_end
    union all
    select
        la_code, period_type, period_end, 'reviews_in_time',
        count(*) filter (where outcome = 'in_time'),
        count(*) filter (where outcome in ('in_time', 'out_of_time')),
        0
    from {{ ref('int_children_in_care_review_outcomes') }}
    group by la_code, period_type, period_end
    union all
    select
        la_code, period_type, period_end, measure_code,
        count(*) filter (where outcome = 'up_to_date'),
        count(*) filter (where outcome in ('up_to_date', 'out_of_date')),
        count(*) filter (where outcome = 'not_known')
    from {{ ref('int_children_in_care_plan_outcomes') }}
    group by la_code, period_type, period_end, measure_code
),

-- Missing: children looked after at any time in the period (an episode starting on or before its
-- end and not ceased before its start), and those of them with a missing episode (MISSING = M, not
-- A = away from placement without authorisation) that started in the period.
looked_after_in_period as (
    select distinct periods.la_code, periods.period_type, periods.period_start, periods.period_end, spells.child_key
    from periods
    inner join {{ ref('int_children_in_care_care_episode_spells') }} as spells
        on spells.la_code = periods.la_code
        and spells.decom <= periods.period_end
        and (spells.dec is null or spells.dec >= periods.period_start)
),

missing_counts as (
    select
        cohort.la_code, cohort.period_type, cohort.period_end, 'missing_episodes' as measure_code,
        count(*) filter (where exists (
            select 1 from {{ ref('stg_children_in_care__missing') }} as missing
            where missing.la_code = cohort.la_code
                and missing.child_key = cohort.child_key
                and missing.missing = 'M'
                and missing.mis_start between cohort.period_start and cohort.period_end
        )) as numerator,
        count(*) as denominator,
        0 as not_known
    from looked_after_in_period as cohort
    group by cohort.la_code, cohort.period_type, cohort.period_end
),

-- OC2 and OC3 describe the 903 year of their return: the latest 903 year ended on or before the
-- extract date.
return_years as (
    select la_code, max(period_end) as period_end
    from periods
    where period_type = 'year'
    group by la_code
),

-- OC2: DfE's cohort only, children looked after continuously for 12 months at 31 March, short
-- breaks excluded (int_children_in_care_oc2_returns); rows for other children are not counted.
oc2_counts as (
    select
        oc2.la_code, 'year' as period_type, oc2.period_end, measures.measure_code,
        count(*) filter (where measures.outcome) as numerator,
        count(*) filter (where measures.outcome is not null) as denominator,
        count(*) filter (where measures.outcome is null) as not_known
    from {{ ref('int_children_in_care_oc2_returns') }} as oc2
    cross join lateral (
        -- HEALTH_ASSESSMENT: the annual health assessment is up to date; TEETH_CHECK: teeth checked
        -- by a dentist in the year (HEALTH_CHECK is the under-fives' developmental check: not used)
        values ('health_assessment', oc2.health_assessment), ('dental_check', oc2.teeth_check)
    ) as measures (measure_code, outcome)
    where oc2.in_cohort
    group by oc2.la_code, oc2.period_end, measures.measure_code
),

-- each child's date of birth (the latest the header gives)
children_born as (
    select la_code, child_key, max(dob) as dob
    from {{ ref('stg_children_in_care__header') }}
    group by la_code, child_key
),

-- OC3: care leavers aged 19, 20 or 21 at the year end (their birthday in the year; DfE's headline
-- cohort, the 17 and 18 year olds are left out). Every measure counts all but those who died or
-- returned home to live with their parents for 6 months or more (DIED, RHOM: DfE leaves both out
-- of its care leaver percentages, and records no activity or accommodation for them). In touch:
-- IN_TOUCH YES; an activity or accommodation not known counts as not.
care_leavers as (
    select oc3.*, return_years.period_end
    from {{ ref('stg_children_in_care__oc3') }} as oc3
    inner join return_years
        on return_years.la_code = oc3.la_code
        and return_years.period_end <= oc3.extract_date
    inner join children_born as children
        on children.la_code = oc3.la_code
        and children.child_key = oc3.child_key
    where extract(year from age(return_years.period_end, children.dob)) between 19 and 21
),

oc3_counts as (
    select
        la_code, 'year' as period_type, period_end, 'care_leavers_in_touch' as measure_code,
        count(*) filter (where in_touch = 'YES') as numerator,
        count(*) filter (where in_touch is null or in_touch not in ('DIED', 'RHOM')) as denominator,
        0 as not_known
    from care_leavers
    group by la_code, period_end
    union all
    select
        la_code, 'year', period_end, 'care_leavers_eet',
        count(*) filter (where activ in ('F1', 'P1', 'F2', 'P2', 'F4', 'P4', 'F5', 'P5')),
        count(*),
        0
    from care_leavers
    where in_touch is null or in_touch not in ('DIED', 'RHOM')
    group by la_code, period_end
    union all
    select
        la_code, 'year', period_end, 'care_leavers_suitable_accommodation',
        count(*) filter (where accom like '_1'),
        count(*),
        0
    from care_leavers
    where in_touch is null or in_touch not in ('DIED', 'RHOM')
    group by la_code, period_end
),

counts as (
    select * from position_counts
    union all
    select * from missing_counts
    union all
    select * from oc2_counts
    union all
    select * from oc3_counts
)

select
    periods.la_code,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    periods.financial_year,
    measures.measure_code,
    cast(coalesce(counts.numerator, 0) as integer) as numerator,
    cast(coalesce(counts.denominator, 0) as integer) as denominator,
    case when measures.counts_not_known then cast(coalesce(counts.not_known, 0) as integer) end as not_known
from periods
inner join measures
    on periods.period_type = any(measures.period_types)
left join counts
    on counts.la_code = periods.la_code
    and counts.period_type = periods.period_type
    and counts.period_end = periods.period_end
    and counts.measure_code = measures.measure_code

-- One row per child looked after at some time in each reporting period (D = period_end):
-- * looked after at D: an episode with DECOM <= D and DEC NULL or after D (a child whose
--   episode ended on D left care that day), in that episode's placement type;
-- * looked after during the period: an episode with DECOM <= D and DEC NULL or on or after the
--   period start, in the placement type of the child's last such episode (so the types add up);
-- * started, as DfE counts starts: an episode with RNE S (started to be looked after) whose DECOM
--   is in the period (the placement type of the first such episode);
-- * ceased, as DfE counts ceases: an episode whose DEC is in the period with a REC other than X1
--   (X1: the episode ended and another began the same day) (the type of the last such episode).
-- Short breaks (LS V3, V4) are left out before either is counted, as in DfE's statistics, so a
-- child moving out of short breaks into care (an RNE L episode) has not started, nor has one going
-- back to short breaks (REC X1) ceased: periods of care would count both (docs/children-in-care-figures.md).
-- A child who leaves and comes back in the period is one child: counted once in each figure.
-- Episodes, starts and ceases are stacked and grouped once per period and child, rather than
-- joined to each other: PostgreSQL misjudges the four-key joins as one row and re-runs them per
-- row (84 s instead of under a second for 1,500 children).
with periods as (
    select la_code, period_type, period_start, period_end, financial_year
    from {{ ref('int_children_in_care_reporting_periods') }}
),

episodes as (
    select * from {{ ref('int_children_in_care_care_episodes') }}
),

-- Every start and cease lies in an episode counted as during the period, so the stack's
-- 'episode' rows decide which children have a row at all.
stacked as (
    select
        periods.la_code, periods.period_type, periods.period_start, periods.period_end, periods.financial_year,
        episodes.child_key, 'episode' as fact, episodes.decom as fact_date, episodes.placement_type,
        (episodes.dec is null or episodes.dec > periods.period_end) as open_at_period_end
    from periods
    inner join episodes
        on episodes.la_code = periods.la_code
        and episodes.decom <= periods.period_end
        and (episodes.dec is null or episodes.dec >= periods.period_start)

    union all

    select
        periods.la_code, periods.period_type, periods.period_start, periods.period_end, periods.financial_year,
        episodes.child_key, 'start', episodes.decom, episodes.placement_type, false
    from periods
    inner join episodes
        on episodes.la_code = periods.la_code
        and episodes.rne = 'S'
        and episodes.decom between periods.period_start and periods.period_end

    union all

    select
        periods.la_code, periods.period_type, periods.period_start, periods.period_end, periods.financial_year,
        episodes.child_key, 'cease', episodes.dec, episodes.placement_type, false
    from periods
    inner join episodes
        on episodes.la_code = periods.la_code
        and episodes.dec between periods.period_start and periods.period_end
        and episodes.rec is distinct from 'X1'
)

select
    la_code,
    period_type,
    period_start,
    period_end,
    financial_year,
    child_key,
    bool_or(fact = 'episode' and open_at_period_end) as looked_after_at_period_end,
    (array_agg(placement_type order by fact_date desc)
        filter (where fact = 'episode' and open_at_period_end))[1] as placement_type_at_period_end,
    (array_agg(placement_type order by fact_date desc) filter (where fact = 'episode'))[1]
        as placement_type_during_period,
    bool_or(fact = 'start') as started_in_period,
    (array_agg(placement_type order by fact_date) filter (where fact = 'start'))[1] as placement_type_at_start,
    bool_or(fact = 'cease') as ceased_in_period,
    (array_agg(placement_type order by fact_date desc) filter (where fact = 'cease'))[1] as placement_type_at_cease
from stacked
group by la_code, period_type, period_start, period_end, financial_year, child_key
having bool_or(fact = 'episode')

-- The placement measures of the children in care scorecard at each reporting period end D, one
-- row per authority, period and measure (definitions: docs/children-in-care-figures.md). The
-- population of every measure is the children looked after at D (short breaks excluded).
-- not_known counts children of the population left out of the denominator because a fact the
-- measure needs is missing (a postcode, a date of birth); NULL where nothing can be missing.
with at_end as (
    select children.la_code, children.period_type, children.period_end, children.child_key
    from {{ ref('int_children_in_care_children_in_periods') }} as children
    where children.looked_after_at_period_end
),

-- the episode each child is in at D (one: episodes of a child never overlap)
current_episodes as (
    select at_end.*, episodes.period_of_care_number, episodes.placement_number,
           episodes.placement_distance_miles
    from at_end
    inner join {{ ref('int_children_in_care_care_episodes') }} as episodes
        on episodes.la_code = at_end.la_code
        and episodes.child_key = at_end.child_key
        and episodes.decom <= at_end.period_end
        and (episodes.dec is null or episodes.dec > at_end.period_end)
),

placements as (
    select * from {{ ref('int_children_in_care_placements') }}
),

stability as (
    select
        current_episodes.la_code, current_episodes.period_type, current_episodes.period_end,
        current_episodes.child_key,
        -- placements the child was in at any time in the 12 months to D (from the day after
        -- D - 12 months), in any period of care
        (select count(*) from placements
         where placements.la_code = current_episodes.la_code
           and placements.child_key = current_episodes.child_key
           and placements.placement_start <= current_episodes.period_end
           and (placements.placement_end is null
                or placements.placement_end > cast(current_episodes.period_end - interval '1 year' as date))
        ) as placements_in_12_months,
        headers.dob,
        care.period_of_care_start,
        current_placement.placement_start,
        current_placement.is_placed_for_adoption,
        current_placement.previous_placement_start,
        current_episodes.placement_distance_miles
    from current_episodes
    inner join {{ ref('int_children_in_care_periods_of_care') }} as care
        on care.la_code = current_episodes.la_code
        and care.child_key = current_episodes.child_key
        and care.period_of_care_number = current_episodes.period_of_care_number
    left join placements as current_placement
        on current_placement.la_code = current_episodes.la_code
        and current_placement.child_key = current_episodes.child_key
        and current_placement.period_of_care_number = current_episodes.period_of_care_number
        and current_placement.placement_number = current_episodes.placement_number
    left join {{ ref('stg_children_in_care__header') }} as headers
        on headers.la_code = current_episodes.la_code
        and headers.child_key = current_episodes.child_key
),

outcomes as (
    select
        la_code, period_type, period_end, child_key, placements_in_12_months, placement_distance_miles,
        dob is null as age_not_known,
        -- long-term stability's population: under 16 at D, looked after for 2.5 years or more
        dob is not null
            and cast(dob + interval '16 years' as date) > period_end
            and period_of_care_start <= cast(period_end - interval '30 months' as date) as long_term_population,
        -- in the same placement for 2 years or more; a child placed for adoption counts the
        -- placement before it too (DfE: the adoptive placement together with the previous one)
        coalesce(placement_start <= cast(period_end - interval '2 years' as date), false)
            or coalesce(
                is_placed_for_adoption
                and previous_placement_start <= cast(period_end - interval '2 years' as date),
                false
            )
            as same_placement_2_years
    from stability
),

counted as (
    select
        la_code, period_type, period_end,
        count(*) filter (where placements_in_12_months >= 3) as stability_3_plus,
        count(*) as looked_after,
        count(*) filter (where long_term_population and same_placement_2_years) as long_term_stable,
        count(*) filter (where long_term_population) as long_term_population,
        count(*) filter (where age_not_known) as age_not_known,
        count(*) filter (where placement_distance_miles > 20) as over_20_miles,
        count(*) filter (where placement_distance_miles <= 20) as within_20_miles,
        count(*) filter (where placement_distance_miles is not null) as distance_known,
        count(*) filter (where placement_distance_miles is null) as distance_not_known
    from outcomes
    group by la_code, period_type, period_end
),

-- every reporting period has every measure, with 0 counts when nobody was looked after at D
periods as (
    select la_code, period_type, period_end from {{ ref('int_children_in_care_reporting_periods') }}
)

select
    periods.la_code,
    periods.period_type,
    periods.period_end,
    measures.measure_code,
    cast(coalesce(measures.numerator, 0) as integer) as numerator,
    cast(coalesce(measures.denominator, 0) as integer) as denominator,
    cast(case when measures.has_not_known then coalesce(measures.not_known, 0) end as integer) as not_known
from periods
left join counted
    on counted.la_code = periods.la_code
    and counted.period_type = periods.period_type
    and counted.period_end = periods.period_end
cross join lateral (
    values
        ('placement_stability_3_plus', counted.stability_3_plus, counted.looked_after, null, false),
        ('long_term_stability', counted.long_term_stable, counted.long_term_population, counted.age_not_known, true),
        -- DfE's distance split (children looked after in England, "distance between home and
        -- placement"): 20 miles or less, over 20 miles and not known, each a share of every child
        -- looked after at D, not known included, so the three add up to 100 %
        ('placed_over_20_miles', counted.over_20_miles, counted.looked_after, null, false),
        ('placed_20_miles_or_less', counted.within_20_miles, counted.looked_after, null, false),
        ('placement_distance_not_known', counted.distance_not_known, counted.looked_after, null, false),
        -- seed 001's view: placed within 20 miles of home, of the children whose distance is known
        ('placed_within_20_miles', counted.within_20_miles, counted.distance_known, counted.distance_not_known, true)
) as measures (measure_code, numerator, denominator, not_known, has_not_known)

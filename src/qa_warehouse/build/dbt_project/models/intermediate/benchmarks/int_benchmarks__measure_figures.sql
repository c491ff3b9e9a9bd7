-- DfE's published benchmarks per authority, measure and year, from the files' figures the seed
-- benchmark_indicators maps to each measure: the authority's own figure, England's, its region's,
-- the mean of its ten statistical neighbours' figures (those DfE suppressed or did not publish left
-- out, and how many were counted), and its rank and quartile among every authority with a figure
-- (rank 1 the best by the measure's polarity; ties share the better rank; quartile 1 the best:
-- ceil(4 x rank / authorities ranked)). docs/benchmarks.md.
with indicators as (
    select * from {{ ref('benchmark_indicators') }}
),

figures as (
    select
        indicators.measure_code,
        indicators.polarity,
        published.extract,
        published.indicator,
        published.time_period,
        make_date(published.time_period, indicators.year_end_month, indicators.year_end_day) as benchmark_period_end,
        published.geographic_level,
        published.region_code,
        published.la_code,
        published.published_value * indicators.scale as value
    from {{ ref('int_benchmarks__published_figures') }} as published
    inner join indicators
        on indicators.extract = published.extract
        and indicators.breakdown = published.breakdown
        and indicators.indicator = published.indicator
),

authorities as (
    select * from figures where geographic_level = 'local_authority'
),

ranked as (
    select
        measure_code,
        time_period,
        la_code,
        cast(rank() over (
            partition by measure_code, time_period
            order by case when polarity = 'higher_is_better' then -value else value end
        ) as integer) as rank_among_authorities,
        cast(count(*) over (partition by measure_code, time_period) as integer) as authorities_ranked
    from authorities
    where value is not null and polarity is not null
),

neighbours as (
    select
        authorities.measure_code,
        authorities.time_period,
        authorities.la_code,
        avg(neighbour.value) as statistical_neighbours_value,
        cast(count(neighbour.value) as integer) as statistical_neighbours_reported
    from authorities
    inner join {{ ref('stg_benchmarks__statistical_neighbours') }} as list
        on list.la_code = authorities.la_code
    left join authorities as neighbour
        on neighbour.la_code = list.neighbour_la_code
        and neighbour.measure_code = authorities.measure_code
        and neighbour.time_period = authorities.time_period
    group by 1, 2, 3
)

select
    authorities.la_code,
    authorities.measure_code,
    cast(authorities.time_period as text) as benchmark_time_period,
    authorities.benchmark_period_end,
    authorities.value as authority_published_value,
    england.value as england_value,
    region.value as region_value,
    neighbours.statistical_neighbours_value,
    neighbours.statistical_neighbours_reported,
    ranked.rank_among_authorities,
    ranked.authorities_ranked,
    cast(ceil(4.0 * ranked.rank_among_authorities / ranked.authorities_ranked) as integer) as quartile,
    authorities.extract || '.' || authorities.indicator as benchmark_source
from authorities
left join figures as england
    on england.geographic_level = 'national'
    and england.measure_code = authorities.measure_code
    and england.time_period = authorities.time_period
left join figures as region
    on region.geographic_level = 'regional'
    and region.region_code = authorities.region_code
    and region.measure_code = authorities.measure_code
    and region.time_period = authorities.time_period
left join neighbours
    on neighbours.measure_code = authorities.measure_code
    and neighbours.time_period = authorities.time_period
    and neighbours.la_code = authorities.la_code
left join ranked
    on ranked.measure_code = authorities.measure_code
    and ranked.time_period = authorities.time_period
    and ranked.la_code = authorities.la_code

-- Every headline measure, per authority, period (month, financial quarter, financial year) and
-- breakdown ('All' = the authority total), with its value, target, RAG and its figures for the
-- previous period and the same period a year before. The quarterly report sections, Performance
-- on a Page and the self-evaluation export all read these rows (docs/reports.md). A measure an
-- extract of which the authority has never delivered (int_reporting_measures_not_delivered) has
-- no figure: NULL counts, value, RAG and comparisons, value_status not_delivered (never 0 % red).
-- held_back says how many subjects the data-quality policy held out of the measure's population.
with not_delivered as (
    select la_code, measure_code from {{ ref('int_reporting_measures_not_delivered') }}
),

counts as (
    select
        counts.la_code, counts.measure_code, counts.period_kind, counts.period_start, counts.period_end,
        counts.breakdown,
        case when not_delivered.measure_code is null then counts.numerator end as numerator,
        case when not_delivered.measure_code is null then counts.denominator end as denominator,
        not_delivered.measure_code is not null as is_not_delivered
    from {{ ref('int_reporting_measure_counts') }} as counts
    left join not_delivered
        on not_delivered.la_code = counts.la_code
        and not_delivered.measure_code = counts.measure_code
),

steps as (
    select
        counts.*,
        case counts.period_kind when 'month' then interval '1 month' when 'quarter' then interval '3 months'
            else interval '1 year' end as period_length
    from counts
),

compared as (
    select
        steps.*,
        previous.numerator as previous_numerator,
        previous.denominator as previous_denominator,
        last_year.numerator as last_year_numerator,
        last_year.denominator as last_year_denominator
    from steps
    left join counts as previous
        on previous.la_code = steps.la_code
        and previous.measure_code = steps.measure_code
        and previous.period_kind = steps.period_kind
        and previous.breakdown = steps.breakdown
        and previous.period_start = steps.period_start - steps.period_length
    left join counts as last_year
        on last_year.la_code = steps.la_code
        and last_year.measure_code = steps.measure_code
        and last_year.period_kind = steps.period_kind
        and last_year.breakdown = steps.breakdown
        and last_year.period_start = steps.period_start - interval '1 year'
)

select
    compared.la_code,
    measures.area as section,
    compared.measure_code,
    measures.measure_name,
    measures.display_order,
    measures.unit,
    compared.period_kind,
    compared.period_start,
    compared.period_end,
    dates.financial_year,
    case when compared.period_kind <> 'financial_year' then dates.financial_quarter end as financial_quarter,
    measures.breakdown_by,
    compared.breakdown,
    -- numeric, not integer: the workforce rates count FTE (docs/workforce-figures.md)
    cast(compared.numerator as numeric) as numerator,
    cast(compared.denominator as numeric) as denominator,
    case when compared.is_not_delivered then 'not_delivered' else 'published' end as value_status,
    cast(coalesce(held.held_back, 0) as integer) as held_back,
    {{ measure_value('compared.numerator', 'compared.denominator', 'measures.unit') }} as value,
    measures.target,
    {{ rag('compared.numerator', 'compared.denominator', 'measures.green_from', 'measures.amber_from',
           'measures.polarity', 'measures.unit') }} as rag,
    {{ measure_value('compared.previous_numerator', 'compared.previous_denominator', 'measures.unit') }}
        as previous_value,
    {{ measure_value('compared.last_year_numerator', 'compared.last_year_denominator', 'measures.unit') }}
        as same_period_last_year_value,
    {{ direction_of_travel('compared.numerator', 'compared.denominator', 'compared.previous_numerator',
                           'compared.previous_denominator', 'measures.polarity') }} as direction_of_travel,
    benchmarks.benchmark_time_period,
    benchmarks.england_value,
    benchmarks.region_value,
    benchmarks.statistical_neighbours_value,
    benchmarks.rank_among_authorities,
    benchmarks.authorities_ranked,
    benchmarks.quartile,
    commentary.commentary,
    commentary.commentary_action,
    commentary.commentary_owner,
    commentary.commentary_author
from compared
inner join {{ ref('measure_targets') }} as measures
    on measures.measure_code = compared.measure_code
inner join {{ ref('dim_calendar') }} as dates
    on dates.date_day = compared.period_end
left join {{ ref('int_reporting_measures_held_back') }} as held
    on held.la_code = compared.la_code
    and held.measure_code = compared.measure_code
-- DfE's benchmarks and the commentary are about the authority, so only its total carries them.
left join lateral (
    select published.*
    from {{ ref('int_reporting_measure_benchmarks') }} as published
    where published.la_code = compared.la_code  -- noqa: RF03
        and published.measure_code = compared.measure_code
        and published.benchmark_period_end <= compared.period_end
        and compared.breakdown = 'All'
    order by published.benchmark_period_end desc
    limit 1
) as benchmarks on true
left join {{ ref('int_reporting_measure_commentary') }} as commentary
    on commentary.la_code = compared.la_code
    and commentary.measure_code = compared.measure_code
    and commentary.period_kind = compared.period_kind
    and commentary.period_end = compared.period_end
    and compared.breakdown = 'All'

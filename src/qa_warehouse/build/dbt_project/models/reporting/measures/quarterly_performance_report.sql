-- The quarterly children's social care performance report as seed 002's committee reads it: per
-- authority and financial quarter, each section (seeds report_section_titles, in its order) with
-- its measures (seeds report_sections) from measure_values: the authority total and, where a
-- measure has them, its breakdown rows, each with its comparisons, target, RAG, DfE's benchmarks
-- and the authority's commentary (the measure's, and the section's on every row of the section).
-- A section with no figure for a quarter still has a row: measure_code NULL, value_status
-- 'no_data', so the report says so rather than leaving the section out (docs/reports.md).
with sections as (
    select report_section, section_order, section_title
    from {{ ref('report_section_titles') }}
),

quarter_figures as (
    select
        figures.*,
        measure_sections.report_section
    from {{ ref('measure_values') }} as figures
    inner join {{ ref('report_sections') }} as measure_sections
        on measure_sections.measure_code = figures.measure_code
    where figures.period_kind = 'quarter'
),

-- Every quarter the authority has any figure for: each section is reported for each of them.
authority_quarters as (
    select distinct la_code, period_start, period_end, financial_year, financial_quarter
    from {{ ref('measure_values') }}
    where period_kind = 'quarter'
),

measure_rows as (
    select
        la_code,
        report_section,
        period_start,
        period_end,
        financial_year,
        financial_quarter,
        measure_code,
        measure_name,
        display_order,
        unit,
        breakdown_by,
        breakdown,
        numerator,
        denominator,
        value,
        target,
        rag,
        previous_value as previous_quarter_value,
        same_period_last_year_value as same_quarter_last_year_value,
        direction_of_travel,
        held_back,
        value_status,
        benchmark_time_period,
        england_value,
        region_value,
        statistical_neighbours_value,
        rank_among_authorities,
        authorities_ranked,
        quartile,
        commentary,
        commentary_action,
        commentary_owner,
        commentary_author
    from quarter_figures
),

no_data_rows as (
    select
        quarters.la_code,
        sections.report_section,
        quarters.period_start,
        quarters.period_end,
        quarters.financial_year,
        quarters.financial_quarter,
        cast(null as text) as measure_code,
        cast(null as text) as measure_name,
        0 as display_order,
        cast(null as text) as unit,
        'authority' as breakdown_by,
        'All' as breakdown,
        cast(null as integer) as numerator,
        cast(null as integer) as denominator,
        cast(null as numeric) as value,
        cast(null as numeric) as target,
        cast(null as text) as rag,
        cast(null as numeric) as previous_quarter_value,
        cast(null as numeric) as same_quarter_last_year_value,
        cast(null as text) as direction_of_travel,
        0 as held_back,
        'no_data' as value_status,
        cast(null as text) as benchmark_time_period,
        cast(null as numeric) as england_value,
        cast(null as numeric) as region_value,
        cast(null as numeric) as statistical_neighbours_value,
        cast(null as integer) as rank_among_authorities,
        cast(null as integer) as authorities_ranked,
        cast(null as integer) as quartile,
        cast(null as text) as commentary,
        cast(null as text) as commentary_action,
        cast(null as text) as commentary_owner,
        cast(null as text) as commentary_author
    from authority_quarters as quarters
    cross join sections
    where not exists (
        select 1 from quarter_figures as figures
        where figures.la_code = quarters.la_code
            and figures.period_end = quarters.period_end
            and figures.report_section = sections.report_section
    )
),

report_rows as (
    select * from measure_rows
    union all
    select * from no_data_rows
)

select
    report_rows.la_code,
    authorities.la_name,
    report_rows.report_section as section,
    sections.section_order,
    sections.section_title,
    report_rows.period_start,
    report_rows.period_end,
    report_rows.financial_year,
    report_rows.financial_quarter,
    report_rows.measure_code,
    report_rows.measure_name,
    report_rows.display_order,
    report_rows.unit,
    measures.polarity,
    report_rows.breakdown_by,
    report_rows.breakdown,
    report_rows.numerator,
    report_rows.denominator,
    report_rows.value,
    report_rows.target,
    report_rows.rag,
    report_rows.previous_quarter_value,
    report_rows.same_quarter_last_year_value,
    report_rows.direction_of_travel,
    report_rows.held_back,
    report_rows.value_status,
    report_rows.benchmark_time_period,
    report_rows.england_value,
    report_rows.region_value,
    report_rows.statistical_neighbours_value,
    report_rows.rank_among_authorities,
    report_rows.authorities_ranked,
    report_rows.quartile,
    report_rows.commentary,
    report_rows.commentary_action,
    report_rows.commentary_owner,
    report_rows.commentary_author,
    section_commentary.section_commentary,
    section_commentary.section_commentary_action,
    section_commentary.section_commentary_owner,
    section_commentary.section_commentary_author
from report_rows
inner join sections
    on sections.report_section = report_rows.report_section
left join {{ ref('dim_authority') }} as authorities
    on authorities.la_code = report_rows.la_code
left join {{ ref('measure_targets') }} as measures
    on measures.measure_code = report_rows.measure_code
left join {{ ref('int_reporting_section_commentary') }} as section_commentary
    on section_commentary.la_code = report_rows.la_code
    and section_commentary.report_section = report_rows.report_section
    and section_commentary.period_kind = 'quarter'
    and section_commentary.period_end = report_rows.period_end

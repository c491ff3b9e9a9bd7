-- The financial quarters each authority's quality assurance tables show, per extract: the last
-- complete quarter ending on or before the authority's current extract date of that extract, and
-- the (qa_history_quarters - 1) quarters before it. Financial quarters are calendar quarters
-- (Q1 April-June ... Q4 January-March), so date_trunc('quarter') finds their starts.
with snapshots as (
    select
        extract,
        la_code,
        extract_date,
        -- the start of the last quarter that is complete on the extract date
        cast(date_trunc('quarter', extract_date + 1) - interval '3 months' as date) as last_period_start
    from {{ ref('stg_quality_assurance__current_loads') }}
),

quarters as (
    select
        snapshots.extract,
        snapshots.la_code,
        snapshots.extract_date,
        cast(snapshots.last_period_start - make_interval(months => 3 * quarters_back.quarters_back) as date)
            as period_start
    from snapshots
    cross join generate_series(0, {{ var('qa_history_quarters') | int }} - 1) as quarters_back (quarters_back)
)

select
    quarters.extract,
    quarters.la_code,
    quarters.extract_date,
    quarters.period_start,
    cast(quarters.period_start + interval '3 months' as date) - 1 as period_end,
    dim_date.financial_year,
    dim_date.financial_quarter
from quarters
inner join {{ ref('dim_date') }} as dim_date
    on dim_date.date_day = quarters.period_start

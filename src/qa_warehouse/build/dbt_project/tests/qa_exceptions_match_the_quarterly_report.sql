-- The quality assurance exception list is the list behind the quarterly report: in each
-- authority's latest reported quarter of an "on time" measure, its rows number exactly the
-- report's denominator - numerator, for the authority ('All') and for each service row.
with report as (
    select la_code, period_end, measure_code, breakdown, numerator, denominator
    from {{ ref('quarterly_report_audits') }}
    where measure_code in ('audit_actions_on_time', 'audit_loops_closed')
    union all
    select la_code, period_end, measure_code, breakdown, numerator, denominator
    from {{ ref('quarterly_report_complaints') }}
    where measure_code = 'complaints_in_timescale'
),

latest_report as (
    select la_code, period_end, measure_code, breakdown, denominator - numerator as not_in_time
    from report
    where period_end = (
        select max(latest.period_end) from report as latest
        where latest.la_code = report.la_code and latest.measure_code = report.measure_code
    )
),

listed as (
    select la_code, period_end, measure_code, coalesce(service, 'All') as breakdown, count(*) as rows_listed
    from {{ ref('qa_exceptions') }}
    group by grouping sets ((la_code, period_end, measure_code, service), (la_code, period_end, measure_code))
)

select
    coalesce(latest_report.la_code, listed.la_code) as la_code,
    coalesce(latest_report.period_end, listed.period_end) as period_end,
    coalesce(latest_report.measure_code, listed.measure_code) as measure_code,
    coalesce(latest_report.breakdown, listed.breakdown) as breakdown,
    latest_report.not_in_time,
    listed.rows_listed
from latest_report
full outer join listed
    on listed.la_code = latest_report.la_code
    and listed.period_end = latest_report.period_end
    and listed.measure_code = latest_report.measure_code
    and listed.breakdown = latest_report.breakdown
where coalesce(latest_report.not_in_time, 0) <> coalesce(listed.rows_listed, 0)

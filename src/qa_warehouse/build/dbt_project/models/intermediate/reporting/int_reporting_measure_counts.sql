-- Every headline measure's counts in one long form: per authority, measure, period (month,
-- financial quarter, financial year) and breakdown ('All' = the authority total, else the team,
-- service or respondent of the measure's breakdown_by; children in care measures have the
-- authority total only, for month ends and 903 years; children in need measures the authority
-- total, for month ends, financial quarters and census years). numerator over denominator for a
-- percentage; the numerator alone (denominator NULL) for a count. reporting.measure_values adds
-- the values, targets, RAG and comparisons; the quarterly report sections read it.
with measures as (
    select * from {{ ref('measure_targets') }}
),

-- Fostering: positions at each month end (the scorecard's counts). A quarter's figure is its last
-- month end's.
fostering_months as (
    select
        la_code,
        measure_code,
        'month' as period_kind,
        cast(date_trunc('month', period_end) as date) as period_start,
        period_end,
        coalesce(team, 'All') as breakdown,
        in_time as numerator,
        in_time + out_of_time as denominator
    from {{ ref('fct_fostering_kpi') }}
),

fostering_quarters as (
    select
        la_code,
        measure_code,
        'quarter' as period_kind,
        cast(date_trunc('quarter', period_end) as date) as period_start,
        period_end,
        breakdown,
        numerator,
        denominator
    from fostering_months
    where extract(month from period_end) in (3, 6, 9, 12)
),

-- Quality assurance: events in each reporting quarter of the measure's extract. Every quarter has
-- its authority total (zero when nothing happened); a breakdown row only where it had events.
qa_events as (
    select
        la_code,
        quarter_start,
        service as breakdown,
        count(*) as audits_completed,
        count(*) filter (where is_good_or_better) as good_or_better
    from {{ ref('fct_qa_audits') }}
    group by la_code, quarter_start, service
),

qa_quarter_counts as (
    select 'case_file_audits' as extract, la_code, quarter_start, breakdown, 'audits_completed' as measure_code,
           audits_completed as numerator, cast(null as bigint) as denominator
    from qa_events
    union all
    select 'case_file_audits', la_code, quarter_start, breakdown, 'audits_good_or_better',
           good_or_better, audits_completed
    from qa_events
    union all
    select 'audit_actions', la_code, due_quarter_start, service, 'audit_actions_on_time',
           count(*) filter (where action_status = 'completed_on_time'), count(*)
    from {{ ref('fct_qa_audit_actions') }}
    where service is not null  -- its audit is in the current case_file_audits delivery (as qa_audit_actions)
    group by la_code, due_quarter_start, service
    union all
    -- loops closed: actions set by the quarter's audits (as qa_audit_outcomes counts them)
    select 'case_file_audits', audits.la_code, audits.quarter_start, audits.service, 'audit_loops_closed',
           count(actions.audit_key) filter (where actions.loop_closed), count(actions.audit_key)
    from {{ ref('fct_qa_audits') }} as audits
    left join {{ ref('fct_qa_audit_actions') }} as actions
        on actions.audit_key = audits.audit_key
    group by audits.la_code, audits.quarter_start, audits.service
    union all
    select 'feedback', la_code, quarter_start, respondent, 'feedback_responses',
           count(distinct response_key), null
    from {{ ref('fct_qa_feedback_answers') }}
    group by la_code, quarter_start, respondent
    union all
    select 'feedback', la_code, quarter_start, respondent, 'feedback_positive',
           count(*) filter (where sentiment = 'positive'), count(rating)
    from {{ ref('fct_qa_feedback_answers') }}
    group by la_code, quarter_start, respondent
    union all
    select 'complaints', la_code, quarter_start, service, 'complaints_received', count(*), null
    from {{ ref('fct_qa_complaints') }}
    where record_type = 'complaint'
    group by la_code, quarter_start, service
    union all
    select 'complaints', la_code, quarter_start, service, 'complaints_in_timescale',
           count(*) filter (where within_timescale), count(responded_date)
    from {{ ref('fct_qa_complaints') }}
    where record_type = 'complaint'
    group by la_code, quarter_start, service
    union all
    select 'complaints', la_code, quarter_start, service, 'complaints_upheld',
           count(*) filter (where outcome in ('upheld', 'partly_upheld')),
           count(*) filter (where outcome in ('upheld', 'partly_upheld', 'not_upheld'))
    from {{ ref('fct_qa_complaints') }}
    where record_type = 'complaint'
    group by la_code, quarter_start, service
    union all
    select 'complaints', la_code, quarter_start, service, 'compliments_received', count(*), null
    from {{ ref('fct_qa_complaints') }}
    where record_type = 'compliment'
    group by la_code, quarter_start, service
),

-- Which extract each quality assurance measure counts (for its reporting quarters).
qa_measure_extracts as (
    select distinct measure_code, extract from qa_quarter_counts
),

qa_breakdown_quarters as (
    select
        counts.la_code,
        counts.measure_code,
        'quarter' as period_kind,
        quarters.period_start,
        quarters.period_end,
        counts.breakdown,
        counts.numerator,
        counts.denominator
    from qa_quarter_counts as counts
    inner join {{ ref('int_quality_assurance_reporting_quarters') }} as quarters
        on quarters.extract = counts.extract
        and quarters.la_code = counts.la_code
        and quarters.period_start = counts.quarter_start
),

qa_total_quarters as (
    select
        quarters.la_code,
        measures.measure_code,
        'quarter' as period_kind,
        quarters.period_start,
        quarters.period_end,
        'All' as breakdown,
        coalesce(sum(rows.numerator), 0) as numerator,
        case when measures.unit = 'percentage' then coalesce(sum(rows.denominator), 0) end as denominator
    from {{ ref('int_quality_assurance_reporting_quarters') }} as quarters
    inner join qa_measure_extracts
        on qa_measure_extracts.extract = quarters.extract
    inner join measures
        on measures.measure_code = qa_measure_extracts.measure_code
    left join qa_breakdown_quarters as rows
        on rows.la_code = quarters.la_code
        and rows.measure_code = measures.measure_code
        and rows.period_start = quarters.period_start
    group by quarters.la_code, measures.measure_code, measures.unit, quarters.period_start, quarters.period_end
),

quarters as (
    select * from fostering_quarters
    union all
    select * from qa_breakdown_quarters
    union all
    select * from qa_total_quarters
),

-- A financial year's figure, where all four of its quarters are reported: the 31 March position
-- (year_end) or the four quarters added up (year_total).
years as (
    select
        quarters.la_code,
        quarters.measure_code,
        'financial_year' as period_kind,
        -- 1 April to 31 March: three months back from any of its quarter ends is in the year it starts
        cast(date_trunc('year', max(quarters.period_end) - interval '3 months') + interval '3 months' as date)
            as period_start,
        cast(date_trunc('year', max(quarters.period_end) - interval '3 months') + interval '1 year 3 months'
            - interval '1 day' as date) as period_end,
        quarters.breakdown,
        case when measures.year_figure = 'year_total' then sum(quarters.numerator)
             else max(quarters.numerator) filter (where extract(month from quarters.period_end) = 3) end as numerator,
        case when measures.year_figure = 'year_total' then sum(quarters.denominator)
             else max(quarters.denominator) filter (where extract(month from quarters.period_end) = 3)
        end as denominator
    from quarters
    inner join measures
        on measures.measure_code = quarters.measure_code
    inner join {{ ref('dim_date') }} as dates
        on dates.date_day = quarters.period_end
    group by quarters.la_code, quarters.measure_code, quarters.breakdown, measures.year_figure, dates.financial_year
    -- complete years only (the authority total has a row in every reported quarter); a breakdown
    -- counts in a year it had events in any quarter, but has a 31 March position only with a row then
    having (measures.year_figure = 'year_total' or bool_or(extract(month from quarters.period_end) = 3))
        and exists (
            select 1
            from quarters as totals
            inner join {{ ref('dim_date') }} as total_dates
                on total_dates.date_day = totals.period_end
            where totals.la_code = quarters.la_code
                and totals.measure_code = quarters.measure_code
                and totals.breakdown = 'All'
                and total_dates.financial_year = dates.financial_year
            having count(*) = 4
        )
),

-- Children in care: the scorecard's figures, month ends and 903 years (a 903 year is the
-- financial year); no quarters, as no quarterly report section shows them.
children_in_care as (
    select
        la_code,
        measure_code,
        case period_type when 'month' then 'month' else 'financial_year' end as period_kind,
        period_start,
        period_end,
        'All' as breakdown,
        numerator,
        denominator
    from {{ ref('int_children_in_care_scorecard_measures') }}
),

-- Children in need: the census figures, month ends, financial quarters and census collection years
-- (the financial year), each counted over its own period (fct_children_in_need_measures).
children_in_need as (
    select
        la_code,
        measure_code,
        period_type as period_kind,
        period_start,
        period_end,
        'All' as breakdown,
        numerator,
        denominator
    from {{ ref('fct_children_in_need_measures') }}
)

select * from fostering_months
union all
select * from quarters
union all
select * from years
union all
select * from children_in_care
union all
select * from children_in_need

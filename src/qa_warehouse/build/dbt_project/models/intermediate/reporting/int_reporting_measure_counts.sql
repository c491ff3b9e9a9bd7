-- Every headline measure's counts in one long form: per authority, measure, period (month,
-- financial quarter, financial year) and breakdown ('All' = the authority total, else the team,
-- service, respondent, provision or carer type of the measure's breakdown_by; children in care
-- measures have the authority total only, for month ends, quarters and 903 years; children in
-- need measures the authority total, for month ends, financial quarters and census years).
-- numerator over denominator for a percentage or an average; the numerator alone (denominator
-- NULL) for a count. reporting.measure_values adds
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

-- Workforce, residential and recruitment (issue 18): month rows per breakdown (team, provision,
-- carer type) and the authority total ('All'), counted from each area's marts with the area's
-- own definitions (docs/workforce-figures.md, residential-figures.md, recruitment-figures.md).
-- Numerators and denominators are FTE for the workforce rates, so not whole numbers.
area_months as (
    -- DfE workforce census rates at each month end (fct_workforce_monthly, which
    -- reporting.workforce_monthly publishes)
    select la_code, 'workforce_agency_rate' as measure_code, period_end, coalesce(team, 'All') as breakdown,
           agency_fte as numerator, employed_fte + agency_fte as denominator
    from {{ ref('fct_workforce_monthly') }}
    union all
    select la_code, 'workforce_turnover_rate', period_end, coalesce(team, 'All'),
           leavers_fte_12_months, average_employed_fte_12_months
    from {{ ref('fct_workforce_monthly') }}
    union all
    select la_code, 'workforce_vacancy_rate', period_end, coalesce(team, 'All'), vacancy_fte, establishment_fte
    from {{ ref('fct_workforce_monthly') }}
    union all
    -- caseloads are a snapshot at the extract date: the latest month end only
    select la_code, 'workforce_average_caseload', period_end, coalesce(team, 'All'), caseload_total, case_holding_fte
    from {{ ref('fct_workforce_monthly') }}
    where average_caseload is not null
    union all
    -- children's homes: occupied of registered places of the homes open at the month end (the
    -- latest month end only: occupancy is a snapshot), homes open all month visited under
    -- regulation 44, and homes registered within the registration timescale of their application
    select month_ends.la_code, measures.measure_code, month_ends.period_end,
           coalesce(provisions.provision, 'All'),
           case measures.measure_code
               when 'residential_occupancy' then coalesce(sum(home_months.occupied_places)
                   filter (where home_months.is_open_at_period_end), 0)
               when 'residential_reg44_visited' then count(*)
                   filter (where home_months.is_open_all_month and home_months.reg44_visits > 0)
               else count(*) filter (where home_months.registered_in_month
                   and home_months.registration_date - home_months.application_date
                       <= {{ var('residential_registration_days') | int }})
           end,
           case measures.measure_code
               when 'residential_occupancy' then coalesce(sum(home_months.registered_places)
                   filter (where home_months.is_open_at_period_end), 0)
               when 'residential_reg44_visited' then count(*) filter (where home_months.is_open_all_month)
               else count(*) filter (where home_months.registered_in_month)
           end
    from {{ ref('int_residential_month_ends') }} as month_ends
    cross join (values ('internal'), ('external')) as provisions (provision)
    cross join (
        values ('residential_occupancy'), ('residential_reg44_visited'), ('residential_registration_timeliness')
    ) as measures (measure_code)
    left join {{ ref('fct_residential_home_months') }} as home_months
        on home_months.la_code = month_ends.la_code
        and home_months.period_end = month_ends.period_end
        and home_months.provision = provisions.provision
    where measures.measure_code <> 'residential_occupancy' or month_ends.is_latest
    group by grouping sets ((month_ends.la_code, measures.measure_code, month_ends.period_end, provisions.provision),
                            (month_ends.la_code, measures.measure_code, month_ends.period_end))
    union all
    -- foster carer recruitment, by carer type: the month's enquiries that reached application by
    -- the extract date; panels in the month within 8 months of the application (NMS 14.3; a panel
    -- without an application date counts, as not known)
    select months.la_code, measures.measure_code, months.period_end, months.carer_type,
           case measures.measure_code
               when 'recruitment_enquiry_to_application' then count(*)
                   filter (where enquiries.reached_application
                       and enquiries.enquiry_date between months.period_start and months.period_end)
               else count(*) filter (where enquiries.panel_within_8_months
                   and enquiries.panel_date between months.period_start and months.period_end)
           end,
           case measures.measure_code
               when 'recruitment_enquiry_to_application' then count(enquiries.enquiry_key)
                   filter (where enquiries.enquiry_date between months.period_start and months.period_end)
               else count(enquiries.enquiry_key)
                   filter (where enquiries.panel_date between months.period_start and months.period_end)
           end
    from {{ ref('int_recruitment_reporting_month_carer_types') }} as months
    cross join (
        values ('recruitment_enquiry_to_application'), ('recruitment_nms14_timeliness')
    ) as measures (measure_code)
    left join {{ ref('fct_recruitment_enquiries') }} as enquiries
        on enquiries.la_code = months.la_code
        and enquiries.carer_type = months.carer_type
    group by months.la_code, measures.measure_code, months.period_end, months.carer_type
),

recruitment_totals as (
    select la_code, measure_code, period_end, 'All' as breakdown, sum(numerator) as numerator,
           sum(denominator) as denominator
    from area_months
    where measure_code like 'recruitment\_%'
    group by la_code, measure_code, period_end
),

-- regulation 24 temporary approvals (kinship only) that ended in the month over 16 weeks
regulation_24_months as (
    select months.la_code, 'regulation_24_over_16_weeks' as measure_code, months.period_end, 'All' as breakdown,
           count(*) filter (where approvals.reg24_days
                                  > {{ recruitment_timescale('regulation_24_limit', as_length=true) }}) as numerator,
           count(approvals.enquiry_key) as denominator
    from {{ ref('int_recruitment_reporting_months') }} as months
    left join {{ ref('fct_recruitment_enquiries') }} as approvals
        on approvals.la_code = months.la_code
        and approvals.reg24_end_date between months.period_start and months.period_end
    group by months.la_code, months.period_end
),

area_month_rows as (
    select
        la_code, measure_code, 'month' as period_kind,
        cast(date_trunc('month', period_end) as date) as period_start, period_end, breakdown,
        cast(numerator as numeric) as numerator, cast(denominator as numeric) as denominator
    from (
        select * from area_months
        union all
        select * from recruitment_totals
        union all
        select * from regulation_24_months
    ) as months
),

-- A quarter of an area measure: its last month end's position (year_end) or its three months
-- added up (year_total), where every month of the quarter is reported.
area_quarters as (
    select
        months.la_code,
        months.measure_code,
        'quarter' as period_kind,
        cast(date_trunc('quarter', months.period_end) as date) as period_start,
        cast(date_trunc('quarter', months.period_end) + interval '3 months' - interval '1 day' as date) as period_end,
        months.breakdown,
        case when measures.year_figure = 'year_total' then sum(months.numerator)
             else max(months.numerator) filter (where extract(month from months.period_end) in (3, 6, 9, 12))
        end as numerator,
        case when measures.year_figure = 'year_total' then sum(months.denominator)
             else max(months.denominator) filter (where extract(month from months.period_end) in (3, 6, 9, 12))
        end as denominator
    from area_month_rows as months
    inner join measures on measures.measure_code = months.measure_code
    group by months.la_code, months.measure_code, months.breakdown, measures.year_figure,
             date_trunc('quarter', months.period_end)
    having (measures.year_figure = 'year_total' and count(*) = 3)
        or (measures.year_figure = 'year_end' and bool_or(extract(month from months.period_end) in (3, 6, 9, 12)))
),

quarters as (
    select * from fostering_quarters
    union all
    select * from qa_breakdown_quarters
    union all
    select * from qa_total_quarters
    union all
    select * from area_quarters
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
    inner join {{ ref('dim_calendar') }} as dates
        on dates.date_day = quarters.period_end
    group by quarters.la_code, quarters.measure_code, quarters.breakdown, measures.year_figure, dates.financial_year
    -- complete years only (the authority total has a row in every reported quarter); a breakdown
    -- counts in a year it had events in any quarter, but has a 31 March position only with a row then
    having (measures.year_figure = 'year_total' or bool_or(extract(month from quarters.period_end) = 3))
        and exists (
            select 1
            from quarters as totals
            inner join {{ ref('dim_calendar') }} as total_dates
                on total_dates.date_day = totals.period_end
            where totals.la_code = quarters.la_code
                and totals.measure_code = quarters.measure_code
                and totals.breakdown = 'All'
                and total_dates.financial_year = dates.financial_year
            having count(*) = 4
        )
),

-- Children in care: the scorecard's figures, month ends and 903 years (a 903 year is the
-- financial year).
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

-- Children in care quarters (issue 18): a position measure's quarter is its quarter-end month's
-- figure. missing_episodes counts the children who went missing in the period, which three
-- months' figures cannot add up to (a child missing in two months is one child), so it has no
-- quarter rows.
children_in_care_quarters as (
    select
        children_in_care.la_code,
        children_in_care.measure_code,
        'quarter' as period_kind,
        cast(date_trunc('quarter', children_in_care.period_end) as date) as period_start,
        children_in_care.period_end,
        children_in_care.breakdown,
        children_in_care.numerator,
        children_in_care.denominator
    from children_in_care
    inner join measures on measures.measure_code = children_in_care.measure_code
    where children_in_care.period_kind = 'month'
        and extract(month from children_in_care.period_end) in (3, 6, 9, 12)
        and measures.year_figure = 'year_end'
),

-- Children in care permanence, placement moves and social worker stability (the 903 Episodes,
-- SWEpisodes; docs/children-in-care-permanence.md): month ends and 903 years, authority total.
-- unplanned_placement_moves leaves PLACE (a change of the placement's status only) out.
children_in_care_permanence_and_stability as (
    select
        la_code, 'children_adopted' as measure_code, period_type, period_start, period_end,
        children_adopted as numerator, cast(null as bigint) as denominator
    from {{ ref('int_children_in_care_permanence_in_periods') }}
    union all
    select
        la_code, 'adopted_within_14_months', period_type, period_start, period_end,
        adopted_within_14_months, children_adopted
    from {{ ref('int_children_in_care_permanence_in_periods') }}
    union all
    select
        la_code, 'special_guardianship_orders', period_type, period_start, period_end,
        special_guardianship_orders, null
    from {{ ref('int_children_in_care_permanence_in_periods') }}
    union all
    select
        la_code, 'child_arrangements_orders', period_type, period_start, period_end,
        child_arrangements_orders, null
    from {{ ref('int_children_in_care_permanence_in_periods') }}
    union all
    select
        la_code, 'unplanned_placement_moves', period_type, period_start, period_end,
        sum(moves) filter (where move_group = 'unplanned'), sum(moves)
    from {{ ref('int_children_in_care_placement_moves_in_periods') }}
    where move_group <> 'status_only'
    group by la_code, period_type, period_start, period_end
    union all
    select
        la_code, 'social_worker_stability_3_plus', period_type, period_start, period_end,
        three_or_more_social_workers, looked_after_at_period_end - no_social_worker_recorded
    from {{ ref('int_children_in_care_social_worker_stability_in_periods') }}
),

children_in_care_permanence_and_stability_counts as (
    select
        la_code,
        measure_code,
        case period_type when 'month' then 'month' else 'financial_year' end as period_kind,
        period_start,
        period_end,
        'All' as breakdown,
        numerator,
        denominator
    from children_in_care_permanence_and_stability
),

-- The foster carer register (docs/fostering-register.md): households approved and their approved
-- places at each month end, de-registrations in the month; per team and the authority total. A
-- quarter's or year's figure is its last month end's (year_end) or its months added up
-- (year_total), for complete quarters and years only.
fostering_register_months as (
    select
        totals.la_code,
        figures.measure_code,
        'month' as period_kind,
        totals.period_start,
        totals.period_end,
        totals.breakdown,
        figures.numerator,
        cast(null as bigint) as denominator
    from (
        select
            la_code,
            period_start,
            period_end,
            coalesce(team, 'All') as breakdown,
            sum(approved_households) as approved_households,
            sum(approved_places) as approved_places,
            sum(deregistrations_in_month) as deregistrations
        from {{ ref('int_fostering_register_in_months') }}
        group by grouping sets ((la_code, period_start, period_end, team), (la_code, period_start, period_end))
    ) as totals
    cross join lateral (
        values
        ('approved_fostering_households', totals.approved_households),
        ('approved_fostering_places', totals.approved_places),
        ('fostering_deregistrations', totals.deregistrations)
    ) as figures (measure_code, numerator)
),

fostering_register_longer_periods as (
    select
        months.la_code,
        months.measure_code,
        spans.period_kind,
        spans.period_start,
        cast(spans.period_start + spans.span - interval '1 day' as date) as period_end,
        months.breakdown,
        case when measures.year_figure = 'year_total' then sum(months.numerator)
             else max(months.numerator) filter (
                 where months.period_end = cast(spans.period_start + spans.span - interval '1 day' as date))
        end as numerator,
        cast(null as bigint) as denominator
    from fostering_register_months as months
    inner join measures on measures.measure_code = months.measure_code
    cross join lateral (
        values
        ('quarter', cast(date_trunc('quarter', months.period_end) as date), interval '3 months', 3),
        ('financial_year',
         cast(date_trunc('year', months.period_end - interval '3 months') + interval '3 months' as date),
         interval '1 year', 12)
    ) as spans (period_kind, period_start, span, months_in_period)
    group by months.la_code, months.measure_code, spans.period_kind, spans.period_start, spans.span,
             spans.months_in_period, months.breakdown, measures.year_figure
    having count(*) = spans.months_in_period
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
),

-- Children in need rates per 10,000 children: our own counts over ONS's estimate of children aged
-- 0 to 17 of the latest mid-year (30 June) on or before the period end, as DfE's rates take the
-- previous mid-year for 31 March (docs/benchmarks.md). No population loaded, no rate.
children_in_need_rates as (
    select
        counts.la_code,
        rates.measure_code,
        counts.period_kind,
        counts.period_start,
        counts.period_end,
        counts.breakdown,
        counts.numerator,
        population.population_0_to_17 as denominator
    from children_in_need as counts
    inner join (
        values
        ('referrals', 'referrals_rate_per_10000'),
        ('children_in_need_at_period_end', 'children_in_need_rate_per_10000'),
        ('cp_plans_at_period_end', 'cp_plan_rate_per_10000')
    ) as rates (counted_measure_code, measure_code)
        on rates.counted_measure_code = counts.measure_code
    inner join lateral (
        select estimates.population_0_to_17
        from {{ ref('int_benchmarks__child_population') }} as estimates
        where estimates.la_code = counts.la_code
            and estimates.mid_year_date <= counts.period_end
        order by estimates.mid_year_date desc
        limit 1
    ) as population on true
)

select la_code, measure_code, period_kind, period_start, period_end, breakdown, numerator, denominator
from fostering_months
union all
select * from area_month_rows
union all
select * from quarters
union all
select * from years
union all
select * from children_in_care
union all
select * from children_in_care_quarters
union all
select * from children_in_need
union all
select * from children_in_need_rates
union all
select * from children_in_care_permanence_and_stability_counts
union all
select * from fostering_register_months
union all
select * from fostering_register_longer_periods

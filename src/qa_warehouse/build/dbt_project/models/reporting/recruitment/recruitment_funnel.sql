-- The recruitment funnel per authority, month and carer type: how many enquiries reached each
-- stage in the month, counted by the month of that stage's own date (so an enquiry made in March
-- and approved in November counts in March's enquiries and November's approvals).
with months as (
    select * from {{ ref('int_recruitment_reporting_month_carer_types') }}
),

stage_dates as (
    select la_code, carer_type, 'enquiries' as stage, enquiry_date as stage_date
    from {{ ref('fct_recruitment_enquiries') }}
    union all
    select la_code, carer_type, 'initial_visits', initial_visit_date from {{ ref('fct_recruitment_enquiries') }}
    union all
    select la_code, carer_type, 'applications', application_date from {{ ref('fct_recruitment_enquiries') }}
    union all
    select la_code, carer_type, 'assessments_started', assessment_start_date from {{ ref('fct_recruitment_enquiries') }}
    union all
    select la_code, carer_type, 'panels', panel_date from {{ ref('fct_recruitment_enquiries') }}
    union all
    select la_code, carer_type, 'approvals', approval_date from {{ ref('fct_recruitment_enquiries') }}
    union all
    select la_code, carer_type, 'withdrawals', withdrawn_date from {{ ref('fct_recruitment_enquiries') }}
),

counted as (
    select
        months.la_code,
        months.period_start,
        months.carer_type,
        count(*) filter (where stage_dates.stage = 'enquiries') as enquiries,
        count(*) filter (where stage_dates.stage = 'initial_visits') as initial_visits,
        count(*) filter (where stage_dates.stage = 'applications') as applications,
        count(*) filter (where stage_dates.stage = 'assessments_started') as assessments_started,
        count(*) filter (where stage_dates.stage = 'panels') as panels,
        count(*) filter (where stage_dates.stage = 'approvals') as approvals,
        count(*) filter (where stage_dates.stage = 'withdrawals') as withdrawals
    from months
    left join stage_dates
        on stage_dates.la_code = months.la_code
        and stage_dates.carer_type = months.carer_type
        and stage_dates.stage_date between months.period_start and months.period_end
    group by months.la_code, months.period_start, months.carer_type
)

select
    months.la_code,
    months.period_start,
    months.period_end,
    months.financial_year,
    months.financial_quarter,
    months.carer_type,
    cast(counted.enquiries as integer) as enquiries,
    cast(counted.initial_visits as integer) as initial_visits,
    cast(counted.applications as integer) as applications,
    cast(counted.assessments_started as integer) as assessments_started,
    cast(counted.panels as integer) as panels,
    cast(counted.approvals as integer) as approvals,
    cast(counted.withdrawals as integer) as withdrawals
from months
inner join counted
    on counted.la_code = months.la_code
    and counted.period_start = months.period_start
    and counted.carer_type = months.carer_type

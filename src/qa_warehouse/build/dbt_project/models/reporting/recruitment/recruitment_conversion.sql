-- Conversion per authority, enquiry month (the cohort) and carer type: of the enquiries made in
-- the month, how many had reached application and approval by the extract date. Recent cohorts
-- are still moving through the funnel: their rates rise as later deliveries arrive.
with months as (
    select * from {{ ref('int_recruitment_reporting_month_carer_types') }}
),

counted as (
    select
        months.la_code,
        months.period_start,
        months.carer_type,
        count(enquiries.enquiry_key) as enquiries,
        count(*) filter (where enquiries.reached_initial_visit) as reached_initial_visit,
        count(*) filter (where enquiries.reached_application) as reached_application,
        count(*) filter (where enquiries.reached_assessment) as reached_assessment,
        count(enquiries.approval_date) as approved,
        count(*) filter (where enquiries.outcome = 'withdrawn') as withdrawn,
        count(*) filter (where enquiries.outcome = 'in_progress') as in_progress
    from months
    left join {{ ref('fct_recruitment_enquiries') }} as enquiries
        on enquiries.la_code = months.la_code
        and enquiries.carer_type = months.carer_type
        and enquiries.enquiry_date between months.period_start and months.period_end
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
    cast(counted.reached_initial_visit as integer) as reached_initial_visit,
    cast(counted.reached_application as integer) as reached_application,
    cast(counted.reached_assessment as integer) as reached_assessment,
    cast(counted.approved as integer) as approved,
    cast(counted.withdrawn as integer) as withdrawn,
    cast(counted.in_progress as integer) as in_progress,
    {{ percentage('counted.reached_application', 'counted.enquiries') }} as enquiry_to_application_percentage,
    {{ percentage('counted.approved', 'counted.reached_application') }} as application_to_approval_percentage,
    {{ percentage('counted.approved', 'counted.enquiries') }} as enquiry_to_approval_percentage
from months
inner join counted
    on counted.la_code = months.la_code
    and counted.period_start = months.period_start
    and counted.carer_type = months.carer_type

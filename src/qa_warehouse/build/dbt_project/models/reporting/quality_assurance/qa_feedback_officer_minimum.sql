-- The collecting officers' monthly minimum: for each authority, each month of its reporting
-- quarters of feedback and each officer who collected any feedback in that month's quarter, the
-- distinct responses from carers and from birth parents the officer collected in the month, and
-- whether both met the minimum (seed feedback_minimums). Feedback with no collecting officer
-- (collected_by blank) has no officer to count against.
with officers_in_quarter as (
    select distinct la_code, quarter_start, officer_key
    from {{ ref('fct_qa_feedback_answers') }}
    where officer_key is not null
),

months as (
    select
        quarters.la_code,
        quarters.period_start as quarter_start,
        quarters.financial_year,
        quarters.financial_quarter,
        cast(quarters.period_start + make_interval(months => months_in.month_number) as date) as month_start
    from {{ ref('int_quality_assurance_reporting_quarters') }} as quarters
    cross join generate_series(0, 2) as months_in (month_number)
    where quarters.extract = 'feedback'
),

responses as (
    select
        la_code,
        month_start,
        officer_key,
        count(distinct response_key) filter (where respondent = 'carer') as carer_responses,
        count(distinct response_key) filter (where respondent = 'birth_parent') as birth_parent_responses
    from {{ ref('fct_qa_feedback_answers') }}
    where officer_key is not null
    group by la_code, month_start, officer_key
),

minimums as (
    select
        max(minimum_responses_per_month) filter (where respondent = 'carer') as carer_minimum,
        max(minimum_responses_per_month) filter (where respondent = 'birth_parent') as birth_parent_minimum
    from {{ ref('feedback_minimums') }}
)

select
    months.la_code,
    months.month_start as period_start,
    cast(months.month_start + interval '1 month' as date) - 1 as period_end,
    months.financial_year,
    months.financial_quarter,
    officers_in_quarter.officer_key,
    cast(coalesce(responses.carer_responses, 0) as integer) as carer_responses,
    cast(coalesce(responses.birth_parent_responses, 0) as integer) as birth_parent_responses,
    coalesce(responses.carer_responses, 0) >= coalesce(minimums.carer_minimum, 0)
        and coalesce(responses.birth_parent_responses, 0) >= coalesce(minimums.birth_parent_minimum, 0)
        as minimum_met
from months
inner join officers_in_quarter
    on officers_in_quarter.la_code = months.la_code
    and officers_in_quarter.quarter_start = months.quarter_start
cross join minimums
left join responses
    on responses.la_code = months.la_code
    and responses.month_start = months.month_start
    and responses.officer_key = officers_in_quarter.officer_key

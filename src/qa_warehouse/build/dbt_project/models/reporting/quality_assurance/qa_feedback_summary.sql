-- Feedback per authority, financial quarter (of collected_date), respondent and cohort, over the
-- reporting quarters of feedback.
with counted as (
    select
        la_code,
        quarter_start,
        respondent,
        cohort,
        count(distinct response_key) as responses,
        count(*) as answers,
        count(rating) as rated_answers,
        avg(rating) as average_rating,
        count(*) filter (where sentiment = 'positive') as positive,
        count(*) filter (where has_comment) as comments,
        count(*) filter (where has_comment and themes > 0) as comments_with_theme
    from {{ ref('fct_qa_feedback_answers') }}
    group by la_code, quarter_start, respondent, cohort
)

select
    counted.la_code,
    quarters.period_start,
    quarters.period_end,
    quarters.financial_year,
    quarters.financial_quarter,
    counted.respondent,
    counted.cohort,
    cast(counted.responses as integer) as responses,
    cast(counted.answers as integer) as answers,
    cast(counted.rated_answers as integer) as rated_answers,
    cast(counted.average_rating as numeric) as average_rating,
    {{ percentage('counted.positive', 'counted.rated_answers') }} as positive_percentage,
    cast(counted.comments as integer) as comments,
    cast(counted.comments_with_theme as integer) as comments_with_theme
from counted
inner join {{ ref('int_quality_assurance_reporting_quarters') }} as quarters
    on quarters.extract = 'feedback'
    and quarters.la_code = counted.la_code
    and quarters.period_start = counted.quarter_start

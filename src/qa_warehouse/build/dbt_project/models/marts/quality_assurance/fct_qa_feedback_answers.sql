-- One row per feedback answer (a question of a response): rating, sentiment, whether it has a
-- comment and how many themes the comment carries. The comment itself is not here.
with theme_counts as (
    select answer_key, count(*) as themes
    from {{ ref('int_quality_assurance_feedback_answer_themes') }}
    group by answer_key
)

select
    feedback.answer_key,
    feedback.response_key,
    feedback.la_code,
    feedback.collected_date,
    feedback.officer_key,
    feedback.respondent,
    coalesce(feedback.cohort, 'not_recorded') as cohort,
    feedback.channel,
    feedback.question_code,
    feedback.rating,
    case
        when feedback.rating in (4, 5) then 'positive'
        when feedback.rating in (1, 2) then 'negative'
        when feedback.rating = 3 then 'neutral'
        when feedback.rating is null then 'unrated'
    end as sentiment,
    feedback.comment is not null as has_comment,
    coalesce(theme_counts.themes, 0) as themes,
    cast(date_trunc('quarter', feedback.collected_date) as date) as quarter_start,
    cast(date_trunc('month', feedback.collected_date) as date) as month_start,
    dim_date.financial_year,
    dim_date.financial_quarter
from {{ ref('stg_quality_assurance__feedback') }} as feedback
left join theme_counts
    on theme_counts.answer_key = feedback.answer_key
left join {{ ref('dim_calendar') }} as dim_date
    on dim_date.date_day = feedback.collected_date

-- Feedback themes per authority, financial quarter (of collected_date), respondent, cohort and
-- theme (themes with at least one mention), with the mentions by the sentiment of their row.
with counted as (
    select
        la_code,
        quarter_start,
        respondent,
        cohort,
        theme,
        count(*) as mentions,
        count(*) filter (where sentiment = 'positive') as positive,
        count(*) filter (where sentiment = 'negative') as negative,
        count(*) filter (where sentiment = 'neutral') as neutral,
        count(*) filter (where sentiment = 'unrated') as unrated
    from {{ ref('bridge_qa_feedback_answer_themes') }}
    group by la_code, quarter_start, respondent, cohort, theme
)

select
    counted.la_code,
    quarters.period_start,
    quarters.period_end,
    quarters.financial_year,
    quarters.financial_quarter,
    counted.respondent,
    counted.cohort,
    counted.theme,
    cast(counted.mentions as integer) as mentions,
    cast(counted.positive as integer) as positive,
    cast(counted.negative as integer) as negative,
    cast(counted.neutral as integer) as neutral,
    cast(counted.unrated as integer) as unrated
from counted
inner join {{ ref('int_quality_assurance_reporting_quarters') }} as quarters
    on quarters.extract = 'feedback'
    and quarters.la_code = counted.la_code
    and quarters.period_start = counted.quarter_start

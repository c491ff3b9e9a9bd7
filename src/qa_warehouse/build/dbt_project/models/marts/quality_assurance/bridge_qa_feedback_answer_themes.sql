-- The bridge between feedback answers and themes: one row per answer and theme its comment
-- carries, with the answer's grouping columns and sentiment so theme figures need no second join.
select
    themes.answer_key,
    themes.theme,
    answers.la_code,
    answers.response_key,
    answers.respondent,
    answers.cohort,
    answers.sentiment,
    answers.quarter_start,
    answers.financial_year,
    answers.financial_quarter
from {{ ref('int_quality_assurance_feedback_answer_themes') }} as themes
inner join {{ ref('fct_qa_feedback_answers') }} as answers
    on answers.answer_key = themes.answer_key

-- Feedback as at each authority's current delivery, one row per response and question (an answer).
with current_snapshot as (
    {{ current_snapshot('raw_quality_assurance', 'feedback') }}
)

select
    md5({{ pseudonymise('response_id') }} || '|' || trim(question_code)) as answer_key,
    {{ pseudonymise('response_id') }} as response_key,
    trim(la_code) as la_code,
    cast(collected_date as date) as collected_date,
    {{ pseudonymise('collected_by') }} as officer_key,
    {{ normalise_code('respondent') }} as respondent,
    {{ normalise_code('cohort') }} as cohort,
    nullif(trim(channel), '') as channel,
    trim(question_code) as question_code,
    cast(rating as integer) as rating,
    -- free text: kept in staging and intermediate for theme matching, never published
    nullif(trim(comment), '') as comment
from current_snapshot

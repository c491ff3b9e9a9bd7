-- Every theme of every feedback comment: one row per answer and theme whose pattern (seed
-- feedback_themes, a PostgreSQL regular expression) matches the comment case-insensitively. A
-- comment can carry several themes or none; a blank comment carries none. The comment itself
-- stays here: marts and reporting get the themes only.
select
    feedback.answer_key,
    feedback.la_code,
    themes.theme
from {{ ref('stg_quality_assurance__feedback') }} as feedback
inner join {{ ref('feedback_themes') }} as themes
    on feedback.comment ~* themes.pattern
where nullif(trim(feedback.comment), '') is not null

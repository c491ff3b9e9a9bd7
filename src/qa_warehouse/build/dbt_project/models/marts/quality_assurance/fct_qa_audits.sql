-- One row per audit of the current case_file_audits delivery: its grades, the final grade (the
-- moderated grade when there is one, else the overall grade), the moderation change, days to
-- moderation and its financial quarter. No free text.
with audits as (
    select
        *,
        -- grades in order: inadequate 1 < requires_improvement 2 < good 3 < outstanding 4
        case overall_grade
            when 'inadequate' then 1 when 'requires_improvement' then 2
            when 'good' then 3 when 'outstanding' then 4
        end as overall_rank,
        case moderated_grade
            when 'inadequate' then 1 when 'requires_improvement' then 2
            when 'good' then 3 when 'outstanding' then 4
        end as moderated_rank
    from {{ ref('stg_quality_assurance__case_file_audits') }}
)

select
    audits.audit_key,
    audits.la_code,
    audits.audit_type,
    audits.topic,
    audits.service,
    audits.subject_type,
    audits.subject_key,
    audits.lead_auditor_key,
    audits.peer_auditor_key,
    audits.moderator_key,
    audits.audit_date,
    audits.grade_voice_of_child,
    audits.grade_support_and_supervision,
    audits.grade_safer_caring,
    audits.grade_matching,
    audits.grade_approval_review_panel,
    audits.grade_management_oversight,
    audits.overall_grade,
    audits.moderated_grade,
    coalesce(audits.moderated_grade, audits.overall_grade) as final_grade,
    coalesce(audits.moderated_grade, audits.overall_grade) in ('outstanding', 'good') as is_good_or_better,
    audits.moderated_grade is not null as is_moderated,
    case when audits.moderated_grade is not null then audits.moderation_date end as moderation_date,
    case
        when audits.moderated_rank > audits.overall_rank then 'up'
        when audits.moderated_rank < audits.overall_rank then 'down'
        when audits.moderated_rank = audits.overall_rank then 'none'
    end as moderation_change,
    case when audits.moderated_grade is not null then audits.moderation_date - audits.audit_date end
        as days_to_moderation,
    coalesce(audits.child_views_sought, false) as child_views_sought,
    coalesce(audits.parent_views_sought, false) as parent_views_sought,
    coalesce(audits.carer_views_sought, false) as carer_views_sought,
    cast(date_trunc('quarter', audits.audit_date) as date) as quarter_start,
    dim_date.financial_year,
    dim_date.financial_quarter
from audits
left join {{ ref('dim_calendar') }} as dim_date
    on dim_date.date_day = audits.audit_date

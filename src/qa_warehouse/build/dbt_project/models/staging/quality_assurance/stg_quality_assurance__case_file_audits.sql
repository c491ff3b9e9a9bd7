-- Case file audits as at each authority's current delivery, one row per audit.
with current_snapshot as (
    {{ current_snapshot('raw_quality_assurance', 'case_file_audits') }}
)

select
    {{ pseudonymise('audit_id') }} as audit_key,
    trim(la_code) as la_code,
    {{ normalise_code('audit_type') }} as audit_type,
    nullif(trim(topic), '') as topic,
    {{ normalise_code('service') }} as service,
    {{ normalise_code('subject_type') }} as subject_type,
    {{ pseudonymise('subject_id') }} as subject_key,
    {{ pseudonymise('lead_auditor_id') }} as lead_auditor_key,
    {{ pseudonymise('peer_auditor_id') }} as peer_auditor_key,
    cast(audit_date as date) as audit_date,
    {{ normalise_code('grade_voice_of_child') }} as grade_voice_of_child,
    {{ normalise_code('grade_support_and_supervision') }} as grade_support_and_supervision,
    {{ normalise_code('grade_safer_caring') }} as grade_safer_caring,
    {{ normalise_code('grade_matching') }} as grade_matching,
    {{ normalise_code('grade_approval_review_panel') }} as grade_approval_review_panel,
    {{ normalise_code('grade_management_oversight') }} as grade_management_oversight,
    {{ normalise_code('overall_grade') }} as overall_grade,
    {{ normalise_code('moderated_grade') }} as moderated_grade,
    cast(moderation_date as date) as moderation_date,
    {{ pseudonymise('moderator_id') }} as moderator_key,
    cast(child_views_sought as boolean) as child_views_sought,
    cast(parent_views_sought as boolean) as parent_views_sought,
    cast(carer_views_sought as boolean) as carer_views_sought,
    nullif(trim(learning), '') as learning
from current_snapshot

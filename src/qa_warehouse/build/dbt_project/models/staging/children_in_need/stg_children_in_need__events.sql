-- The current census's event rows, typed and named plainly: the one place the flat layout's
-- columns are read. Each row repeats its child's and its episode's details (the referral date ties
-- an event to its episode; a review's CPPstartDate to its plan). The child's id becomes
-- child_key; the id as delivered stays only in stg_children_in_need__children (for the restricted
-- exception lists). UPN, former UPN and dates of birth are not read.
with current_snapshot as (
    {{ current_snapshot('raw_children_in_need', 'cin_census') }}
)

select
    {{ pseudonymise('lachildid') }} as child_key,
    trim(la_code) as la_code,
    trim(type) as event_type,
    date as event_date,
    cinreferraldate as referral_date,
    {{ normalise_code('referralsource', upper=true) }} as referral_source,
    {{ normalise_code('primaryneedcode', upper=true) }} as primary_need_code,
    cinclosuredate as closure_date,
    {{ normalise_code('reasonforclosure', upper=true) }} as reason_for_closure,
    dateofinitialcpc as initial_cpc_date,
    referralnfa as referral_nfa,
    cinplanstartdate as cin_plan_start_date,
    cinplanenddate as cin_plan_end_date,
    s47actualstartdate as s47_start_date,
    icpcnotrequired as icpc_not_required,
    assessmentactualstartdate as assessment_start_date,
    assessmentauthorisationdate as assessment_authorisation_date,
    nullif(upper(regexp_replace(factors, '\s', '', 'g')), '') as assessment_factors,
    cppstartdate as plan_start_date,
    cppenddate as plan_end_date,
    {{ normalise_code('initialcategoryofabuse', upper=true) }} as initial_category_of_abuse,
    {{ normalise_code('latestcategoryofabuse', upper=true) }} as latest_category_of_abuse,
    numberofpreviouscpp as number_of_previous_plans,
    _source_row as source_row,
    _extract_date as extract_date,
    _load_id as load_id
from current_snapshot

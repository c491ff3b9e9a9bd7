-- Every figure of DfE's benchmark files in one long table: a row per file, geography, year,
-- breakdown and indicator, the figure where DfE publishes a number and its symbol where not.
{{ ees_figures('dfe_cla_placement_stability', ['cla_group', 'placement_stability'], ['number', 'percentage']) }}
union all
{{ ees_figures('dfe_cla_placement_distance', ['distance'], ['child_count', 'percent_count']) }}
union all
{{ ees_figures('dfe_care_leavers', ['care_leaver_age', 'breakdown_topic', 'breakdown'],
               ['care_leaver_count', 'care_leaver_percent']) }}
union all
{{ ees_figures('dfe_cin_referrals', ['category'],
               ['referral_count', 'rereferral_count', 'rereferral_percent', 'no_further_action_percent']) }}
union all
{{ ees_figures('dfe_cin_assessments', [],
               ['assessment_count', 'assessment_45_days_count', 'assessment_45_days_percent']) }}
union all
{{ ees_figures('dfe_cin_child_protection', [],
               ['s47_count', 'icpc_count', 'icpc_15_days_percent', 'cpp_count', 'cpp_subsequent_percent']) }}
union all
{{ ees_figures('dfe_cin_rates', [], ['referral_rate', 'cin_rate', 'cpp_rate']) }}
union all
{{ ees_figures('dfe_workforce', [],
               ['inpost_fte', 'turnover_rate_fte', 'agency_rate_fte', 'vacancy_rate_fte', 'caseload_fte']) }}

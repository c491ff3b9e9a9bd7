-- The quarterly report's children in need and child protection section (docs/reports.md,
-- docs/children-in-need-figures.md): referrals, assessments and child protection, each financial
-- quarter, the authority total.
{{ quarterly_report_section('children_in_need') }}

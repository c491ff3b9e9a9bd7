-- The quarterly QA report's complaints section (docs/reports.md).
{{ quarterly_report_section('complaints') }}

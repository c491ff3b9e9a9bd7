-- The quarterly QA report's fostering section (docs/reports.md).
{{ quarterly_report_section('fostering') }}

-- The quarterly QA report's feedback section (docs/reports.md).
{{ quarterly_report_section('feedback') }}

-- The quarterly QA report's audits section (docs/reports.md).
{{ quarterly_report_section('audits') }}

-- Comments on the warehouse's own published relations (the publication log, the editions and
-- their views), so that Metabase and Power BI show a description for every column of every
-- table in reporting, as dbt's persist_docs does for the models (docs/bi.md).

comment on table reporting.publication_log is 'Every publication: when, which tables it moved into the published schemas, and the loads (files) they were built from (qa_warehouse.publish.swap).';
comment on column reporting.publication_log.publication_id is 'The publication''s number, increasing with each publish.';
comment on column reporting.publication_log.published_at is 'When the publication''s transaction committed its tables.';
comment on column reporting.publication_log.tables is 'The tables it published: reporting''s by name, another schema''s as schema.table.';
comment on column reporting.publication_log.loads is 'The loads its figures were built from: one object per extract and authority (extract, la_code, load_id, file_name).';
comment on column reporting.publication_log.period_kind is 'month, quarter or financial_year when a scheduled period close published it; NULL for a publication after a delivery.';
comment on column reporting.publication_log.period_first_day is 'First day of the period a period close published; NULL otherwise.';
comment on column reporting.publication_log.period_last_day is 'Last day of the period a period close published; NULL otherwise.';

comment on table reporting.editions is 'One row per edition: what a period close published, kept unchanged for good (docs/editions.md).';
comment on column reporting.editions.edition_id is 'The edition''s number.';
comment on column reporting.editions.period_kind is 'month, quarter or financial_year.';
comment on column reporting.editions.period_first_day is 'First day of the edition''s period.';
comment on column reporting.editions.period_last_day is 'Last day of the edition''s period.';
comment on column reporting.editions.as_at is 'When the edition was published.';
comment on column reporting.editions.publication_id is 'The publication that made it (publication_log).';
comment on column reporting.editions.loads is 'The loads its figures were built from (extract, la_code, load_id, file_name).';
comment on column reporting.editions.previous_edition_id is 'The edition of the same period published before this one; NULL for the first.';

comment on table reporting.edition_figures is 'Every figure an edition published, in long form: kept unchanged for good (docs/editions.md).';
comment on column reporting.edition_figures.edition_id is 'The edition (editions).';
comment on column reporting.edition_figures.table_name is 'The reporting table the figure is from.';
comment on column reporting.edition_figures.period_end is 'The figure''s period end.';
comment on column reporting.edition_figures.grain is 'The figure''s row: the table''s unique key columns and their values, as JSON.';
comment on column reporting.edition_figures.figure is 'The column the figure is in.';
comment on column reporting.edition_figures.value is 'The figure as published (a boolean as 1 or 0).';

comment on table reporting.edition_texts is 'The commentary an edition published beside its figures, kept as published (docs/editions.md).';
comment on column reporting.edition_texts.edition_id is 'The edition (editions).';
comment on column reporting.edition_texts.table_name is 'The reporting table the text is from.';
comment on column reporting.edition_texts.period_end is 'The text''s period end.';
comment on column reporting.edition_texts.grain is 'The text''s row: the table''s unique key columns and their values, as JSON.';
comment on column reporting.edition_texts.column_name is 'The column the text is in.';
comment on column reporting.edition_texts.text_value is 'The text as published.';

comment on table reporting.latest_figures is 'The current published tables'' figures in the editions'' long form, rewritten at every publication: what restatements and figures_published_and_latest compare editions with.';
comment on column reporting.latest_figures.publication_id is 'The publication that wrote the figure (publication_log).';
comment on column reporting.latest_figures.table_name is 'The reporting table the figure is from.';
comment on column reporting.latest_figures.period_end is 'The figure''s period end.';
comment on column reporting.latest_figures.grain is 'The figure''s row: the table''s unique key columns and their values, as JSON.';
comment on column reporting.latest_figures.figure is 'The column the figure is in.';
comment on column reporting.latest_figures.value is 'The figure as currently published (a boolean as 1 or 0).';

comment on view reporting.restatements is 'Each figure an edition changed, added or removed against the previous edition of its period, and why (the loads since; docs/editions.md).';
comment on column reporting.restatements.period_kind is 'month, quarter or financial_year.';
comment on column reporting.restatements.period_first_day is 'First day of the period.';
comment on column reporting.restatements.period_last_day is 'Last day of the period.';
comment on column reporting.restatements.table_name is 'The reporting table the figure is from.';
comment on column reporting.restatements.period_end is 'The figure''s period end.';
comment on column reporting.restatements.grain is 'The figure''s row: the table''s unique key columns and their values, as JSON.';
comment on column reporting.restatements.figure is 'The column the figure is in.';
comment on column reporting.restatements.change is 'added, removed or changed.';
comment on column reporting.restatements.previous_value is 'The figure in the previous edition; NULL when added.';
comment on column reporting.restatements.new_value is 'The figure in this edition; NULL when removed.';
comment on column reporting.restatements.previous_edition_id is 'The previous edition of the period.';
comment on column reporting.restatements.previous_as_at is 'When the previous edition was published.';
comment on column reporting.restatements.edition_id is 'This edition.';
comment on column reporting.restatements.as_at is 'When this edition was published.';
comment on column reporting.restatements.new_loads is 'The loads this edition was built from that the previous one was not, as JSON.';
comment on column reporting.restatements.why is 'The loads since the previous edition, in words, or that the same data was built again.';

comment on view reporting.figures_published_and_latest is 'Each figure of each period''s latest edition beside the figure the current tables hold for it (docs/editions.md).';
comment on column reporting.figures_published_and_latest.period_kind is 'month, quarter or financial_year.';
comment on column reporting.figures_published_and_latest.period_first_day is 'First day of the period.';
comment on column reporting.figures_published_and_latest.period_last_day is 'Last day of the period.';
comment on column reporting.figures_published_and_latest.edition_id is 'The period''s latest edition.';
comment on column reporting.figures_published_and_latest.published_at is 'When that edition was published.';
comment on column reporting.figures_published_and_latest.table_name is 'The reporting table the figure is from.';
comment on column reporting.figures_published_and_latest.period_end is 'The figure''s period end.';
comment on column reporting.figures_published_and_latest.grain is 'The figure''s row: the table''s unique key columns and their values, as JSON.';
comment on column reporting.figures_published_and_latest.figure is 'The column the figure is in.';
comment on column reporting.figures_published_and_latest.published_value is 'The figure in the edition; NULL when the current tables added it.';
comment on column reporting.figures_published_and_latest.latest_value is 'The figure in the current tables; NULL when they no longer have it.';
comment on column reporting.figures_published_and_latest.changed is 'True when the current figure differs from the edition''s (or one of them is missing).';
comment on column reporting.figures_published_and_latest.latest_publication_id is 'The publication that wrote the current figure.';

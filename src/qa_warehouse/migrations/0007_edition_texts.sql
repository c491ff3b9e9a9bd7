-- The commentary an edition published, kept with it (qa_warehouse.publish.editions; docs/editions.md).
-- Editions keep numbers in edition_figures; a column whose dbt meta says `edition_text: true` (the
-- commentary: narrative, action, owner, author) is text the panel read beside the figures, so it is
-- kept too, as it was published, and never changes: the same guard as the other edition tables.
create table reporting.edition_texts (
    edition_id bigint not null references reporting.editions,
    table_name text not null,
    period_end date not null,
    grain jsonb not null,
    column_name text not null,
    text_value text not null,
    primary key (edition_id, table_name, grain, column_name));

create trigger edition_texts_are_immutable before update or delete on reporting.edition_texts
    for each statement execute function reporting.refuse_to_change_an_edition();
create trigger edition_texts_are_never_truncated before truncate on reporting.edition_texts
    for each statement execute function reporting.refuse_to_change_an_edition();

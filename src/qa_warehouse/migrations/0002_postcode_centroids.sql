-- ONS postcode centroids of the postcodes in the raw 903 episodes (qa_warehouse.load.postcodes):
-- its rows are replaced on every build, before dbt. Baseline: see 0001.

create schema if not exists raw;
create table if not exists raw.postcode_centroids (
    postcode text primary key,
    easting numeric not null,
    northing numeric not null
);

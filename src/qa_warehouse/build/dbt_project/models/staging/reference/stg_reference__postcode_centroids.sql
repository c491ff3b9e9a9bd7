-- The grid reference of each postcode in the 903 episodes that the ONS directory knows, keyed by
-- the postcode without spaces (the normalised_postcode macro's form).
select
    postcode,
    cast(easting as numeric) as easting,
    cast(northing as numeric) as northing
from {{ source('raw_reference', 'postcode_centroids') }}
where easting is not null and northing is not null

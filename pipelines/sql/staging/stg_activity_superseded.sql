-- Activity rows replaced by a later version of the same activity: the same id loaded again
-- (overlapping exports) or repeated further down the same file.
-- Grain: one row per raw activity row that is not the latest version of its activity id.
-- Reads: raw_activity_events (only loads not undone hold rows there), of the loads after
--        payoff_loads_after (all in a full build; only the new ones when appending, see pipelines/append.py).
with raw_events as (
    select load_id, source_row, activity_id,
           load_id * 4294967296 + source_row as version  -- later load, then later row, wins
    from raw_activity_events
    where activity_id is not null and load_id > coalesce(getvariable('payoff_loads_after'), 0)
),

repeated as (
    -- only ids held more than once have older versions; grouping is cheaper than ranking every row
    select activity_id, max(version) as latest_version
    from raw_events
    group by activity_id
    having count(*) > 1
)

select e.load_id, e.source_row
from raw_events e
semi join repeated r on r.activity_id = e.activity_id and r.latest_version <> e.version

-- Activity events, one per activity: overlapping exports of the same activity id count once.
-- Grain: one row per activity (per activity id; per source row where the export has no id).
-- Reads: raw_activity_events (only loads not undone hold rows there).
with raw_events as (
    select *, load_id * 4294967296 + source_row as version  -- later load, then later row, wins
    from raw_activity_events
),

repeated as (
    -- only ids held more than once need a winner; grouping is cheaper than ranking every row
    select activity_id, max(version) as latest_version
    from raw_events
    where activity_id is not null
    group by activity_id
    having count(*) > 1
),

latest as (
    -- the most recently loaded version of an activity wins; undoing that load restores the older one
    select e.*
    from raw_events e
    anti join repeated r on r.activity_id = e.activity_id and r.latest_version <> e.version
),

activity_keys as (
    -- one key per distinct type text, not per event
    select
        activity_type,
        coalesce(nullif(trim(regexp_replace(lower(trim(activity_type)), '[^a-z0-9]+', '_', 'g'), '_'), ''), 'unnamed')
            as activity_key
    from (select distinct activity_type from raw_events)
),

cleaned as (
    select
        l.activity_id,
        l.account_id,
        trim(l.activity_type) as activity_label,
        k.activity_key,
        l.occurred_on,
        nullif(trim(l.owner), '') as owner,
        l.duration_minutes,
        l.load_id
    from latest l
    left join activity_keys k on k.activity_type is not distinct from l.activity_type
)

select * from cleaned

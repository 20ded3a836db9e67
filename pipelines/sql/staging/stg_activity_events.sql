-- Activity events, one per activity: overlapping exports of the same activity id count once.
-- Grain: one row per activity (per activity id; per source row where the export has no id).
-- Reads: raw_activity_events (only loads not undone hold rows there), stg_activity_superseded.
-- Stored as a view: its readers scan only the columns they use, instead of the build writing
-- a second copy of every event.
with latest as (
    -- the most recently loaded version of an activity wins; undoing that load restores the older one
    select *
    from raw_activity_events
    anti join stg_activity_superseded using (load_id, source_row)
),

activity_keys as (
    -- one key per distinct type text, not per event
    select
        activity_type,
        coalesce(nullif(trim(regexp_replace(lower(trim(activity_type)), '[^a-z0-9]+', '_', 'g'), '_'), ''), 'unnamed')
            as activity_key
    from (select distinct activity_type from raw_activity_events)
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

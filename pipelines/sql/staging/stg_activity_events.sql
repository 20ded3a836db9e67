-- Activity events, one per activity: overlapping exports of the same activity id count once.
-- Grain: one row per activity (per activity id; per source row where the export has no id).
-- Reads: raw_activity_events (only loads not undone hold rows there).
with raw_events as (
    select * from raw_activity_events
),

keyed as (
    select
        *,
        row_number() over (
            partition by coalesce(activity_id, load_id::varchar || ':' || source_row::varchar)
            order by load_id desc, source_row desc
        ) as nth_version
    from raw_events
),

latest as (
    -- the most recently loaded version of an activity wins; undoing that load restores the older one
    select * from keyed where nth_version = 1
),

cleaned as (
    select
        activity_id,
        account_id,
        trim(activity_type) as activity_label,
        coalesce(nullif(trim(regexp_replace(lower(trim(activity_type)), '[^a-z0-9]+', '_', 'g'), '_'), ''), 'unnamed')
            as activity_key,
        occurred_on,
        nullif(trim(owner), '') as owner,
        duration_minutes,
        load_id
    from latest
)

select * from cleaned

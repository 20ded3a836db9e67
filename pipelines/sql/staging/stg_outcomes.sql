-- Outcomes of three kinds: yes/no events (binary), amounts per period, countable events.
-- Grain: one row per account × outcome × date (event id where the export has one).
-- Reads: raw_outcomes.
with raw as (
    select * from raw_outcomes
),

keyed as (
    select
        account_id,
        occurred_on,
        coalesce(nullif(trim(regexp_replace(lower(trim(outcome)), '[^a-z0-9]+', '_', 'g'), '_'), ''), 'unnamed')
            as outcome_key,
        outcome_kind,
        event_id,
        value,
        load_id,
        source_row
    from raw
),

by_event_id as (
    -- an event id seen in several loads is one event: keep the latest load's row
    select * from keyed
    where event_id is not null
    qualify row_number() over (partition by outcome_key, event_id order by load_id desc, source_row desc) = 1
),

by_key_per_load as (
    -- without ids, rows of one load on the same key add up (amounts, counts) or the last wins (yes/no)
    select
        account_id, occurred_on, outcome_key, outcome_kind, load_id,
        case when outcome_kind = 'binary' then arg_max(value, source_row) else sum(value::decimal(38, 9))::double end as value,
        count(*) as n_rows
    from keyed
    where event_id is null
    group by account_id, occurred_on, outcome_key, outcome_kind, load_id
),

by_key as (
    select * from by_key_per_load
    qualify row_number() over (partition by account_id, occurred_on, outcome_key order by load_id desc) = 1
),

unioned as (
    select account_id, occurred_on, outcome_key, outcome_kind, value, 1 as n_rows, load_id from by_event_id
    union all
    select account_id, occurred_on, outcome_key, outcome_kind, value, n_rows, load_id from by_key
)

select * from unioned

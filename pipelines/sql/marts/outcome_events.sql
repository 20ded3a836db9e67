-- Yes/no outcome events at their dates (renewed or not), for windows of activity before each event.
-- Grain: one row per account × outcome × event date.
-- Reads: stg_outcomes.
with events as (
    select account_id, outcome_key, occurred_on, value as is_yes
    from stg_outcomes
    where outcome_kind = 'binary'
)

select * from events

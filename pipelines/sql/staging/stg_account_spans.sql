-- When each account was a customer, as exports declare it (a subscription's start and end).
-- Grain: one row per account × declared span (a subscription; several per account are kept).
-- Reads: raw_account_spans.
with raw as (
    select * from raw_account_spans
),

declared as (
    select account_id, started_on, ended_on, load_id, source_row
    from raw
    where started_on is not null or ended_on is not null
)

select * from declared

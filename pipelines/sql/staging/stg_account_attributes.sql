-- Account attributes (segment, region, size, owner, team, ...): the latest value of each.
-- Grain: one row per account × attribute.
-- Reads: raw_account_attributes.
with raw_attributes as (
    select * from raw_account_attributes
),

keyed as (
    select
        account_id,
        coalesce(nullif(trim(regexp_replace(lower(trim(attribute)), '[^a-z0-9]+', '_', 'g'), '_'), ''), 'unnamed')
            as attribute_key,
        value_text,
        value_number,
        load_id,
        source_row
    from raw_attributes
),

latest as (
    select * from keyed
    where attribute_key <> 'account_id'
    qualify row_number() over (partition by account_id, attribute_key order by load_id desc, source_row desc) = 1
)

select account_id, attribute_key, value_text, value_number, load_id from latest

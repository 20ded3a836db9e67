-- Account attributes with a type per attribute: numeric where every value is a number, else text.
-- Grain: one row per account × attribute.
-- Reads: stg_account_attributes.
with attributes as (
    select * from stg_account_attributes
),

attribute_types as (
    select attribute_key, count(value_number) = count(value_text) as is_numeric
    from attributes
    group by attribute_key
),

typed as (
    select a.account_id, a.attribute_key, a.value_text, a.value_number, t.is_numeric
    from attributes a
    join attribute_types t using (attribute_key)
)

select * from typed

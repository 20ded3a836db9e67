-- Value parsers used when typing an export at the boundary (see pipelines/ingest/typing.py).
-- Grain: scalar macros; one value in, one typed value (or null) out.
-- Reads: nothing.

-- Strip currency symbols and codes, percent signs, spaces (incl. no-break spaces) and apostrophes.
create or replace temp macro pf_number_core(s) as
    regexp_replace(trim(s), '(?i)[\s\x{00a0}\x{202f}$€£¥₹%'']|usd|eur|gbp|chf', '', 'g');

-- A number from '$1,234.50', '(1,234.50)', '1.234,50 €' or '12%'; dec is the decimal separator.
create or replace temp macro pf_number(s, dec) as (
    case
        when s is null or trim(s) = '' then null
        else (case when regexp_matches(pf_number_core(s), '^[-+]?\(.*\)$') then -1 else 1 end)
             * try_cast(
                   case when dec = ','
                        then replace(replace(regexp_replace(pf_number_core(s), '[()]', '', 'g'), '.', ''), ',', '.')
                        else replace(regexp_replace(pf_number_core(s), '[()]', '', 'g'), ',', '')
                   end as double)
    end
);

-- Whether a non-blank cell failed to parse.
create or replace temp macro pf_failed(raw, parsed) as (
    raw is not null and trim(raw) <> '' and parsed is null
);

-- How account names are compared: case, spacing, accents and punctuation do not count
-- ('O''Connell & Tanaka Pty. Ltd.' = 'oconnell & tanaka pty ltd'). Twin of recognize.account_key.
create or replace temp macro pf_account_key(s) as
    regexp_replace(lower(strip_accents(s)), '[^a-z0-9]+', '', 'g');

"""Real data with known answers: a randomised e-mail test and a bank telemarketing campaign."""

from __future__ import annotations

import pytest

from pipelines.build import build
from pipelines.db import connect
from pipelines.ingest import ingest_file
from pipelines.stats.drivers import analyze

pytestmark = pytest.mark.realdata
HILLSTROM_MENS_VISIT_LIFT = 7.66  # points, from the randomised arms (PROVENANCE.md)


def _analyze(tmp_path, path, outcome):
    con = connect(tmp_path / "real.duckdb")
    ingest_file(con, path)
    build(con)
    return {f.activity: f for f in analyze(con, outcome, validate=False)[0].findings}


def test_hillstrom_mens_email_lift_on_visits_covers_the_randomised_truth(tmp_path, datasets):
    findings = _analyze(tmp_path, datasets / "hillstrom_email" / "hillstrom.csv", "visit")
    mens = findings["mens_e_mail"]
    assert mens.effect.low <= HILLSTROM_MENS_VISIT_LIFT <= mens.effect.high, mens.effect
    assert mens.verdict == "driver"
    assert findings["womens_e_mail"].effect.estimate < mens.effect.estimate, "men's > women's, as randomised"


def test_bank_more_campaign_contacts_go_with_lower_conversion(tmp_path, datasets):
    findings = _analyze(tmp_path, datasets / "bank_marketing" / "bank-additional-full.csv.gz", "y")
    campaign = findings["campaign"]
    assert campaign.verdict == "negative"
    assert campaign.effect.high < 0
    assert "duration" not in [c for c in findings], "call length is only known afterwards: never a predictor"


def test_drivers_json_is_valid_json_on_hillstrom(tmp_path, datasets, capsys):
    import json

    from pipelines.cli import main

    db = tmp_path / "h.duckdb"
    assert main(["--db", str(db), "ingest", str(datasets / "hillstrom_email" / "hillstrom.csv")]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "drivers", "--outcome", "visit", "--format", "json", "--no-validation"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["outcomes"][0]["outcome"] == "visit"

"""One row of the prior study's table (docs/calibration_studies.md "Priors on the war dynamics") from a
calibration's fit_report.json, a robustness.json, an attribution.csv and scripts/prior_study.py's
JSON for the same parameter set.

    python scripts/prior_table.py LABEL CAL_DIR ROB_DIR ATT_DIR STUDY_JSON [PARAMS_NAME]
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path


def row(label: str, cal: Path | None, rob: Path, att: Path, study: Path, name: str | None = None) -> dict:
    out: dict = {"label": label}
    if cal is not None:
        rep = json.loads((cal / "fit_report.json").read_text())
        out["ita_rmse"] = rep["fit"]["rmse"]
        out["others_rmse"] = rep["joint"]["rmse"]
        out["objective"] = rep["fit"]["objective"]
        out["oos"] = [(o["until"], o["rmse"], o["persistence_rmse"], o["trend_rmse"], o["beats_baselines"])
                      for o in rep["out_of_sample"]]
        out["dyn"] = {k: rep["parameters"][k] for k in ("contest_exponent", "camp_cohesion",
                                                         "territory_strength", "capital_weight",
                                                         "scale.security", "scale.rivalry", "scale.winner")}
        ident = rep.get("identifiability", {})
        keys = ("contest_exponent", "camp_cohesion", "territory_strength")
        out["restarts_m_kappa_eta"] = ({k: ident["parameters"][k]["values"] for k in keys}
                                       if ident else None)
        out["restart_rmse"] = ident.get("rmse")
    r = json.loads((rob / "robustness.json").read_text())
    loo = r["leave_one_out"]
    out["loo_largest"] = (loo["largest_change"]["event"], loo["largest_change"]["delta_final"])
    out["loo_over"] = [(e["event"], round(e["delta_final"], 2)) for e in loo["events_over_limit"]]
    out["draws"] = r["estimates"]["share_of_draws_meeting"]
    out["draws_all"] = r["estimates"]["share_of_draws_meeting_all"]
    out["groups_removed_delta_rise"] = {g: v["delta_rise"] for g, v in r["groups"].items()}
    with (att / "attribution.csv").open() as f:
        rows = [x for x in csv.DictReader(f) if x["state"] == "ITA"]
    out["shapley"] = {x["part"]: float(x["mean"]) for x in rows}
    s = json.loads(study.read_text())
    s = next(x for x in s if name is None or x["params"] == name)
    out["rise"] = s["rise_ITA"]
    out["chance_LNA"] = {m: s["chance_LNA"][m] for m in ("2016-01", "2018-06", "2019-08")}
    out["dV_by_interest"] = s["value_gap_change_by_interest"]
    out["dV_total"] = s["value_gap_change_total"]
    return out


if __name__ == "__main__":
    label, cal, rob, att, study = sys.argv[1:6]
    name = sys.argv[6] if len(sys.argv) > 6 else None
    print(json.dumps(row(label, Path(cal) if cal != "-" else None, Path(rob), Path(att), Path(study), name),
                     indent=1))

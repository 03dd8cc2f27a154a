"""Customer lifetime value on the CDNOW sample: the summary, BG/NBD and Gamma-Gamma equal
the published values of Fader, Hardie & Lee (2005a, 2005b); see
tests/golden/datasets/cdnow/README.md for the data and the numbers."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csi_helpers.customers import clv
from csi_helpers.errors import CSIInputError

DATA = Path(__file__).parent / "golden" / "datasets" / "cdnow" / "CDNOW_sample.txt"


@pytest.fixture(scope="module")
def summary():
    log = pd.read_csv(DATA, sep=r"\s+", header=None, dtype={"date": str},
                      names=["master", "id", "date", "cds", "amount"])
    log["date"] = pd.to_datetime(log["date"], format="%Y%m%d")
    return clv.rfm_summary(log, customer="id", date="date", amount="amount",
                           calibration_end="1997-09-30")


def test_summary_of_the_calibration_period(summary):
    assert len(summary) == 2357
    first = summary.loc[1]
    assert first["frequency"] == 2 and first["recency"] == pytest.approx(30.43, abs=0.005)
    assert first["T"] == pytest.approx(38.86, abs=0.005)
    assert (summary["frequency"] > 0).sum() == 946           # the paper's repeat buyers


def test_bgnbd_equals_the_published_estimates(summary):
    bg = clv.bgnbd(summary)
    published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    for k, v in published.items():
        assert bg.params[k] == pytest.approx(v, abs=0.0005), k
    assert bg.loglik == pytest.approx(-9582.4, abs=0.05)
    # the paper's worked example: x = 2, t_x = 30.43, T = 38.86 -> 1.226 purchases in 39 weeks
    one = clv.BGNBD(bg.params, bg.loglik,
                    pd.DataFrame({"frequency": [2], "recency": [30.43], "T": [38.86]}))
    assert one.expected(39).iloc[0] == pytest.approx(1.226, abs=0.001)
    alive = bg.p_alive
    assert alive[summary["frequency"] == 0].eq(1).all() and alive.between(0, 1).all()


def test_gamma_gamma_equals_the_published_estimates(summary):
    gg = clv.gamma_gamma(summary)
    for k, v in {"p": 6.25, "q": 3.74, "gamma": 15.44}.items():
        assert gg.params[k] == pytest.approx(v, abs=0.005), k
    spend = gg.expected_spend
    p, q, g = gg.params["p"], gg.params["q"], gg.params["gamma"]
    assert spend[summary["frequency"] == 0].eq(p * g / (q - 1)).all()   # the population mean


def test_value_discounts_monthly_purchases_times_spend(summary):
    v = clv.value(summary, horizon_months=12, discount=0.01)
    assert list(v.columns) == ["p_alive", "expected_purchases", "expected_spend", "clv"]
    assert (v["clv"] >= 0).all() and (v["clv"] <= v["expected_purchases"] * v["expected_spend"] + 1e-9).all()
    undiscounted = clv.value(summary, horizon_months=12, discount=0.0)
    assert np.allclose(undiscounted["clv"], undiscounted["expected_purchases"] * undiscounted["expected_spend"])
    with pytest.raises(CSIInputError, match="horizon_months"):
        clv.value(summary, horizon_months=0)


def test_bad_inputs_are_named():
    with pytest.raises(CSIInputError, match=r"\['when'\]"):
        clv.rfm_summary(pd.DataFrame({"customer_id": [1], "date": ["2024-01-01"]}), date="when",
                        amount=None)
    with pytest.raises(CSIInputError, match="freq"):
        clv.rfm_summary(pd.DataFrame({"customer_id": [1], "date": ["2024-01-01"]}), amount=None,
                        freq="Y")


def test_cdnow_as_a_clients_export_through_the_crm_reader_and_the_engine(tmp_path):
    """The CDNOW log written as a Chinese client would send it (GBK, 会员编号 / 订单日期 /
    实付金额, dates 1997年1月1日, amounts with a currency sign) goes through the CRM reader and
    the engine to the same published BG/NBD and Gamma-Gamma estimates, and notebook 05's
    other tiering calls run on it."""
    from csi_helpers import tiering
    from csi_helpers.sources import crm

    log = pd.read_csv(DATA, sep=r"\s+", header=None, dtype={"date": str, "id": str},
                      names=["master", "id", "date", "cds", "amount"])
    day = pd.to_datetime(log["date"], format="%Y%m%d")
    export = pd.DataFrame({"会员编号": log["id"],
                           "订单日期": [f"{d.year}年{d.month}月{d.day}日" for d in day],
                           "实付金额": [f"${a:,.2f}" for a in log["amount"]],
                           "商品数量": log["cds"]})
    export.to_csv(tmp_path / "订单.csv", index=False, encoding="gbk")
    master = pd.DataFrame({"会员编号": sorted(log["id"].unique()), "客户类型": "零售客户"})
    master.to_csv(tmp_path / "会员.csv", index=False, encoding="gbk")
    tx = crm.load("transactions", {"path": str(tmp_path / "订单.csv")}).data
    customers = crm.load("customers", {"path": str(tmp_path / "会员.csv"),
                                       "values": {"customer_type": {"零售客户": "retail"}}}).data
    assert len(tx) == len(log) and len(customers) == 2357
    purchases = tiering.purchases(tx, "1998-06-30", customers)
    summary = clv.rfm_summary(purchases, calibration_end="1997-09-30")
    assert len(summary) == 2357 and (summary["frequency"] > 0).sum() == 946
    bg, gg = clv.bgnbd(summary), clv.gamma_gamma(summary)
    for k, v in {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}.items():
        assert bg.params[k] == pytest.approx(v, abs=0.0005), k
    for k, v in {"p": 6.25, "q": 3.74, "gamma": 15.44}.items():
        assert gg.params[k] == pytest.approx(v, abs=0.005), k
    # the holdout weeks 40-78: the conditional expectations rise with the calibration
    # frequency, as the actual purchases do (the paper's fig. 3); in all the model predicts
    # 1,653 repeat purchase days against 1,882 (a sanity bound here, not a published value)
    check = clv.holdout_check(purchases, calibration_end="1997-09-30")
    assert check["predicted"].is_monotonic_increasing and check["actual"].iloc[-1] > 2
    predicted = (check["predicted"] * check["customers"]).sum()
    actual = (check["actual"] * check["customers"]).sum()
    assert actual == 1882 and predicted == pytest.approx(1653.4, abs=0.5)
    value = tiering.customer_value(purchases, "1998-06-30", customers=customers, years=1)
    assert value["revenue"].sum() == pytest.approx(log["amount"].sum(), abs=0.01)
    abc = tiering.abc(value["revenue"])
    assert abc.summary.loc["A", "revenue_share"] >= 0.80
    lifetime = clv.value(summary, horizon_months=12)
    assert (lifetime["clv"] >= 0).all() and lifetime["clv"].sum() > 0


def test_analytic_gradients_equal_numerical_ones(summary):
    """BFGS uses the analytic gradients of both likelihoods (one evaluation a step instead
    of five): they equal central differences on CDNOW, away from and at the optimum."""
    from csi_helpers.customers.clv import _bgnbd_ll, _compress, _Factored, _gg_ll, _Spend

    def central(f, lp, h=1e-5):
        return np.array([(f(lp + h * e) - f(lp - h * e)) / (2 * h) for e in np.eye(len(lp))])

    x, tx, T = (summary[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    (ux, utx, uT), _, w = _compress(x, tx, T)
    f = [_Factored(v) for v in (ux, utx, uT)]
    for at in ([0.5, 3.0, 1.2, 2.0], [0.243, 4.414, 0.793, 2.426]):
        lp = np.log(at)
        ll, g = _bgnbd_ll(lp, *f, w, grad=True)
        assert ll == _bgnbd_ll(lp, *f, w)
        numeric = central(lambda v: _bgnbd_ll(v, *f, w), lp)
        np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-4)
    use = summary[(summary["frequency"] > 0) & (summary["monetary"] > 0)]
    (gx, gm), _, gw = _compress(use["frequency"].to_numpy(float), use["monetary"].to_numpy(float))
    rows = _Spend(gx, gm)
    for at in ([2.0, 2.0, 10.0], [6.25, 3.74, 15.44]):
        lp = np.log(at)
        ll, g = _gg_ll(lp, rows, gw, grad=True)
        numeric = central(lambda v: _gg_ll(v, rows, gw), lp)
        np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-4)


def test_the_fits_stop_at_the_maximum(summary):
    """The fitted parameters are where the gradient vanishes (relative to the
    log-likelihood, 1e-8), not where a loose tolerance let the search stop."""
    from csi_helpers.customers.clv import _bgnbd_ll, _compress, _Factored, _gg_ll, _Spend

    bg = clv.bgnbd(summary)
    x, tx, T = (summary[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    (ux, utx, uT), _, w = _compress(x, tx, T)
    lp = np.log([bg.params[k] for k in ("r", "alpha", "a", "b")])
    ll, g = _bgnbd_ll(lp, *[_Factored(v) for v in (ux, utx, uT)], w, grad=True)
    assert ll == pytest.approx(bg.loglik) and np.abs(g).max() < 1e-8 * abs(ll)
    gg = clv.gamma_gamma(summary)
    use = summary[(summary["frequency"] > 0) & (summary["monetary"] > 0)]
    (gx, gm), _, gw = _compress(use["frequency"].to_numpy(float), use["monetary"].to_numpy(float))
    ll, g = _gg_ll(np.log([gg.params[k] for k in ("p", "q", "gamma")]), _Spend(gx, gm), gw,
                   grad=True)
    assert np.abs(g).max() < 1e-8 * abs(ll)


def _log(months: float, n: int = 300, seed: int = 1) -> pd.DataFrame:
    """n customers buying at random over the last `months` months up to 2026-09-30."""
    rng = np.random.default_rng(seed)
    days = int(months * 30.4)
    rows = [(f"c{i}", pd.Timestamp("2026-09-30") - pd.Timedelta(days=int(d)),
             float(rng.gamma(2, 50))) for i in range(n) for d in rng.integers(0, days,
                                                                              rng.poisson(3) + 1)]
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"])


def test_estimate_on_cdnow_is_the_notebooks_value_and_holdout(summary):
    from csi_helpers import tiering
    log = pd.read_csv(DATA, sep=r"\s+", header=None, dtype={"id": str},
                      names=["master", "customer_id", "date", "cds", "amount"])
    log["date"] = pd.to_datetime(log["date"].astype(str), format="%Y%m%d")
    p = tiering.purchases(log, "1998-06-30")
    got = clv.estimate(p, horizon_months=12, holdout_months=9)
    assert got.reason is None and got.holdout_reason is None
    pd.testing.assert_frame_equal(got.customers, clv.value(clv.rfm_summary(p), horizon_months=12))
    assert (got.holdout["predicted"] * got.holdout["customers"]).sum() == pytest.approx(1653.4,
                                                                                        abs=0.5)
    assert "2,357 customers" in repr(got)


def test_data_without_a_lifetime_value_signal_say_so_instead_of_stopping():
    """One purchase per customer: no repeat buyer for BG/NBD. The result is empty with the
    reason (and a note), the run goes on."""
    from csi_helpers import tiering
    from csi_helpers.errors import CSIWarning
    once = _log(24).drop_duplicates("customer_id")
    with pytest.warns(CSIWarning, match="not estimated"):
        got = clv.estimate(tiering.purchases(once, "2026-09-30"))
    assert got.customers.empty and "repeat purchases" in got.reason
    assert repr(got).startswith("Lifetime value not estimated: bgnbd")


def test_a_holdout_longer_than_the_history_is_left_out_with_the_fix():
    """Thirteen months of purchases, fourteen held out: no calibration period. The holdout
    check is refused with the key to change; the CLV itself stands."""
    from csi_helpers import tiering
    from csi_helpers.errors import CSIWarning
    p = tiering.purchases(_log(13), "2026-09-30")
    with pytest.raises(CSIInputError, match="tiering.clv.holdout_months"):
        clv.holdout_check(p, holdout_months=14)
    with pytest.warns(CSIWarning, match="holdout check was not run"):
        got = clv.estimate(p, holdout_months=14)
    assert got.reason is None and len(got.customers) == 300
    assert "no transaction on or before the calibration end" in got.holdout_reason
    assert got.holdout.empty
    for months in (12, 6):       # one month of calibration still fits (its Poisson limit)
        assert np.isfinite(clv.holdout_check(p, holdout_months=months)["predicted"]).all()


def test_a_fit_at_the_poisson_limit_predicts_the_nbd_limit():
    """Customers buying at a steady rate with no dropout: the BG/NBD optimum runs off to
    its boundary (r, alpha without bound, a -> 0). Eq. 10 cancels catastrophically there
    (it gave CLVs of millions for spends of ~100); the limit (r + x) t / (alpha + T) is used,
    and P(alive) is 1."""
    from csi_helpers import tiering
    s = clv.rfm_summary(tiering.purchases(_log(13), "2026-09-30"))
    bg = clv.bgnbd(s)
    assert bg.params["a"] / (bg.params["a"] + bg.params["b"]) < 1e-9 and bg.params["r"] > 1e6
    assert bg.p_alive.to_numpy() == pytest.approx(1.0)
    rate = bg.params["r"] / bg.params["alpha"]            # purchases per week, pooled
    weeks = 12 * 30.4375 / 7
    assert bg.expected(weeks).to_numpy() == pytest.approx(
        ((bg.params["r"] + s["frequency"]) / (bg.params["alpha"] + s["T"]) * weeks).to_numpy())
    assert bg.expected(weeks).mean() == pytest.approx(rate * weeks, rel=0.05)
    lifetime = clv.value(s, horizon_months=12, discount=0.0)
    spend = clv.gamma_gamma(s).expected_spend
    assert lifetime["clv"].to_numpy() == pytest.approx(
        (bg.expected(12 * 30.4375 / 7) * spend).to_numpy(), rel=1e-6)


def test_the_poisson_limit_with_dropout_uses_the_confluent_limit(summary):
    """r and alpha without bound at a common rate (a fit that found no heterogeneity) but
    with dropout: eq. 10's 2F1 of r ~ 1e9 gives NaN, its confluent limit a finite answer
    that continues eq. 10 as r grows (r = 1e3 and 1e4 still evaluate directly)."""
    rate = 0.05                                   # purchases per week
    def model(r):
        return clv.BGNBD(params={"r": r, "alpha": r / rate, "a": 0.8, "b": 6.0}, loglik=0.0,
                         summary=summary)
    limit = model(1e9).expected(52.0).to_numpy()           # the confluent limit
    assert np.isfinite(limit).all()
    near, nearer = model(1e3).expected(52.0).to_numpy(), model(1e4).expected(52.0).to_numpy()
    assert np.abs(nearer - limit).max() < np.abs(near - limit).max()    # eq. 10 tends to it
    assert nearer == pytest.approx(limit, rel=5e-3)         # the error is O((r + x) / r)
    assert model(1e5).expected(52.0).to_numpy() == pytest.approx(limit, rel=5e-3)   # by 1F1

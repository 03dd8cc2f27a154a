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

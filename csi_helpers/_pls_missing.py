"""The bootstrap of plspm's NA route from sufficient statistics (used by ``pls.fit``).

``pls._na_fit`` runs plspm's ``get_weights_nonmetric`` on the rows themselves: every
iteration makes several passes over the n x p data. Refitting each resample that way
(a copy of the rows, then the iteration) costs ~40x the complete-data bootstrap, which
works on one covariance matrix per resample. This module gives the same draws without
touching the rows inside the iteration.

A resample is a reweighting of the rows by their bootstrap counts c_i. Every quantity
the NA route needs is a sum over rows of c_i times products of the standardised
indicators Q (0 where missing) and of the LV score estimates

    Ỹ_il = (Σ_{q in l} Q_iq u_q) / (Σ_{q in l} A_iq v_q²)            (A: answered)

whose denominator depends on row i only through its pattern of answered items in block
l. So the rows are grouped by their missing-value pattern on one, two or three blocks,
and per resample and group the count-weighted sums N = Σ c, S = Σ c x, P = Σ c x x'
(x: the indicators centred on the full-sample mean, 0 where missing) are formed once,
by matrix products of the count matrix with per-row features. The group of rows that
answer every item of the blocks (most rows) is the data total minus the other groups.
Then each resample's centring and scaling (its own means and sds) is an exact affine
map of those sums, and the iteration runs on them, all resamples of a batch together:

* singles (block k): Σ c Ỹ_k, Σ c Ỹ_k², the loadings and the convergence criterion;
* pairs (blocks l, m): Σ c Ỹ_l Ỹ_m (LV correlations, inner weights), and for adjacent
  l, m the outer-weight sums Σ c Q_q Ỹ_l, Σ c A_q Ỹ_l, Σ c A_q Ỹ_l² (q in m);
* triples (block b; neighbours l, m): the rows with an item q of b missing, so that
  Σ c A_q Ỹ_l Ỹ_m = Σ c Ỹ_l Ỹ_m - Σ_{q missing} c Ỹ_l Ỹ_m;
* the fully complete rows, for plspm's final rescaling of the weights.

plspm's stopping rule Σ (|Y_old| - |Y|)² < tol needs absolute values row by row. Its
upper bound Σ_k min(Σ (Y_old,k - Y_k)², Σ (Y_old,k + Y_k)²) comes from the sums; the
two differ only through rows whose score changes sign, by a relative amount of the
order of the per-row change (~1e-5 at the last iteration). The bound decides when it is
below tol or above (1 + MARGIN) tol; in between the exact criterion is evaluated on the
rows of that resample. So each resample stops at the same iteration as a refit of its
rows, and the draws equal those of the row-by-row route up to rounding (~1e-14 on the
test data).

One deliberate difference: a resample whose LV score is constant over the fully complete
rows (say two distinct complete rows drawn, agreeing on a block) leaves plspm's final
rescaling w / sd undefined; it is drawn again. The row-by-row route let rounding decide
(an sd of ~1e-17 or exactly 0), i.e. kept weights of ~1e15 or redrew.

Work per batch of resamples: the count matrix (n x B) times the per-row features of the
data totals and of every group (BLAS, single-threaded, the groupings spread over a pool
of threads), then the iteration on arrays (B, groups, items) - no per-row Python loop.
"""
from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

import numpy as np

from .errors import CSIInputError

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
    threadpool_limits = None

MARGIN = 0.25         # exact row-level stopping check when tol <= bound < (1 + MARGIN) tol
SMALL_GROUP = 8       # groups of at most this many rows are summed elementwise
ROW_CHUNK = 8192      # rows per chunk of the data-total matrix product
BATCH_CELLS = 2e7     # resamples x rows per batch (bounds the count matrix)
BATCH_FLOATS = 1e8    # resamples x group sums per batch (bounds the sums, ~800 MB)


def _quad_coef(u, ii, jj):
    """Coefficients c_p such that Σ_p P_p c_p = u' P u for P stored as its upper
    triangle (entries (ii_p, jj_p), ii_p <= jj_p)."""
    return u[..., ii] * u[..., jj] * np.where(ii == jj, 1.0, 2.0)


class _Grouping:
    """Rows grouped by their availability pattern on the items ``pat`` (global indices).

    Per group and resample it keeps the count-weighted N = Σ c, S = Σ c x over the items
    ``K`` (a subset of ``pat``) and, for each product block of ``prods`` (local indices
    into K), P = Σ c x_I x_J': ``(I, J)`` gives the (|I|, |J|) matrix, ``(I, None)`` the
    upper triangle of the symmetric (|I|, |I|) one (entries ``triu_indices``). With
    ``complete`` the group answering every item of ``pat`` comes first and is the data
    total minus the other groups (``rows`` then holds only the rows with a missing item
    in ``pat``).
    """

    def __init__(self, A, rows, K, pat, prods, complete):
        self.K = np.asarray(K)
        self.prods = []
        for I, J in prods:
            I = np.asarray(I)
            if J is None:
                ii, jj = np.triu_indices(len(I))
                self.prods.append((I[ii], I[jj], True))
            else:
                J = np.asarray(J)
                self.prods.append((np.repeat(I, len(J)), np.tile(J, len(I)),
                                   (len(I), len(J))))
        self.complete = complete
        pat = np.asarray(pat)
        kpos = np.array([int(np.flatnonzero(pat == q)[0]) for q in self.K], dtype=int)
        if len(rows):
            sub = A[np.ix_(rows, pat)]
            if sub.shape[1] <= 62:                     # the pattern as a bit key
                key = sub.astype(np.int64) @ (np.int64(1) << np.arange(sub.shape[1],
                                                                        dtype=np.int64))
                _, first, inv = np.unique(key, return_index=True, return_inverse=True)
                pats = sub[first]
            else:
                pats, inv = np.unique(sub, axis=0, return_inverse=True)
            inv = np.asarray(inv).reshape(-1)
            self.rows = rows[np.argsort(inv, kind="stable")]
            self.sizes = np.bincount(inv, minlength=len(pats))
        else:
            pats = np.zeros((0, len(pat)), dtype=bool)
            self.rows = np.zeros(0, dtype=int)
            self.sizes = np.zeros(0, dtype=int)
        self.starts = np.concatenate([[0], np.cumsum(self.sizes)[:-1]]).astype(int)
        off = 1 if complete else 0
        # groups of a few rows are summed elementwise, all groups of one size at once
        self.big = [(off + g, a, s) for g, (a, s) in enumerate(zip(self.starts, self.sizes))
                    if s > SMALL_GROUP]
        self.small = []
        for s in range(1, SMALL_GROUP + 1):
            gs = np.flatnonzero(self.sizes == s)
            if len(gs):
                self.small.append((off + gs, self.starts[gs][:, None] + np.arange(s)))
        if complete:
            pats = np.vstack([np.ones((1, len(pat)), dtype=bool), pats])
        self.apat = pats.astype(float)                 # (G, |pat|)
        self.a = self.apat[:, kpos]                    # (G, |K|) availability of K
        self.G = len(self.apat)
        self.width = 1 + len(self.K) + sum(len(I) for I, _, _ in self.prods)

    def sums(self, cT, xt, tot):
        """N (B, G), S (B, G, k) and the product blocks for the counts ``cT`` (n, B);
        ``tot`` = (n, S_total (B, p), P_total (B, p, p))."""
        B, G, k = cT.shape[1], self.G, len(self.K)
        buf = np.empty((G, B, self.width))             # filled group by group
        if len(self.rows):
            X = xt[np.ix_(self.rows, self.K)]
            F = np.concatenate([np.ones((len(X), 1)), X]
                               + [X[:, I] * X[:, J] for I, J, _ in self.prods], axis=1)
            cR = cT[self.rows]                         # (n_R, B): contiguous row gather
            for g, a, s in self.big:
                np.matmul(cR[a:a + s].T, F[a:a + s], out=buf[g])
            for gs, pos in self.small:
                acc = cR[pos[:, 0]][:, :, None] * F[pos[:, 0]][:, None, :]
                for j in range(1, pos.shape[1]):
                    acc += cR[pos[:, j]][:, :, None] * F[pos[:, j]][:, None, :]
                buf[gs] = acc
        out = buf.transpose(1, 0, 2)                   # (B, G, width) view
        N, S = out[..., 0], out[..., 1:1 + k]
        Ps, o = [], 1 + k
        for I, J, shape in self.prods:
            P = out[..., o:o + len(I)]
            o += len(I)
            if self.complete:
                P[:, 0] = tot[2][:, self.K[I], self.K[J]] - P[:, 1:].sum(axis=1)
            Ps.append(P if shape is True else P.reshape((B, G) + shape))
        if self.complete:
            N[:, 0] = tot[0] - N[:, 1:].sum(axis=1)
            S[:, 0] = tot[1][:, self.K] - S[:, 1:].sum(axis=1)
        # contiguous copies: the iteration's contractions run ~2x faster on them
        return (np.ascontiguousarray(N), np.ascontiguousarray(S),
                [np.ascontiguousarray(P) for P in Ps])


class _Engine:
    """Groupings of the rows and the batched NA-route iteration on their sums.

    With û = u / sd (weights for the resample's standardised items) and, per group,
    cd = Σ_q a_q û_q δ_q (δ: the resample's mean shift), the sums of the standardised
    items Q = a (x - δ) / sd follow from the raw ones without forming them:
    Σ c Q·u = S·û - N cd, Σ c (Q·u)(Q·u') = û'Pû' - (S·û) cd' - cd (S·û' - N cd').
    """

    def __init__(self, Xraw, m, scheme, tol, maxiter):
        self.m, self.scheme, self.tol, self.maxiter = m, scheme, tol, maxiter
        self.n, self.p = Xraw.shape
        A = ~np.isnan(Xraw)
        self.Af = A.astype(float)
        self.mu = np.nanmean(Xraw, axis=0)
        self.xt = np.where(A, Xraw - self.mu, 0.0)
        L = m.L
        self.bidx = [np.flatnonzero(m.block_of == k) for k in range(L)]
        self.nbrs = [np.flatnonzero(m.sym[k]) for k in range(L)]
        inc = [~A[:, ix].all(axis=1) for ix in self.bidx]
        self.iu, self.ju = np.triu_indices(self.p)
        # singles: rows by their pattern in block k
        self.singles = []
        for k in range(L):
            ix = self.bidx[k]
            loc = np.arange(len(ix))
            self.singles.append(_Grouping(A, np.flatnonzero(inc[k]), ix, ix, [(loc, loc)],
                                          True))
        # pairs: adjacent LVs, co-predecessors (paths), co-neighbours (outer weights)
        need = set()
        for k in range(L):
            for l in self.nbrs[k]:
                need.add((min(k, int(l)), max(k, int(l))))
            for group in (m.preds[k], self.nbrs[k]):
                for x in range(len(group)):
                    for y in range(x + 1, len(group)):
                        a, b = int(group[x]), int(group[y])
                        need.add((min(a, b), max(a, b)))
        self.pairs = {}
        for l, mm in sorted(need):
            K = np.concatenate([self.bidx[l], self.bidx[mm]])
            loc = np.arange(len(K))
            pl = len(self.bidx[l])
            self.pairs[(l, mm)] = _Grouping(A, np.flatnonzero(inc[l] | inc[mm]), K, K,
                                            [(loc[:pl], loc[pl:]), (loc[:pl], None),
                                             (loc[pl:], None)], True)
        # triples: rows incomplete in b by their patterns on b, l, m (neighbours l < m)
        self.triples = []
        for b in range(L):
            nb = self.nbrs[b]
            for x in range(len(nb)):
                for y in range(x + 1, len(nb)):
                    l, mm = int(nb[x]), int(nb[y])
                    K = np.concatenate([self.bidx[l], self.bidx[mm]])
                    pl = len(self.bidx[l])
                    g = _Grouping(A, np.flatnonzero(inc[b]), K,
                                  np.concatenate([self.bidx[b], K]),
                                  [(np.arange(pl), np.arange(pl, len(K)))], False)
                    g.ab = g.apat[:, :len(self.bidx[b])]
                    self.triples.append((b, l, mm, g))
        # the fully complete rows (plspm's final rescaling): block-diagonal products
        allp = np.arange(self.p)
        self.cc = _Grouping(A, np.flatnonzero(A.all(axis=1)), allp, allp,
                            [(ix, None) for ix in self.bidx], False)
        self.tri = [np.triu_indices(len(ix)) for ix in self.bidx]
        groupings = (self.singles + list(self.pairs.values())
                     + [g for *_, g in self.triples] + [self.cc])
        self.cells = sum(g.G * g.width for g in groupings)   # floats per resample

    # ------------------------------------------------------------------ sums
    def _totals(self, cT, pool):
        B, p = cT.shape[1], self.p
        iu, ju = self.iu, self.ju

        def chunk(a):
            X = self.xt[a:a + ROW_CHUNK]
            F = np.concatenate([self.Af[a:a + ROW_CHUNK], X, X[:, iu] * X[:, ju]], axis=1)
            return F.T @ cT[a:a + ROW_CHUNK]

        tot = np.zeros((2 * p + len(iu), B))
        for part in pool.map(chunk, range(0, self.n, ROW_CHUNK)):   # in order: reproducible
            tot += part
        tot = tot.T
        nq, S = tot[:, :p], tot[:, p:2 * p]
        P = np.empty((B, p, p))
        P[:, iu, ju] = tot[:, 2 * p:]
        P[:, ju, iu] = tot[:, 2 * p:]
        return np.ascontiguousarray(nq), np.ascontiguousarray(S), P

    # ------------------------------------------------------------------ state sums
    @staticmethod
    def _part(N, S, a, uh, ud, v2):
        """s = 1 / Σ a v², cd = Σ a û δ, uS = S·û and t = Σ c Q·u per group (B, G)."""
        s = 1.0 / (v2 @ a.T)
        cd = ud @ a.T
        uS = np.einsum("bgq,bq->bg", S, uh)
        return s, cd, uS, uS - N * cd

    def _singles_at(self, sq, uh, ud, v2):
        out = []
        for k, (N, S, (P,), g) in enumerate(sq):
            ix = self.bidx[k]
            s, cd, uS, t = self._part(N, S, g.a, uh[:, ix], ud[:, ix], v2[:, ix])
            Pu = np.einsum("bgqr,br->bgq", P, uh[:, ix])
            quad = np.einsum("bgq,bq->bg", Pu, uh[:, ix])
            qd = quad - 2 * uS * cd + N * cd * cd             # Σ c (Q·u)²
            out.append(dict(s=s, cd=cd, t=t, qd=qd, Pu=Pu, uh=uh[:, ix],
                            sumY=(s * t).sum(axis=1), sumY2=(s * s * qd).sum(axis=1)))
        return out

    def _pairs_at(self, pq, tq, uh, ud, v2, sing, sd, need_outer=True):
        """T[l, m] = Σ c Ỹ_l Ỹ_m for the pairs (diagonal from the singles) and, with
        ``need_outer``, per block b the sums NQY[q, l] = Σ c Q_q Ỹ_l, AY[q, l] =
        Σ c A_q Ỹ_l and AYY[q, l, m] = Σ c A_q Ỹ_l Ỹ_m (q in b; l, m neighbours of b)."""
        m, L = self.m, self.m.L
        B = uh.shape[0]
        T = np.zeros((B, L, L))
        for k in range(L):
            T[:, k, k] = sing[k]["sumY2"]
        outer = None
        if need_outer:
            outer = [dict(NQY=np.zeros((B, len(ix), L)), AY=np.zeros((B, len(ix), L)),
                          AYY=np.zeros((B, len(ix), L, L))) for ix in self.bidx]
        for (l, mm), (N, S, (Plm, Pll, Pmm), g) in pq.items():
            il, im = self.bidx[l], self.bidx[mm]
            pl = len(il)
            sl, sm = slice(0, pl), slice(pl, pl + len(im))
            s_l, cd_l, uS_l, t_l = self._part(N, S[..., sl], g.a[:, sl], uh[:, il],
                                              ud[:, il], v2[:, il])
            s_m, cd_m, uS_m, t_m = self._part(N, S[..., sm], g.a[:, sm], uh[:, im],
                                              ud[:, im], v2[:, im])
            Pum = np.einsum("bgqr,br->bgq", Plm, uh[:, im])                # P_lm û_m
            cross = np.einsum("bgq,bq->bg", Pum, uh[:, il]) - uS_l * cd_m - cd_l * t_m
            T[:, l, mm] = T[:, mm, l] = (s_l * s_m * cross).sum(axis=1)
            if need_outer and m.sym[l, mm]:
                Pul = np.einsum("bgqr,bq->bgr", Plm, uh[:, il])            # P_ml û_l
                qd_l = (np.einsum("bgp,bp->bg", Pll, _quad_coef(uh[:, il], *self.tri[l]))
                        - 2 * uS_l * cd_l + N * cd_l * cd_l)
                qd_m = (np.einsum("bgp,bp->bg", Pmm, _quad_coef(uh[:, im], *self.tri[mm]))
                        - 2 * uS_m * cd_m + N * cd_m * cd_m)
                for (own, sown, ix, Pv, s_o, cd_o, t_o, qd_o, other) in (
                        (outer[l], sl, il, Pum, s_m, cd_m, t_m, qd_m, mm),
                        (outer[mm], sm, im, Pul, s_l, cd_l, t_l, qd_l, l)):
                    a = g.a[:, sown]
                    AY = (s_o * t_o) @ a
                    own["AY"][:, :, other] = AY
                    own["AYY"][:, :, other, other] = (s_o * s_o * qd_o) @ a
                    # Σ c Q_q Ỹ_o = (Σ_g s_o (Pv_q - S_q cd_o) - δ_q AY_q) / sd_q
                    own["NQY"][:, :, other] = (
                        np.einsum("bg,bgq->bq", s_o, Pv)
                        - np.einsum("bg,bgq->bq", s_o * cd_o, S[..., sown])
                        - self._delta[:, ix] * AY) / sd[:, ix]
        if need_outer:
            for b, l, mm, (N, S, (P,), g) in tq:
                il, im = self.bidx[l], self.bidx[mm]
                pl = len(il)
                s_l, cd_l, uS_l, t_l = self._part(N, S[..., :pl], g.a[:, :pl], uh[:, il],
                                                  ud[:, il], v2[:, il])
                s_m, cd_m, uS_m, t_m = self._part(N, S[..., pl:], g.a[:, pl:], uh[:, im],
                                                  ud[:, im], v2[:, im])
                cross = (np.einsum("bgqr,bq,br->bg", P, uh[:, il], uh[:, im])
                         - uS_l * cd_m - cd_l * t_m)
                miss = (s_l * s_m * cross) @ (1.0 - g.ab)
                ayy = T[:, l, mm][:, None] - miss
                outer[b]["AYY"][:, :, l, mm] = ayy
                outer[b]["AYY"][:, :, mm, l] = ayy
        return T, outer

    # ------------------------------------------------------------------ iteration parts
    @staticmethod
    def _moments(T, sumY, alpha, beta, N):
        """Σ c Y_l Y_m and the means of Y = alpha Ỹ + beta."""
        M = (alpha[:, :, None] * alpha[:, None, :] * T
             + alpha[:, :, None] * sumY[:, :, None] * beta[:, None, :]
             + beta[:, :, None] * alpha[:, None, :] * sumY[:, None, :]
             + N * beta[:, :, None] * beta[:, None, :])
        return M, (alpha * sumY + beta * N) / N

    def _inner(self, M, mean, N):
        """plspm get_weights_nonmetric's inner weights from the moments of Y."""
        m = self.m
        cov = M / N - mean[:, :, None] * mean[:, None, :]
        d = 1.0 / np.sqrt(np.einsum("bll->bl", cov))
        R = cov * d[:, :, None] * d[:, None, :]
        if self.scheme == "centroid":
            return np.sign(R * m.sym)
        if self.scheme == "factorial":         # plspm: "factor" = cov(Y) * link
            return cov * (N / (N - 1)) * m.sym
        E = np.zeros_like(R)
        for k in range(m.L):
            pr, su = m.preds[k], m.succs[k]
            if len(pr):                        # lm(Y_k ~ Y_pred - 1): from Y'Y
                E[:, pr, k] = np.linalg.solve(M[:, pr[:, None], pr[None, :]],
                                              M[:, pr, k][..., None])[..., 0]
            if len(su):
                E[:, su, k] = R[:, k, su]
        return E

    def _weights(self, E, alpha, beta, outer, nq):
        """w_q = Σ c Q_q Z_b / Σ c A_q Z_b² with Z_b = Σ_l E_lb (alpha_l Ỹ_l + beta_l)."""
        w = np.empty((E.shape[0], self.p))
        for b in range(self.m.L):
            ix, nb = self.bidx[b], self.nbrs[b]
            o = outer[b]
            ea = E[:, nb, b] * alpha[:, nb]
            eb = (E[:, nb, b] * beta[:, nb]).sum(axis=1)[:, None]
            num = np.einsum("bl,bql->bq", ea, o["NQY"][:, :, nb])
            den = (np.einsum("bl,bm,bqlm->bq", ea, ea, o["AYY"][:, :, nb[:, None], nb[None, :]])
                   + 2 * np.einsum("bl,bql->bq", ea, o["AY"][:, :, nb]) * eb
                   + eb * eb * nq[:, ix])
            w[:, ix] = num / den
        return w

    @staticmethod
    def _standardise(sing, N):
        sumY = np.stack([s["sumY"] for s in sing], axis=1)
        sumY2 = np.stack([s["sumY2"] for s in sing], axis=1)
        mu = sumY / N
        sig = np.sqrt(sumY2 / N - mu * mu)
        return 1.0 / sig, -mu / sig

    def _bound(self, sq, old, new, a0, b0, a1, b1):
        """Σ_k min(Σ c (Y0 - Y1)², Σ c (Y0 + Y1)²), an upper bound of plspm's
        Σ c (|Y0| - |Y1|)² (Y = alpha Ỹ + beta; both from the group sums)."""
        U = np.zeros(a0.shape[0])
        for k, (N, S, (P,), g) in enumerate(sq):
            o, w = old[k], new[k]
            dk = self._delta[:, self.bidx[k]]
            x0 = (a0[:, k, None] * o["s"])[..., None] * o["uh"][:, None, :]
            x1 = (a1[:, k, None] * w["s"])[..., None] * w["uh"][:, None, :]
            best = None
            for d, db in ((x0 - x1, b0[:, k] - b1[:, k]), (x0 + x1, b0[:, k] + b1[:, k])):
                cdd = np.einsum("gq,bgq->bg", g.a, d * dk[:, None, :])
                dS = np.einsum("bgq,bgq->bg", S, d)
                quad = np.einsum("bgq,bgqr,bgr->bg", d, P, d)
                val = (quad - 2 * dS * cdd + N * cdd * cdd
                       + 2 * db[:, None] * (dS - N * cdd) + db[:, None] ** 2 * N).sum(axis=1)
                best = val if best is None else np.minimum(best, val)
            U += best
        return U

    def _exact(self, c, delta, sd, st0, st1):
        """plspm's criterion Σ c (|Y0| - |Y1|)² on the rows of one resample."""
        rows = np.flatnonzero(c)
        X, Af, cw = self.xt[rows], self.Af[rows], c[rows]
        odm = self.m.odm

        def scores(u, v, a, b):
            num = X @ ((u / sd)[:, None] * odm) - Af @ ((delta * u / sd)[:, None] * odm)
            return a * num / (Af @ ((v ** 2)[:, None] * odm)) + b

        d = np.abs(scores(*st0)) - np.abs(scores(*st1))
        return float(cw @ (d ** 2).sum(axis=1))

    # ------------------------------------------------------------------ one batch
    def run(self, cT):
        """Fit every resample of the batch (``cT``: (n, B) bootstrap counts); returns
        (draws dict, ok mask)."""
        ok = np.zeros(cT.shape[1], dtype=bool)
        # Thousands of small products: single-threaded BLAS (OpenBLAS's threads spin and
        # lose badly when the cores are shared), with the independent groupings and row
        # chunks spread over a pool of Python threads instead (numpy releases the GIL).
        single = threadpool_limits(1, user_api="blas") if threadpool_limits else nullcontext()
        with single, ThreadPoolExecutor(max_workers=_workers()) as pool:
            return self._run(cT, ok, pool)

    def _run(self, cT, ok, pool):
        m, n, L, bo = self.m, self.n, self.m.L, self.m.block_of
        N = float(n)
        Bt = cT.shape[1]
        nq, S, P = self._totals(cT, pool)
        diagP = np.einsum("bpp->bp", P)
        with np.errstate(divide="ignore", invalid="ignore"):
            delta = S / nq
            ss = diagP - nq * delta ** 2
            sd = np.sqrt(ss / nq)
            valid = np.all(nq >= 3, axis=1) & np.all(ss > 1e-10 * diagP, axis=1)
        idx = np.flatnonzero(valid)
        if not len(idx):
            return None, ok
        c = cT if len(idx) == Bt else np.ascontiguousarray(cT[:, idx])
        nq, S, P, delta, sd, diagP = nq[idx], S[idx], P[idx], delta[idx], sd[idx], diagP[idx]
        self._delta = delta              # the batch's mean shifts, for _pairs_at and _bound
        tot = (N, S, P)
        B = len(idx)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            tri = [g for *_, g in self.triples]
            gs = self.singles + list(self.pairs.values()) + tri + [self.cc]
            # largest first, so that the pool's threads finish together
            order = sorted(range(len(gs)), key=lambda i: -len(gs[i].rows) * gs[i].width)
            res = dict(zip(order, pool.map(lambda i: gs[i].sums(c, self.xt, tot), order)))
            res = [(*res[i], gs[i]) for i in range(len(gs))]
            n1, n2 = L, L + len(self.pairs)
            sq = res[:n1]
            pq = dict(zip(self.pairs, res[n1:n2]))
            tq = [(b, l, mm, r) for (b, l, mm, _), r in zip(self.triples, res[n2:-1])]
            Ncc, Scc, Pcc, _ = res[-1]
            w, alpha, beta, iters, conv = self._iterate(c, nq, delta, sd, sq, pq, tq)
            # the scores of the last weights
            uh = w / sd
            ud, v2 = uh * delta, w * w
            sing = self._singles_at(sq, uh, ud, v2)
            T, _ = self._pairs_at(pq, tq, uh, ud, v2, sing, sd, need_outer=False)
            # plspm: w / (sd(Q_j w_j over the complete rows, n - 1) / sqrt(n / (n - 1)))
            sdq = np.full((B, L), np.nan)
            if self.cc.G:
                Nc = Ncc[:, 0]
                for k, ix in enumerate(self.bidx):
                    cd = ud[:, ix].sum(axis=1)                      # every item answered
                    uS = np.einsum("bq,bq->b", Scc[:, 0, ix], uh[:, ix])
                    quad = np.einsum("bp,bp->b", Pcc[k][:, 0],
                                     _quad_coef(uh[:, ix], *self.tri[k]))
                    t = uS - Nc * cd
                    qd = quad - 2 * uS * cd + Nc * cd * cd
                    var = (qd - t * t / Nc) / (Nc - 1)
                    # a score constant over the complete rows (e.g. only two distinct
                    # ones drawn) leaves plspm's rescaling undefined: draw again
                    var[var <= 1e-12 * qd / Nc] = np.nan
                    sdq[:, k] = np.sqrt(var)
            wf = w / (sdq / math.sqrt(n / (n - 1)))[:, bo]
            # cor(Q, Y, use = "pairwise.complete.obs") of each item with its own LV
            xload = np.empty((B, self.p))
            for k, ix in enumerate(self.bidx):
                s = sing[k]
                _, Sg, _, g = sq[k]
                a, bt = alpha[:, k, None], beta[:, k, None]
                Sx = (S[:, ix] - nq[:, ix] * delta[:, ix]) / sd[:, ix]          # Σ c Q
                Sxx = (diagP[:, ix] - 2 * delta[:, ix] * S[:, ix]
                       + nq[:, ix] * delta[:, ix] ** 2) / sd[:, ix] ** 2          # Σ c Q²
                AY = (s["s"] * s["t"]) @ g.a
                QY = (np.einsum("bg,bgq->bq", s["s"], s["Pu"])
                      - np.einsum("bg,bgq->bq", s["s"] * s["cd"], Sg)
                      - delta[:, ix] * AY) / sd[:, ix]                             # Σ c Q Ỹ
                nj = nq[:, ix]
                Sy = a * AY + bt * nj
                Syy = (a * a * ((s["s"] ** 2 * s["qd"]) @ g.a)
                       + 2 * a * bt * AY + bt * bt * nj)
                Sxy = a * QY + bt * Sx
                cov = Sxy / nj - Sx / nj * Sy / nj
                vy = Syy / nj - (Sy / nj) ** 2
                vx = Sxx / nj - (Sx / nj) ** 2
                xload[:, ix] = cov / np.sqrt(vx * vy)
            flip = np.where(np.sign(xload) @ m.odm <= 0, -1.0, 1.0)    # plspm get_scores
            wf = wf * flip[:, bo]
            xload = xload * flip[:, bo]
            sumY = np.stack([s["sumY"] for s in sing], axis=1)
            M, mean = self._moments(T, sumY, alpha, beta, N)
            cov = M / N - mean[:, :, None] * mean[:, None, :]
            dd = 1.0 / np.sqrt(np.einsum("bll->bl", cov))
            R = cov * (dd * flip)[:, :, None] * (dd * flip)[:, None, :]
            good = conv & np.all(np.isfinite(wf), axis=1)
            R[~good] = np.eye(L)          # rejected resamples: keep the solves defined
            Pm = np.zeros((B, L, L))
            r2 = np.zeros((B, L))
            for k in m.endo:
                pr = m.preds[k]
                bk = np.linalg.solve(R[:, pr[:, None], pr[None, :]],
                                     R[:, pr, k][..., None])[..., 0]
                Pm[:, pr, k] = bk
                r2[:, k] = np.einsum("bj,bj->b", bk, R[:, pr, k])
            total = np.zeros_like(Pm)
            power = Pm.copy()
            for _ in range(L):
                total += power
                power = power @ Pm
        ok[idx] = good
        out = dict(w=np.zeros((Bt, self.p)), load=np.zeros((Bt, self.p)),
                   paths=np.zeros((Bt, len(m.path_idx))), r2=np.zeros((Bt, len(m.endo))),
                   total=np.zeros((Bt, len(m.pairs))), mu=np.zeros((Bt, self.p)),
                   sd=np.zeros((Bt, self.p)), it=np.zeros(Bt, dtype=int))
        out["w"][idx] = wf
        out["load"][idx] = xload
        out["paths"][idx] = np.stack([Pm[:, f, t] for f, t in m.path_idx], axis=1)
        out["r2"][idx] = r2[:, m.endo]
        if m.pairs:
            out["total"][idx] = np.stack([total[:, i, j] for i, j in m.pairs], axis=1)
        out["mu"][idx] = self.mu + delta
        out["sd"][idx] = sd
        out["it"][idx] = iters
        return out, ok

    def _iterate(self, c, nq, delta, sd, sq, pq, tq):
        """Batched get_weights_nonmetric: returns the last weights (before plspm's final
        rescaling), the standardisation (alpha, beta) of the last scores, iterations and
        convergence of every resample."""
        n, L, bo = self.n, self.m.L, self.m.block_of
        N = float(n)
        B = c.shape[1]
        w0 = 1.0 / np.sqrt(np.bincount(bo, minlength=L)[bo])
        # the start: get_treated_data's X0 = Q kappa, Ỹ = Σ X0 w0 / Σ A w0², unstandardised
        kappa = np.sqrt((nq - 1) / nq) / math.sqrt((n - 1) / n)
        u = kappa * w0
        v = np.broadcast_to(w0, (B, self.p)).copy()
        alpha, beta = np.ones((B, L)), np.zeros((B, L))
        uh = u / sd
        sing = self._singles_at(sq, uh, uh * delta, v * v)
        fin_w, fin_a, fin_b = np.full((B, self.p), np.nan), np.ones((B, L)), np.zeros((B, L))
        iters = np.full(B, self.maxiter + 1)
        conv = np.zeros(B, dtype=bool)
        active = np.ones(B, dtype=bool)
        for it in range(1, self.maxiter + 2):
            T, outer = self._pairs_at(pq, tq, uh, uh * delta, v * v, sing, sd)
            sumY = np.stack([s["sumY"] for s in sing], axis=1)
            E = self._inner(*self._moments(T, sumY, alpha, beta, N), N)
            w = self._weights(E, alpha, beta, outer, nq)
            wh = w / sd
            new = self._singles_at(sq, wh, wh * delta, w * w)
            a1, b1 = self._standardise(new, N)
            U = self._bound(sq, sing, new, alpha, beta, a1, b1)
            stop = U < self.tol
            for b in np.flatnonzero(active & ~stop & (U < (1 + MARGIN) * self.tol)):
                crit = self._exact(c[:, b], delta[b], sd[b], (u[b], v[b], alpha[b], beta[b]),
                                   (w[b], w[b], a1[b], b1[b]))
                stop[b] = crit < self.tol
            done = active & stop
            fin_w[done], fin_a[done], fin_b[done] = w[done], a1[done], b1[done]
            iters[done] = it
            conv[done] = True
            active &= ~stop
            u, v, uh, alpha, beta, sing = w, w, wh, a1, b1, new
            if not active.any():
                break
        # resamples that did not converge keep the last iteration (the caller rejects them)
        fin_w[active], fin_a[active], fin_b[active] = u[active], alpha[active], beta[active]
        return fin_w, fin_a, fin_b, iters, conv


def _workers():
    try:
        return max(1, min(4, len(os.sched_getaffinity(0))))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, min(4, os.cpu_count() or 1))


def bootstrap_na(Xraw, m, scheme, B, seed, tol, maxiter):
    """Draws of the NA-route bootstrap: the same resamples, in the same order, as
    refitting ``Xraw[rng.integers(0, n, size=n)]`` one after another (a resample with an
    item left without variance or with fewer than 3 answers, or that does not converge,
    is drawn again). Returns (dict of arrays with B rows, number redrawn)."""
    rng = np.random.default_rng(seed)
    n = Xraw.shape[0]
    eng = _Engine(Xraw, m, scheme, tol, maxiter)
    batch = int(min(256, max(8, BATCH_CELLS // n), max(8, BATCH_FLOATS // eng.cells)))
    keep: dict = {}
    got, redrawn = 0, 0
    while got < B:
        b = min(batch, B - got)
        counts = np.empty((b, n), dtype=np.int32)
        for j in range(b):
            counts[j] = np.bincount(rng.integers(0, n, size=n), minlength=n)
        out, ok = eng.run(counts.T.astype(float, order="C"))
        for j in range(b):
            if ok[j]:
                for k, v in out.items():
                    keep.setdefault(k, []).append(v[j])
                got += 1
            else:
                redrawn += 1
                if redrawn > 10 * B:
                    raise CSIInputError("pls.fit: most bootstrap resamples do not converge; "
                                        "the model is unstable on this data (check blocks "
                                        "and sample size)")
    return {k: np.array(v) for k, v in keep.items()}, redrawn

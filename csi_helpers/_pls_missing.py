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
rows, and the draws equal those of the row-by-row route up to rounding (~1e-12).
"""
from __future__ import annotations

import math
from contextlib import nullcontext

import numpy as np

from .errors import CSIInputError

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
    threadpool_limits = None

MARGIN = 1.0          # exact row-level stopping check when tol <= bound < (1 + MARGIN) tol
SMALL_GROUP = 24      # groups with fewer rows are summed elementwise, larger ones by GEMM
ROW_CHUNK = 8192      # rows per chunk of the data-total matrix product
BATCH_CELLS = 2e7     # resamples x rows per batch (bounds the count matrix)


def _triu(k):
    i, j = np.triu_indices(k)
    return i, j


class _Grouping:
    """Rows grouped by their availability pattern on ``pat`` (global item indices).

    Sums are kept for the items ``K`` (a subset of ``pat``) over the local index pairs
    ``(pi, pj)``. With ``complete`` the group answering every item of ``pat`` comes
    first and is obtained from the data totals by subtraction (``rows`` then holds
    only the other rows).
    """

    def __init__(self, A, rows, K, pat, pi, pj, complete):
        self.K = np.asarray(K)
        self.pi, self.pj = np.asarray(pi, dtype=int), np.asarray(pj, dtype=int)
        self.complete = complete
        kpos = np.array([list(pat).index(q) for q in self.K], dtype=int)
        if len(rows):
            sub = A[np.ix_(rows, pat)]
            if sub.shape[1] <= 62:                     # pattern as a bit key
                key = sub.astype(np.int64) @ (np.int64(1) << np.arange(sub.shape[1],
                                                                        dtype=np.int64))
                ukeys, first, inv = np.unique(key, return_index=True, return_inverse=True)
                pats = sub[first]
            else:
                pats, inv = np.unique(sub, axis=0, return_inverse=True)
            inv = np.asarray(inv).reshape(-1)
            order = np.argsort(inv, kind="stable")
            self.rows = rows[order]
            self.sizes = np.bincount(inv, minlength=len(pats))
        else:
            pats = np.zeros((0, len(pat)), dtype=bool)
            self.rows = np.zeros(0, dtype=int)
            self.sizes = np.zeros(0, dtype=int)
        self.starts = np.concatenate([[0], np.cumsum(self.sizes)[:-1]]).astype(int)
        if complete:
            pats = np.vstack([np.ones((1, len(pat)), dtype=bool), pats])
        self.apat = pats.astype(float)                 # (G, |pat|)
        self.a = self.apat[:, kpos]                    # (G, |K|) availability of K
        self.G = len(self.apat)
        big = self.sizes >= SMALL_GROUP
        self.big = np.flatnonzero(big)
        self.small = np.flatnonzero(~big)

    def sums(self, counts, xt, tot):
        """Count-weighted N (B, G), S (B, G, k) and P over the pairs (B, G, npairs)."""
        B = counts.shape[0]
        k, npair = len(self.K), len(self.pi)
        f = 1 + k + npair
        out = np.zeros((B, len(self.sizes), f))
        if len(self.rows):
            X = xt[np.ix_(self.rows, self.K)]
            F = np.concatenate([np.ones((len(X), 1)), X, X[:, self.pi] * X[:, self.pj]],
                               axis=1)
            cR = counts[:, self.rows]
            for g in self.big:
                a, b = self.starts[g], self.starts[g] + self.sizes[g]
                out[:, g] = (F[a:b].T @ cR[:, a:b].T).T     # the faster GEMM layout
            if len(self.small):
                per = max(1, int(4e6 // (B * f)))      # rows per elementwise chunk
                gs = self.small
                i = 0
                while i < len(gs):
                    j, rows_in = i, 0
                    while j < len(gs) and (rows_in == 0 or rows_in + self.sizes[gs[j]] <= per):
                        rows_in += self.sizes[gs[j]]
                        j += 1
                    sel = np.concatenate([np.arange(self.starts[g], self.starts[g] + self.sizes[g])
                                          for g in gs[i:j]])
                    loc = np.concatenate([[0], np.cumsum(self.sizes[gs[i:j]])[:-1]])
                    prod = cR[:, sel][:, :, None] * F[sel][None]
                    out[:, gs[i:j]] = np.add.reduceat(prod, loc, axis=1)
                    i = j
        N, S, P = out[..., 0], out[..., 1:1 + k], out[..., 1 + k:]
        if self.complete:
            n_tot, S_tot, P_tot = tot
            N0 = n_tot - N.sum(axis=1)
            S0 = S_tot[:, self.K] - S.sum(axis=1)
            P0 = P_tot[:, self.K[self.pi], self.K[self.pj]] - P.sum(axis=1)
            N = np.concatenate([N0[:, None], N], axis=1)
            S = np.concatenate([S0[:, None], S], axis=1)
            P = np.concatenate([P0[:, None], P], axis=1)
        return N, S, P

    def to_q(self, N, S, P, delta, sd):
        """The same sums for Q = A (x - delta) / sd, the resample's standardised items."""
        dK, sK = delta[:, self.K], sd[:, self.K]
        a, pi, pj = self.a, self.pi, self.pj
        SQ = a * (S - N[..., None] * dK[:, None, :]) / sK[:, None, :]
        di, dj = dK[:, None, pi], dK[:, None, pj]
        PQ = (a[:, pi] * a[:, pj]
              * (P - dj * S[..., pi] - di * S[..., pj] + N[..., None] * di * dj)
              / (sK[:, None, pi] * sK[:, None, pj]))
        return N, SQ, PQ


def _full(PQ, k, pi, pj):
    """Symmetric (B, G, k, k) matrices from their upper-triangle entries."""
    M = np.zeros(PQ.shape[:2] + (k, k))
    M[..., pi, pj] = PQ
    M[..., pj, pi] = PQ
    return M


class _Engine:
    """Groupings of the rows and the batched NA-route iteration on their sums."""

    def __init__(self, Xraw, m, scheme, tol, maxiter):
        self.m, self.scheme, self.tol, self.maxiter = m, scheme, tol, maxiter
        self.n, self.p = Xraw.shape
        A = ~np.isnan(Xraw)
        self.A = A
        self.Af = A.astype(float)
        self.mu = np.nanmean(Xraw, axis=0)
        self.xt = np.where(A, Xraw - self.mu, 0.0)
        bo, L = m.block_of, m.L
        self.bidx = [np.flatnonzero(bo == k) for k in range(L)]
        self.nbrs = [np.flatnonzero(m.sym[k]) for k in range(L)]
        inc = [~A[:, ix].all(axis=1) for ix in self.bidx]
        self.iu, self.ju = _triu(self.p)
        # singles
        self.singles = []
        for k in range(L):
            ix = self.bidx[k]
            pi, pj = _triu(len(ix))
            self.singles.append(_Grouping(A, np.flatnonzero(inc[k]), ix, ix, pi, pj, True))
        # pairs: adjacent LVs, co-predecessors (paths), co-neighbours (outer weights)
        need = set()
        for k in range(L):
            for l in self.nbrs[k]:
                need.add((min(k, l), max(k, l)))
            for group in (m.preds[k], self.nbrs[k]):
                for x in range(len(group)):
                    for y in range(x + 1, len(group)):
                        need.add((int(min(group[x], group[y])), int(max(group[x], group[y]))))
        self.pairs = {}
        for l, mm in sorted(need):
            K = np.concatenate([self.bidx[l], self.bidx[mm]])
            pi, pj = _triu(len(K))
            self.pairs[(l, mm)] = _Grouping(A, np.flatnonzero(inc[l] | inc[mm]), K, K,
                                            pi, pj, True)
        # triples: rows incomplete in b, by their patterns on b, l, m (l < m neighbours of b)
        self.triples = []
        for b in range(L):
            nb = self.nbrs[b]
            for x in range(len(nb)):
                for y in range(x + 1, len(nb)):
                    l, mm = int(nb[x]), int(nb[y])
                    K = np.concatenate([self.bidx[l], self.bidx[mm]])
                    pl, pm = len(self.bidx[l]), len(self.bidx[mm])
                    pi = np.repeat(np.arange(pl), pm)
                    pj = pl + np.tile(np.arange(pm), pl)
                    pat = np.concatenate([self.bidx[b], K])
                    g = _Grouping(A, np.flatnonzero(inc[b]), K, pat, pi, pj, False)
                    g.ab = g.apat[:, :len(self.bidx[b])]
                    self.triples.append((b, l, mm, g))
        # fully complete rows (plspm's final rescaling), block-diagonal products
        pi = np.concatenate([self.bidx[k][_triu(len(self.bidx[k]))[0]] for k in range(L)])
        pj = np.concatenate([self.bidx[k][_triu(len(self.bidx[k]))[1]] for k in range(L)])
        allp = np.arange(self.p)
        self.cc = _Grouping(A, np.flatnonzero(A.all(axis=1)), allp, allp, pi, pj, False)
        self.cc_pi, self.cc_pj = pi, pj

    # ------------------------------------------------------------------ sums
    def _totals(self, counts):
        B, p = counts.shape[0], self.p
        iu, ju = self.iu, self.ju
        tot = np.zeros((B, 2 * p + len(iu)))
        for a in range(0, self.n, ROW_CHUNK):
            X = self.xt[a:a + ROW_CHUNK]
            F = np.concatenate([self.Af[a:a + ROW_CHUNK], X, X[:, iu] * X[:, ju]], axis=1)
            tot += (F.T @ counts[:, a:a + ROW_CHUNK].T).T
        nq, S = tot[:, :p], tot[:, p:2 * p]
        P = np.zeros((B, p, p))
        P[:, iu, ju] = tot[:, 2 * p:]
        P[:, ju, iu] = tot[:, 2 * p:]
        return nq, S, P

    # ------------------------------------------------------------------ state sums
    def _single_at(self, st, k, u, v):
        N, SQ, PQ, g = st
        ix = self.bidx[k]
        uk = u[:, ix]
        s = 1.0 / np.einsum("gq,bq->bg", g.a, v[:, ix] ** 2)
        t = np.einsum("bgq,bq->bg", SQ, uk)
        Pu = np.einsum("bgqr,br->bgq", PQ, uk)
        qd = np.einsum("bgq,bq->bg", Pu, uk)
        return dict(s=s, t=t, Pu=Pu, qd=qd, u=uk, sumY=(s * t).sum(axis=1),
                    sumY2=(s * s * qd).sum(axis=1))

    def _singles_at(self, sq, u, v):
        return [self._single_at(sq[k], k, u, v) for k in range(self.m.L)]

    def _pairs_at(self, pq, tq, u, v, sing, need_outer=True):
        """Σ c Ỹ_l Ỹ_m for every pair (T, diagonal from the singles) and, for adjacent
        pairs, the outer-weight sums per block: NQY, AY, AYY (B, p_b, L[, L])."""
        m, L = self.m, self.m.L
        B = u.shape[0]
        T = np.zeros((B, L, L))
        for k in range(L):
            T[:, k, k] = sing[k]["sumY2"]
        outer = None
        if need_outer:
            outer = [dict(NQY=np.zeros((B, len(ix), L)), AY=np.zeros((B, len(ix), L)),
                          AYY=np.zeros((B, len(ix), L, L))) for ix in self.bidx]
        for (l, mm), (N, SQ, PQ, g) in pq.items():
            il, im = self.bidx[l], self.bidx[mm]
            pl = len(il)
            sl, sm = slice(0, pl), slice(pl, pl + len(im))
            ul, um = u[:, il], u[:, im]
            s_l = 1.0 / np.einsum("gq,bq->bg", g.a[:, sl], v[:, il] ** 2)
            s_m = 1.0 / np.einsum("gq,bq->bg", g.a[:, sm], v[:, im] ** 2)
            Pum = np.einsum("bgqr,br->bgq", PQ[..., sm], um)
            cross = np.einsum("bgq,bq->bg", Pum[..., sl], ul)
            T[:, l, mm] = T[:, mm, l] = (s_l * s_m * cross).sum(axis=1)
            if need_outer and m.sym[l, mm]:
                Pul = np.einsum("bgqr,br->bgq", PQ[..., sl], ul)
                qd_l = np.einsum("bgq,bq->bg", Pul[..., sl], ul)
                qd_m = np.einsum("bgq,bq->bg", Pum[..., sm], um)
                t_l = np.einsum("bgq,bq->bg", SQ[..., sl], ul)
                t_m = np.einsum("bgq,bq->bg", SQ[..., sm], um)
                ol, om = outer[l], outer[mm]
                ol["NQY"][:, :, mm] = np.einsum("bg,bgq->bq", s_m, Pum[..., sl])
                om["NQY"][:, :, l] = np.einsum("bg,bgq->bq", s_l, Pul[..., sm])
                ol["AY"][:, :, mm] = np.einsum("gq,bg->bq", g.a[:, sl], s_m * t_m)
                om["AY"][:, :, l] = np.einsum("gq,bg->bq", g.a[:, sm], s_l * t_l)
                ol["AYY"][:, :, mm, mm] = np.einsum("gq,bg->bq", g.a[:, sl], s_m * s_m * qd_m)
                om["AYY"][:, :, l, l] = np.einsum("gq,bg->bq", g.a[:, sm], s_l * s_l * qd_l)
        if need_outer:
            for b, l, mm, (N, SQ, PQ, g) in tq:
                il, im = self.bidx[l], self.bidx[mm]
                pl = len(il)
                s_l = 1.0 / np.einsum("gq,bq->bg", g.a[:, :pl], v[:, il] ** 2)
                s_m = 1.0 / np.einsum("gq,bq->bg", g.a[:, pl:], v[:, im] ** 2)
                Pc = PQ.reshape(PQ.shape[:2] + (pl, len(im)))
                val = s_l * s_m * np.einsum("bgqr,bq,br->bg", Pc, u[:, il], u[:, im])
                miss = np.einsum("gq,bg->bq", 1.0 - g.ab, val)
                ayy = T[:, l, mm][:, None] - miss
                outer[b]["AYY"][:, :, l, mm] = ayy
                outer[b]["AYY"][:, :, mm, l] = ayy
        return T, outer

    # ------------------------------------------------------------------ iteration parts
    def _inner(self, M, mean, N):
        """plspm get_weights_nonmetric's inner weights from the moments of Y."""
        m = self.m
        cov = M / N - mean[:, :, None] * mean[:, None, :]
        d = 1.0 / np.sqrt(np.einsum("bll->bl", cov))
        R = cov * d[:, :, None] * d[:, None, :]
        if self.scheme == "centroid":
            return np.sign(R * m.sym)
        if self.scheme == "factorial":
            return cov * (N / (N - 1)) * m.sym
        E = np.zeros_like(R)
        for k in range(m.L):
            pr, su = m.preds[k], m.succs[k]
            if len(pr):                   # lm(Y_k ~ Y_pred - 1): G = Y'Y
                E[:, pr, k] = np.linalg.solve(M[:, pr[:, None], pr[None, :]],
                                              M[:, pr, k][..., None])[..., 0]
            if len(su):
                E[:, su, k] = R[:, k, su]
        return E

    def _weights(self, E, alpha, beta, outer, nq):
        B = E.shape[0]
        w = np.empty((B, self.p))
        for b in range(self.m.L):
            ix, nb = self.bidx[b], self.nbrs[b]
            o = outer[b]
            ea = E[:, nb, b] * alpha[:, nb]                        # (B, |nb|)
            eb = (E[:, nb, b] * beta[:, nb]).sum(axis=1)           # (B,)
            num = np.einsum("bl,bql->bq", ea, o["NQY"][:, :, nb])
            ayy = o["AYY"][:, :, nb[:, None], nb[None, :]]
            den = (np.einsum("bl,bm,bqlm->bq", ea, ea, ayy)
                   + 2 * np.einsum("bl,bql->bq", ea, o["AY"][:, :, nb]) * eb[:, None]
                   + eb[:, None] ** 2 * nq[:, ix])
            w[:, ix] = num / den
        return w

    @staticmethod
    def _standardise(sing, N):
        sumY = np.stack([s["sumY"] for s in sing], axis=1)
        sumY2 = np.stack([s["sumY2"] for s in sing], axis=1)
        mu = sumY / N
        sig = np.sqrt(sumY2 / N - mu ** 2)
        return 1.0 / sig, -mu / sig

    def _bound(self, sq, old, new, a0, b0, a1, b1):
        """Σ_k min(Σ c (Y0 - Y1)², Σ c (Y0 + Y1)²) >= plspm's Σ c (|Y0| - |Y1|)²."""
        B = a0.shape[0]
        U = np.zeros(B)
        for k in range(self.m.L):
            N, SQ, PQ, g = sq[k]
            o, w = old[k], new[k]
            x0 = (a0[:, k, None] * o["s"])[..., None] * o["u"][:, None, :]
            x1 = (a1[:, k, None] * w["s"])[..., None] * w["u"][:, None, :]
            best = None
            for d, db in ((x0 - x1, b0[:, k] - b1[:, k]), (x0 + x1, b0[:, k] + b1[:, k])):
                val = (np.einsum("bgq,bgqr,bgr->b", d, PQ, d)
                       + 2 * db * np.einsum("bgq,bgq->b", SQ, d) + db ** 2 * N.sum(axis=1))
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
    def run(self, counts):
        """Fit every resample of the batch; returns (draws dict, ok mask)."""
        m, n, L, bo = self.m, self.n, self.m.L, self.m.block_of
        N = float(n)
        Bt = counts.shape[0]
        ok = np.zeros(Bt, dtype=bool)
        nq, S, P = self._totals(counts)
        with np.errstate(divide="ignore", invalid="ignore"):
            delta = S / nq
            ss = np.einsum("bpp->bp", P) - nq * delta ** 2
            sd = np.sqrt(ss / nq)
            valid = (np.all(nq >= 3, axis=1)
                     & np.all(ss > 1e-10 * np.einsum("bpp->bp", P), axis=1))
        out = None
        idx = np.flatnonzero(valid)
        if not len(idx):
            return out, ok
        c, nq, S, P, delta, sd = counts[idx], nq[idx], S[idx], P[idx], delta[idx], sd[idx]
        tot = (N, S, P)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            sq = []
            for k, g in enumerate(self.singles):
                Nn, SQ, PQ = g.to_q(*g.sums(c, self.xt, tot), delta, sd)
                sq.append((Nn, SQ, _full(PQ, len(g.K), g.pi, g.pj), g))
            pq = {}
            for key, g in self.pairs.items():
                Nn, SQ, PQ = g.to_q(*g.sums(c, self.xt, tot), delta, sd)
                pq[key] = (Nn, SQ, _full(PQ, len(g.K), g.pi, g.pj), g)
            tq = []
            for b, l, mm, g in self.triples:
                tq.append((b, l, mm, (*g.to_q(*g.sums(c, self.xt, tot), delta, sd), g)))
            g = self.cc
            Ncc, SQcc, PQcc = g.to_q(*g.sums(c, self.xt, tot), delta, sd)

            res = self._iterate(c, nq, delta, sd, sq, pq, tq)
            w, alpha, beta, iters, conv = res
            # final state: the scores of the last weights
            sing = self._singles_at(sq, w, w)
            T, _ = self._pairs_at(pq, tq, w, w, sing, need_outer=False)
            # plspm: w / (sd(Q_j w_j over the complete rows, n - 1) / sqrt(n / (n - 1)))
            B = len(idx)
            sdq = np.full((B, L), np.nan)
            if Ncc.shape[1]:
                Nc = Ncc[:, 0]
                for k in range(L):
                    ix = self.bidx[k]
                    sel = np.flatnonzero(bo[self.cc_pi] == k)
                    Pk = np.zeros((B, len(ix), len(ix)))
                    li = np.searchsorted(ix, self.cc_pi[sel])
                    lj = np.searchsorted(ix, self.cc_pj[sel])
                    Pk[:, li, lj] = PQcc[:, 0, sel]
                    Pk[:, lj, li] = PQcc[:, 0, sel]
                    wk = w[:, ix]
                    s1 = np.einsum("bq,bq->b", SQcc[:, 0, ix], wk)
                    s2 = np.einsum("bq,bqr,br->b", wk, Pk, wk)
                    sdq[:, k] = np.sqrt((s2 - s1 ** 2 / Nc) / (Nc - 1))
            wf = w / (sdq / math.sqrt(n / (n - 1)))[:, bo]
            # cor(Q, Y, use = "pairwise.complete.obs") for each item and its own LV
            xload = np.empty((B, self.p))
            for k in range(L):
                ix = self.bidx[k]
                s = sing[k]
                Nn, SQ, PQ, g = sq[k]
                a, bt = alpha[:, k, None], beta[:, k, None]
                Sy = np.einsum("gq,bg->bq", g.a, a * s["s"] * s["t"] + bt * Nn)
                Syy = np.einsum("gq,bg->bq", g.a, a * a * s["s"] ** 2 * s["qd"]
                                + 2 * a * bt * s["s"] * s["t"] + bt * bt * Nn)
                Sxy = (np.einsum("bg,bgq->bq", a * s["s"], s["Pu"])
                       + bt * SQ.sum(axis=1))
                Sx = SQ.sum(axis=1)
                Sxx = np.einsum("bgqq->bq", PQ)
                nj = nq[:, ix]
                cov = Sxy / nj - Sx / nj * Sy / nj
                vy = Syy / nj - (Sy / nj) ** 2
                vx = Sxx / nj - (Sx / nj) ** 2
                xload[:, ix] = cov / np.sqrt(vx * vy)
            sgn = np.sign(xload) @ m.odm
            flip = np.where(sgn <= 0, -1.0, 1.0)
            wf = wf * flip[:, bo]
            xload = xload * flip[:, bo]
            sumY = np.stack([s["sumY"] for s in sing], axis=1)
            M = (alpha[:, :, None] * alpha[:, None, :] * T
                 + alpha[:, :, None] * sumY[:, :, None] * beta[:, None, :]
                 + beta[:, :, None] * alpha[:, None, :] * sumY[:, None, :]
                 + N * beta[:, :, None] * beta[:, None, :])
            mean = (alpha * sumY + beta * N) / N
            cov = M / N - mean[:, :, None] * mean[:, None, :]
            dd = 1.0 / np.sqrt(np.einsum("bll->bl", cov))
            R = cov * dd[:, :, None] * dd[:, None, :] * flip[:, :, None] * flip[:, None, :]
            Pm = np.zeros((B, L, L))
            r2 = np.zeros((B, L))
            for k in m.endo:
                pr = m.preds[k]
                beta_k = np.linalg.solve(R[:, pr[:, None], pr[None, :]],
                                         R[:, pr, k][..., None])[..., 0]
                Pm[:, pr, k] = beta_k
                r2[:, k] = np.einsum("bj,bj->b", beta_k, R[:, pr, k])
            total = np.zeros_like(Pm)
            power = Pm.copy()
            for _ in range(L):
                total += power
                power = power @ Pm
        good = conv & np.all(np.isfinite(wf), axis=1)
        ok[idx] = good
        full = lambda a: np.zeros((Bt,) + a.shape[1:], dtype=a.dtype)  # noqa: E731
        out = dict(w=full(wf), load=full(xload), paths=np.zeros((Bt, len(m.path_idx))),
                   r2=np.zeros((Bt, len(m.endo))), total=np.zeros((Bt, len(m.pairs))),
                   mu=np.zeros((Bt, self.p)), sd=np.zeros((Bt, self.p)),
                   it=np.zeros(Bt, dtype=int))
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
        """Batched get_weights_nonmetric; returns the last weights (before plspm's final
        rescaling), the standardisation of the last scores, iterations and convergence."""
        m, n, L, bo = self.m, self.n, self.m.L, self.m.block_of
        N = float(n)
        B = c.shape[0]
        w0 = 1.0 / np.sqrt(np.bincount(bo, minlength=L)[bo])
        kappa = np.sqrt((nq - 1) / nq) / math.sqrt((n - 1) / n)   # get_treated_data
        u = kappa * w0
        v = np.broadcast_to(w0, (B, self.p)).copy()
        alpha, beta = np.ones((B, L)), np.zeros((B, L))            # the start is not standardised
        sing = self._singles_at(sq, u, v)
        fin_w, fin_a, fin_b = np.full((B, self.p), np.nan), np.ones((B, L)), np.zeros((B, L))
        iters = np.full(B, self.maxiter + 1)
        conv = np.zeros(B, dtype=bool)
        active = np.ones(B, dtype=bool)
        for it in range(1, self.maxiter + 2):
            T, outer = self._pairs_at(pq, tq, u, v, sing)
            sumY = np.stack([s["sumY"] for s in sing], axis=1)
            M = (alpha[:, :, None] * alpha[:, None, :] * T
                 + alpha[:, :, None] * sumY[:, :, None] * beta[:, None, :]
                 + beta[:, :, None] * alpha[:, None, :] * sumY[:, None, :]
                 + N * beta[:, :, None] * beta[:, None, :])
            mean = (alpha * sumY + beta * N) / N
            E = self._inner(M, mean, N)
            w = self._weights(E, alpha, beta, outer, nq)
            new = self._singles_at(sq, w, w)
            a1, b1 = self._standardise(new, N)
            U = self._bound(sq, sing, new, alpha, beta, a1, b1)
            stop = U < self.tol
            for b in np.flatnonzero(active & ~stop & (U < (1 + MARGIN) * self.tol)):
                crit = self._exact(c[b], delta[b], sd[b], (u[b], v[b], alpha[b], beta[b]),
                                   (w[b], w[b], a1[b], b1[b]))
                stop[b] = crit < self.tol
            done = active & stop
            fin_w[done], fin_a[done], fin_b[done] = w[done], a1[done], b1[done]
            iters[done] = it
            conv[done] = True
            active &= ~stop
            u, v, alpha, beta, sing = w, w, a1, b1, new
            if not active.any():
                break
        # resamples that did not converge keep the last iteration (rejected by the caller)
        fin_w[active], fin_a[active], fin_b[active] = u[active], alpha[active], beta[active]
        return fin_w, fin_a, fin_b, iters, conv


def bootstrap_na(Xraw, m, scheme, B, seed, tol, maxiter):
    """Draws of the NA-route bootstrap: the same resamples, in the same order, as
    refitting ``Xraw[rng.integers(0, n, size=n)]`` one after another (a resample with an
    item left without variance or with fewer than 3 answers, or that does not converge,
    is drawn again). Returns (dict of arrays with B rows, number redrawn)."""
    rng = np.random.default_rng(seed)
    n = Xraw.shape[0]
    eng = _Engine(Xraw, m, scheme, tol, maxiter)
    batch = int(min(256, max(16, BATCH_CELLS // n)))
    keep: dict = {}
    got, redrawn = 0, 0
    while got < B:
        b = min(batch, B - got)
        counts = np.empty((b, n))
        for j in range(b):
            counts[j] = np.bincount(rng.integers(0, n, size=n), minlength=n)
        out, ok = eng.run(counts)
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

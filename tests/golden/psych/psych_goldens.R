# Golden values for tests/test_reliability.py and tests/test_factors.py.
# Run from the repo root:  Rscript tests/golden/psych/psych_goldens.R
# Reads tests/golden/datasets/satisfaction.csv (R plspm's satisfaction data, 27 items) and
# tests/golden/psych/generated.csv (made by make_generated.py) and heywood.csv (six items
# whose correlations force a communality > 1); writes goldens.json here
# with the R, psych and GPArotation versions recorded inside ("meta").
suppressMessages({library(psych); library(GPArotation); library(jsonlite)})
out <- "tests/golden/psych/goldens.json"
options(mc.cores = 1)   # fa.parallel uses mclapply: one core makes set.seed reproducible

alpha_case <- function(x, keys = NULL) {
  a <- suppressWarnings(if (is.null(keys)) psych::alpha(x) else psych::alpha(x, keys = keys))
  s <- a$item.stats; d <- a$alpha.drop
  list(items = colnames(x), keys = if (is.null(keys)) list() else keys,
       raw_alpha = a$total$raw_alpha, std_alpha = a$total$std.alpha, average_r = a$total$average_r,
       item_names = colnames(x), mean = unname(s$mean), sd = unname(s$sd), r_drop = unname(s$r.drop),
       raw_r = unname(s$raw.r), std_r = unname(s$std.r), n = unname(s$n),
       alpha_drop = unname(d$raw_alpha), std_alpha_drop = unname(d$std.alpha))
}
fa_case <- function(x, nf, fm, rot) {
  f <- suppressWarnings(fa(x, nfactors = nf, fm = fm, rotate = rot))
  L <- unclass(f$loadings)
  list(nfactors = nf, fm = fm, rotate = rot, factor_names = colnames(L),
       loadings = unname(split(L, row(L))), communality = unname(f$communality),
       vaccounted = unname(split(f$Vaccounted, row(f$Vaccounted))), vaccounted_rows = rownames(f$Vaccounted),
       phi = if (is.null(f$Phi)) NULL else unname(split(f$Phi, row(f$Phi))),
       values = unname(f$values), e_values = unname(f$e.values))
}
analyse <- function(x, alphas, nf) {
  om <- suppressWarnings(suppressMessages(omega(x, nfactors = 3, plot = FALSE)))
  k <- KMO(x)
  b <- suppressMessages(cortest.bartlett(x))
  set.seed(20261123)
  p <- suppressWarnings(suppressMessages(fa.parallel(x, fa = "both", n.iter = 100, plot = FALSE)))
  nv <- ncol(x); V <- p$values
  list(
    items = colnames(x), n = nrow(x),
    alpha = alphas,
    omega = list(nfactors = 3, omega_total = om$omega.tot, omega_h = om$omega_h, alpha = om$alpha,
                 omega_lim = om$omega.lim, G6 = om$G6,
                 sl_g = unname(om$schmid$sl[, 1]), sl_h2 = unname(om$schmid$sl[, "h2"]),
                 sl_names = rownames(om$schmid$sl)),
    kmo = list(overall = k$MSA, per_item = unname(k$MSAi)),
    bartlett = list(chi2 = b$chisq, df = b$df, p_value = b$p.value),
    fa = list(fa_case(x, nf, "minres", "oblimin"), fa_case(x, nf, "ml", "varimax"),
              fa_case(x, nf, "pa", "promax"), fa_case(x, nf, "minres", "none"),
              fa_case(x, nf, "minres", "varimax"), fa_case(x, nf, "ml", "oblimin")),
    parallel = list(n_iter = 100, seed = 20261123, fa_values = p$fa.values, pc_values = p$pc.values,
                    nfact = p$nfact, ncomp = p$ncomp,
                    pc_sim_mean = colMeans(V[, (2 * nv + 1):(3 * nv)]),
                    fa_sim_mean = colMeans(V[, (3 * nv + 1):(4 * nv)]),
                    pc_sim_q95 = unname(apply(V[, (2 * nv + 1):(3 * nv)], 2, quantile, .95)),
                    fa_sim_q95 = unname(apply(V[, (3 * nv + 1):(4 * nv)], 2, quantile, .95)))
  )
}

sat <- read.csv("tests/golden/datasets/satisfaction.csv", row.names = 1)
sat <- sat[, setdiff(colnames(sat), "gender")]
gen <- read.csv("tests/golden/psych/generated.csv")
hey <- read.csv("tests/golden/psych/heywood.csv")   # written by tests/test_factors.py::_heywood_data
A <- c("a1", "a2", "a3", "a4", "a5r")
res <- list(
  meta = list(tool = "R psych", R = R.version.string, psych = as.character(packageVersion("psych")),
              GPArotation = as.character(packageVersion("GPArotation")),
              made = format(Sys.time(), "%Y-%m-%d %H:%M UTC", tz = "UTC"),
              script = "tests/golden/psych/psych_goldens.R"),
  satisfaction = analyse(sat, list(all = alpha_case(sat), imag = alpha_case(sat[, paste0("imag", 1:5)]),
                                   loy = alpha_case(sat[, paste0("loy", 1:4)])), 3),
  generated = analyse(gen, list(A_keyed = alpha_case(gen[, A], keys = "a5r"),
                                A_unkeyed = alpha_case(gen[, A]), all = alpha_case(gen),
                                C = alpha_case(gen[, paste0("c", 1:5)])), 3),
  heywood = lapply(c(minres = "minres", ml = "ml", pa = "pa"),
                   function(fm) unname(suppressWarnings(fa(hey, 1, fm = fm))$communality))
)
writeLines(toJSON(res, auto_unbox = TRUE, digits = NA, null = "null", pretty = TRUE), out)
cat("wrote", out, "\n")

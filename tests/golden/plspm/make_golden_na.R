# Golden values for csi_helpers.pls on data WITH MISSING VALUES, computed by R plspm's own
# estimation code (same route as make_golden.R: plspm cannot be installed here, so its
# internal R functions are sourced from a checkout of github.com/gastonstat/plspm).
#
# What plspm does with NA (read from its source, see PROVENANCE.md):
# * the default metric route (scaling = NULL -> get_weights) cannot handle NA: sd() of a
#   column with NA is NA and the iteration stops with "missing value where TRUE/FALSE
#   needed" (checked below);
# * NA are handled by the non-metric route get_weights_nonmetric() (Russolillo 2012),
#   which plspm takes whenever 'scaling' is given; scaling = "num" for every item is the
#   metric, standardised model. There, per block (mode A):
#     w_p = sum_i(x_ip z_i, available) / sum_i(z_i^2, i where x_ip available)
#     y_i = sum_p(x_ip w_p, available) / sum_p(w_p^2, p available in row i)
#   then y is standardised; loadings are cor(x, y, use = "pairwise.complete.obs").
#
# Usage: Rscript make_golden_na.R <dir with plspm R files> <satisfaction.csv>
# Writes: satisfaction_na.csv, na_cases.csv, na_golden.csv
args <- commandArgs(trailingOnly = TRUE)
src <- args[1]
satis_file <- args[2]
for (f in c("get_treated_data.r", "get_weights.R", "get_weights_nonmetric.r",
            "get_num_scale.r", "get_path_scheme.r", "get_paths.r", "get_effects.r",
            "get_gof.r", "get_inner_summary.r"))
  source(file.path(src, f))

# one-line helpers of plspm's dependency 'turner' and plspm's auxiliar.r, re-written
indexify <- function(blocks) rep(seq_along(blocks), lengths(blocks))
list_to_dummy <- function(blocks) {
  n <- lengths(blocks); to <- cumsum(n); from <- to - n + 1
  m <- matrix(0, sum(n), length(n))
  for (j in seq_along(n)) m[from[j]:to[j], j] <- 1
  m
}
from_to <- function(x) {
  n <- if (is.list(x)) lengths(x) else x
  list(from = cumsum(n) - n + 1, to = cumsum(n))
}
list_ones <- function(sizes) lapply(sizes, function(k) rep(1, k))
normalize <- function(x) x / sqrt(sum(x^2))
is_missing <- function(x) any(is.na(x))
list_to_matrix <- function(ws) {            # block-diagonal p x L matrix of the weights
  n <- lengths(ws); to <- cumsum(n); from <- to - n + 1
  m <- matrix(0, sum(n), length(n))
  for (j in seq_along(n)) m[from[j]:to[j], j] <- ws[[j]]
  m
}
get_dummies <- function(X, specs) vector("list", ncol(X))   # only used for nom / ord
get_metric <- function(scaling) is.null(scaling)

satis_paths <- rbind(c("IMAG","EXPE"), c("IMAG","SAT"), c("IMAG","LOY"), c("EXPE","QUAL"),
                     c("EXPE","VAL"), c("EXPE","SAT"), c("QUAL","VAL"), c("QUAL","SAT"),
                     c("VAL","SAT"), c("SAT","LOY"))
satis_lvs <- c("IMAG", "EXPE", "QUAL", "VAL", "SAT", "LOY")
pm <- matrix(0, 6, 6, dimnames = list(satis_lvs, satis_lvs))
for (r in seq_len(nrow(satis_paths))) pm[satis_paths[r, 2], satis_paths[r, 1]] <- 1
blocks <- list(1:5, 6:10, 11:15, 16:19, 20:23, 24:27)

# ---------------------------------------------------------------- data with NA
satis <- read.csv(satis_file, row.names = 1)
MV <- as.matrix(satis[, 1:27])
set.seed(20261123)
MV[matrix(runif(length(MV)) < 0.05, nrow(MV))] <- NA        # 5% of cells, completely at random
for (b in blocks) stopifnot(all(rowSums(!is.na(MV[, b])) > 0))
write.csv(MV, "satisfaction_na.csv", row.names = FALSE)

# the default (metric) route fails on NA
metric_err <- tryCatch({
  X <- get_treated_data(MV, list(scaling = NULL, scaled = TRUE))
  get_weights(X, pm, blocks, list(scaling = NULL, modes = rep("A", 6), scheme = "centroid",
                                  scaled = TRUE, tol = 1e-6, maxiter = 100))
  "no error"
}, error = function(e) conditionMessage(e))
cat("metric route on NA:", metric_err, "\n")

# ---------------------------------------------------------------- plspm() body, scaling "num"
run_case <- function(MV, path_matrix, blocks, scheme) {
  specs <- list(scaling = lapply(blocks, function(b) rep("num", length(b))),
                modes = rep("A", nrow(path_matrix)), scheme = scheme, scaled = TRUE,
                tol = 0.000001, maxiter = 100, plscomp = rep(1, length(blocks)))
  lvs <- nrow(path_matrix)
  X <- get_treated_data(MV, specs)
  weights <- get_weights_nonmetric(X, path_matrix, blocks, specs)
  stopifnot(!is.null(weights))
  LV <- weights$Y
  X <- weights$QQ
  colnames(X) <- colnames(MV)
  inner <- get_paths(path_matrix, LV)
  Path <- inner[[2]]; R2 <- inner[[3]]
  effects <- get_effects(Path)
  xloads <- cor(X, LV, use = "pairwise.complete.obs")
  loadings <- rowSums(xloads * weights$ODM)
  communality <- loadings^2
  R2_aux <- rowSums(weights$ODM %*% diag(R2, lvs, lvs))
  redundancy <- communality * R2_aux
  summ <- get_inner_summary(path_matrix, blocks, specs$modes, communality, redundancy, R2)
  gof <- get_gof(communality, R2, blocks, path_matrix)
  list(weights = weights, LV = LV, inner = inner, Path = Path, R2 = R2, effects = effects,
       loadings = loadings, communality = communality, redundancy = redundancy,
       summ = summ, gof = gof)
}

rows <- list()
add <- function(case, table, row, col, value)
  rows[[length(rows) + 1]] <<- data.frame(case = case, table = table, row = row, col = col,
                                          value = sprintf("%.17g", value))
cases <- list()
for (scheme in c("centroid", "path")) {
  case <- paste0("satisfaction_na_", scheme, "_scaled")
  res <- run_case(MV, pm, blocks, scheme)
  items <- colnames(MV)
  cases[[length(cases) + 1]] <- data.frame(case = case, data = "satisfaction_na",
                                           scheme = scheme, scaled = TRUE,
                                           iterations = res$weights$iter,
                                           gof = sprintf("%.17g", res$gof))
  for (i in seq_along(items)) {
    add(case, "outer", items[i], "weight", res$weights$w[i])
    add(case, "outer", items[i], "loading", res$loadings[i])
    add(case, "outer", items[i], "communality", res$communality[i])
    add(case, "outer", items[i], "redundancy", res$redundancy[i])
  }
  for (k in satis_lvs) {
    add(case, "inner_summary", k, "r2", res$summ[k, "R2"])
    add(case, "inner_summary", k, "block_communality", res$summ[k, "Block_Communality"])
    add(case, "inner_summary", k, "mean_redundancy", res$summ[k, "Mean_Redundancy"])
    add(case, "inner_summary", k, "ave", res$summ[k, "AVE"])
  }
  for (r in seq_len(nrow(satis_paths)))
    add(case, "paths", paste(satis_paths[r, 1], "->", satis_paths[r, 2]), "estimate",
        res$Path[satis_paths[r, 2], satis_paths[r, 1]])
  for (k in names(res$inner[[1]])) {
    co <- res$inner[[1]][[k]]
    for (p in rownames(co)[-1]) {
      add(case, "inner_model", paste(p, "->", k), "std_error", co[p, 2])
      add(case, "inner_model", paste(p, "->", k), "t_value", co[p, 3])
      add(case, "inner_model", paste(p, "->", k), "p_value", co[p, 4])
    }
  }
  for (r in seq_len(nrow(res$effects))) for (c in c("direct", "indirect", "total"))
    add(case, "effects", res$effects$relationships[r], c, res$effects[r, c])
  for (i in 1:10) for (k in satis_lvs) add(case, "scores", as.character(i), k, res$LV[i, k])
}
write.csv(do.call(rbind, cases), "na_cases.csv", row.names = FALSE)
write.csv(do.call(rbind, rows), "na_golden.csv", row.names = FALSE)
cat("R", R.version.string, "\n")

# Golden values for csi_helpers.pls, computed by R plspm's own estimation code.
#
# R plspm cannot be installed here (CRAN unreachable, no Debian package), so this script
# sources the package's internal R functions from a checkout of its source,
# github.com/gastonstat/plspm (files and commits listed in PROVENANCE.md), and runs them
# in the order plspm() runs them (R/plspm.R). Only two generic helpers of plspm's
# dependency 'turner' (indexify, list_to_dummy) and get_metric are re-written below.
#
# Usage: Rscript make_golden.R <dir with plspm R files> <satisfaction.csv>
# Writes: ecsi_sim.csv (generated data, set.seed below), cases.csv, golden.csv
args <- commandArgs(trailingOnly = TRUE)
src <- args[1]
satis_file <- args[2]
for (f in c("get_treated_data.r", "get_weights.R", "get_path_scheme.r", "get_scores.r",
            "get_paths.r", "get_effects.r", "get_gof.r", "get_inner_summary.r"))
  source(file.path(src, f))

indexify <- function(blocks) rep(seq_along(blocks), lengths(blocks))
list_to_dummy <- function(blocks) {
  n <- lengths(blocks); to <- cumsum(n); from <- to - n + 1
  m <- matrix(0, sum(n), length(n))
  for (j in seq_along(n)) m[from[j]:to[j], j] <- 1
  m
}
get_metric <- function(scaling) is.null(scaling)

# ---------------------------------------------------------------- generated ECSI data
set.seed(20261123)
n <- 300
lv_names <- c("IMAG", "EXPE", "QUAL", "VAL", "SAT", "COMP", "LOY")
IMAG <- rnorm(n)
EXPE <- 0.6 * IMAG + sqrt(1 - 0.36) * rnorm(n)
QUAL <- 0.7 * EXPE + sqrt(1 - 0.49) * rnorm(n)
VAL  <- 0.2 * EXPE + 0.6 * QUAL + 0.6 * rnorm(n)
SAT  <- 0.2 * IMAG + 0.1 * EXPE + 0.3 * QUAL + 0.4 * VAL + 0.5 * rnorm(n)
COMP <- -0.5 * SAT + sqrt(1 - 0.25) * rnorm(n)
LOY  <- 0.2 * IMAG + 0.5 * SAT - 0.2 * COMP + 0.7 * rnorm(n)
lv <- cbind(IMAG, EXPE, QUAL, VAL, SAT, COMP, LOY)
n_items <- c(IMAG = 4, EXPE = 3, QUAL = 5, VAL = 2, SAT = 3, COMP = 1, LOY = 3)
sim <- NULL
for (k in lv_names) {
  for (i in seq_len(n_items[k])) {
    lam <- runif(1, 0.6, 0.9)
    x <- lam * lv[, k] + sqrt(1 - lam^2) * rnorm(n)
    x <- pmin(10, pmax(1, round(7 + 1.6 * x)))          # 1-10 answers, skewed to agreement
    sim <- cbind(sim, x)
    colnames(sim)[ncol(sim)] <- paste0(tolower(k), i)
  }
}
write.csv(sim, "ecsi_sim.csv", row.names = FALSE)

ecsi_paths <- rbind(c("IMAG","EXPE"), c("IMAG","SAT"), c("IMAG","LOY"), c("EXPE","QUAL"),
                    c("EXPE","VAL"), c("EXPE","SAT"), c("QUAL","VAL"), c("QUAL","SAT"),
                    c("VAL","SAT"), c("SAT","COMP"), c("SAT","LOY"), c("COMP","LOY"))
satis_paths <- rbind(c("IMAG","EXPE"), c("IMAG","SAT"), c("IMAG","LOY"), c("EXPE","QUAL"),
                     c("EXPE","VAL"), c("EXPE","SAT"), c("QUAL","VAL"), c("QUAL","SAT"),
                     c("VAL","SAT"), c("SAT","LOY"))
make_pm <- function(lvs, paths) {
  pm <- matrix(0, length(lvs), length(lvs), dimnames = list(lvs, lvs))
  for (r in seq_len(nrow(paths))) pm[paths[r, 2], paths[r, 1]] <- 1   # row = to, col = from
  pm
}

# ---------------------------------------------------------------- plspm() body
run_case <- function(MV, path_matrix, blocks, scheme, scaled) {
  specs <- list(scaling = NULL, modes = rep("A", nrow(path_matrix)), scheme = scheme,
                scaled = scaled, tol = 0.000001, maxiter = 100)
  lvs <- nrow(path_matrix)
  X <- get_treated_data(MV, specs)
  weights <- get_weights(X, path_matrix, blocks, specs)
  stopifnot(!is.null(weights))
  LV <- get_scores(X, weights$W)
  inner <- get_paths(path_matrix, LV)
  Path <- inner[[2]]; R2 <- inner[[3]]
  effects <- get_effects(Path)
  xloads <- cor(X, LV)
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
record <- function(case, data_name, MV, lvs, paths, blocks, scheme, scaled) {
  pm <- make_pm(lvs, paths)
  res <- run_case(MV, pm, blocks, scheme, scaled)
  items <- colnames(MV)
  cases[[length(cases) + 1]] <<- data.frame(case = case, data = data_name, scheme = scheme,
                                            scaled = scaled, iterations = res$weights$iter,
                                            gof = sprintf("%.17g", res$gof))
  for (i in seq_along(items)) {
    add(case, "outer", items[i], "weight", res$weights$w[i])
    add(case, "outer", items[i], "loading", res$loadings[i])
    add(case, "outer", items[i], "communality", res$communality[i])
    add(case, "outer", items[i], "redundancy", res$redundancy[i])
  }
  for (k in lvs) {
    add(case, "inner_summary", k, "r2", res$summ[k, "R2"])
    add(case, "inner_summary", k, "block_communality", res$summ[k, "Block_Communality"])
    add(case, "inner_summary", k, "mean_redundancy", res$summ[k, "Mean_Redundancy"])
    add(case, "inner_summary", k, "ave", res$summ[k, "AVE"])
  }
  for (r in seq_len(nrow(paths)))
    add(case, "paths", paste(paths[r, 1], "->", paths[r, 2]), "estimate",
        res$Path[paths[r, 2], paths[r, 1]])
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
  for (i in 1:10) for (k in lvs) add(case, "scores", as.character(i), k, res$LV[i, k])
}

satis <- read.csv(satis_file, row.names = 1)
satis_lvs <- c("IMAG", "EXPE", "QUAL", "VAL", "SAT", "LOY")
satis_MV <- as.matrix(satis[, 1:27])
satis_blocks <- list(1:5, 6:10, 11:15, 16:19, 20:23, 24:27)
sim_blocks <- split(seq_len(ncol(sim)), rep(seq_along(n_items), n_items))
names(sim_blocks) <- NULL
for (scheme in c("centroid", "factorial", "path")) for (scaled in c(TRUE, FALSE)) {
  tag <- paste0(scheme, ifelse(scaled, "_scaled", "_raw"))
  record(paste0("satisfaction_", tag), "satisfaction", satis_MV, satis_lvs, satis_paths,
         satis_blocks, scheme, scaled)
  record(paste0("ecsi_sim_", tag), "ecsi_sim", sim, lv_names, ecsi_paths, sim_blocks,
         scheme, scaled)
}
write.csv(do.call(rbind, cases), "cases.csv", row.names = FALSE)
write.csv(do.call(rbind, rows), "golden.csv", row.names = FALSE)
cat("R", R.version.string, "\n")

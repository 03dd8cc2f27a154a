# Golden values for csi_helpers._cfa.cfa(missing = "ml"): full-information ML, from R lavaan.
# Run from the repo root:  Rscript tests/golden/lavaan/lavaan_fiml.R
# (the data with planted missing values come from make_fiml_data.py, seeds recorded there).
# Writes tests/golden/lavaan/<name>.json, one per fit:
#   holzinger_swineford_fiml            complete HolzingerSwineford1939 x1-x9, missing = "ml"
#   holzinger_swineford_missing_fiml    holzinger_swineford_missing.csv (MAR + MCAR + 2 empty rows)
#   holzinger_swineford_missing_listwise  the same data, lavaan's default (listwise)
#   holzinger_swineford_missing_single  speed measured by x7 alone (x7 ~~ 0*x7), missing = "ml"
#   holzinger_swineford_missing_x9      x9 also loading on visual, missing = "ml"
#   generated_fiml                      generated.csv (~1% MCAR cells), missing = "ml"
#   skip_logic_fiml                     skip_logic.csv (a 4-item block skipped by ~25%), missing = "ml"
#   skip_logic_listwise                 the same data, listwise
# Every value comes from lavaan::cfa(model, data, missing = "ml") with the other options at
# lavaan's defaults (ML; meanstructure TRUE; information "observed" (Hessian); H1 by EM with
# em.h1.tol 1e-5), fitMeasures(), parameterEstimates(standardized = TRUE), and
# lavInspect(): the EM (H1) moments "sampstat", the model-implied moments "implied", the
# pairwise "coverage" and the number of missing-data patterns.
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
here <- "tests/golden/lavaan"

model_syntax <- function(model, extra = NULL) {
  paste(c(sapply(names(model), function(f) paste(f, "=~", paste(model[[f]], collapse = " + "))),
          extra), collapse = "\n")
}

rows <- function(m) lapply(seq_len(nrow(m)), function(i) as.numeric(m[i, ]))

golden <- function(name, data, model, note, missing = "ml", extra = NULL) {
  syn <- model_syntax(model, extra)
  fit <- withCallingHandlers(
    cfa(syn, data = data, missing = missing),
    warning = function(w) { message(name, ": lavaan warning: ", conditionMessage(w)); invokeRestart("muffleWarning") })
  fm <- fitMeasures(fit)
  pe <- parameterEstimates(fit, standardized = TRUE)
  pe <- pe[, c("lhs", "op", "rhs", "est", "se", "z", "pvalue", "std.all")]
  items <- lavNames(fit, "ov")
  ss <- lavInspect(fit, "sampstat")
  imp <- lavInspect(fit, "implied")
  out <- list(
    dataset = name, note = note,
    tool = sprintf("R %s.%s, lavaan %s, jsonlite %s", R.version$major, R.version$minor,
                   packageVersion("lavaan"), packageVersion("jsonlite")),
    call = sprintf("cfa('%s', data%s); fitMeasures(fit); parameterEstimates(fit, standardized = TRUE); lavInspect(fit, 'sampstat' / 'implied' / 'coverage')",
                   gsub("\n", "; ", syn), if (missing == "ml") ", missing = 'ml'" else ""),
    options = lavInspect(fit, "options")[c("missing", "estimator", "information", "observed.information",
                                            "h1.information", "se", "meanstructure", "em.h1.tol", "em.h1.iter.max")],
    model = model, items = items,
    nobs_used = lavInspect(fit, "nobs"), nobs_total = nrow(data),
    converged = lavInspect(fit, "converged"),
    fit = as.list(unclass(fm)),
    estimates = pe,
    h1_cov = rows(unclass(ss$cov)),
    h1_mean = if (is.null(ss$mean)) NULL else as.numeric(ss$mean),
    implied_cov = rows(unclass(imp$cov)),
    implied_mean = if (is.null(imp$mean)) NULL else as.numeric(imp$mean)
  )
  if (missing == "ml") {
    out$npatterns <- nrow(lavInspect(fit, "patterns"))
    out$coverage <- rows(unclass(lavInspect(fit, "coverage")))
  }
  writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE),
             file.path(here, paste0(name, ".json")))
  cat(sprintf("%-40s n %d/%d chi2 %.4f df %d cfi %.4f rmsea %.4f srmr %.4f\n", name,
              lavInspect(fit, "nobs"), nrow(data), fm[["chisq"]], as.integer(fm[["df"]]),
              fm[["cfi"]], fm[["rmsea"]], fm[["srmr"]]))
}

hs_model <- list(visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6"), speed = c("x7", "x8", "x9"))
hs <- read.csv(file.path(here, "holzinger_swineford.csv"))
golden("holzinger_swineford_fiml", hs, hs_model,
       "lavaan::HolzingerSwineford1939, items x1-x9, complete data, missing = 'ml'")

hsm <- read.csv(file.path(here, "holzinger_swineford_missing.csv"))
note_hsm <- "holzinger_swineford_missing.csv (make_fiml_data.py, seed 20261201): HS x1-x9 with MAR (x2+x3 on x1, x8/x9 on x7), 4% MCAR, 2 empty rows"
golden("holzinger_swineford_missing_fiml", hsm, hs_model, note_hsm)
golden("holzinger_swineford_missing_listwise", hsm, hs_model, note_hsm, missing = "listwise")
golden("holzinger_swineford_missing_single", hsm,
       list(visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6"), speed = "x7"),
       paste(note_hsm, "; speed measured by x7 alone (x7 ~~ 0*x7)"), extra = "x7 ~~ 0*x7")
golden("holzinger_swineford_missing_x9", hsm,
       list(visual = c("x1", "x2", "x3", "x9"), textual = c("x4", "x5", "x6"), speed = c("x7", "x8", "x9")),
       paste(note_hsm, "; x9 loading on visual and speed"))

gen <- read.csv(file.path(here, "generated.csv"))
golden("generated_fiml", gen,
       list(A = paste0("a", 1:4), B = paste0("b", 1:4), C = paste0("c", 1:4)),
       "generated.csv (make_generated.py, seed 20261123; ~1% MCAR cells), missing = 'ml'")

skip <- read.csv(file.path(here, "skip_logic.csv"))
skip_model <- list(QUAL = paste0("qual", 1:4), SERV = paste0("serv", 1:4), SAT = paste0("sat", 1:3),
                   LOY = paste0("loy", 1:3))
note_skip <- "skip_logic.csv (make_fiml_data.py, seed 20261202): 600 x 14, 10-point answers; SERV block skipped together by ~25% (MAR on loy1), 1% MCAR"
golden("skip_logic_fiml", skip, skip_model, note_skip)
golden("skip_logic_listwise", skip, skip_model, note_skip, missing = "listwise")

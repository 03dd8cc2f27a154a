# Golden values for csi_helpers._cfa (cfa, validity) from R lavaan and semTools.
# Run from the repo root:  Rscript tests/golden/lavaan/lavaan_goldens.R
# Writes tests/golden/lavaan/<dataset>.json, one file per data set:
#   holzinger_swineford  lavaan's HolzingerSwineford1939 (public data shipped with lavaan;
#                        the 9 items are exported to holzinger_swineford.csv), classic 3-factor model
#   holzinger_swineford_x9  the same with x9 also loading on visual (cross-loading; no validity)
#   satisfaction         tests/golden/datasets/satisfaction.csv (R plspm's data), 6 factors
#   generated            generated.csv (make_generated.py, seeded, ~1% missing cells -> listwise)
# Every value comes from lavaan::cfa() with its defaults (ML, marker variable, listwise),
# fitMeasures(), parameterEstimates(standardized = TRUE), and semTools::htmt().
suppressPackageStartupMessages({library(lavaan); library(semTools); library(jsonlite)})
here <- "tests/golden/lavaan"

model_syntax <- function(model) {
  paste(sapply(names(model), function(f) paste(f, "=~", paste(model[[f]], collapse = " + "))),
        collapse = "\n")
}

golden <- function(name, data, model, note, with_validity = TRUE) {
  syn <- model_syntax(model)
  fit <- cfa(syn, data = data)
  fm <- fitMeasures(fit)
  pe <- parameterEstimates(fit, standardized = TRUE)
  pe <- pe[, c("lhs", "op", "rhs", "est", "se", "z", "pvalue", "std.all")]
  # validity by the formulas of Fornell & Larcker (1981) on standardised (std.all) estimates
  cr <- c(); ave <- c()
  for (f in names(model)) {
    lam <- pe$std.all[pe$op == "=~" & pe$lhs == f]
    th <- pe$std.all[pe$op == "~~" & pe$lhs %in% model[[f]] & pe$lhs == pe$rhs]
    cr[f] <- sum(lam)^2 / (sum(lam)^2 + sum(th))
    ave[f] <- mean(lam^2)
  }
  items <- unique(unlist(model, use.names = FALSE))
  if (!with_validity) {
    out <- list(dataset = name, note = note,
                tool = sprintf("R %s.%s, lavaan %s", R.version$major, R.version$minor, packageVersion("lavaan")),
                call = "cfa(model, data) with lavaan defaults; fitMeasures(fit); parameterEstimates(fit, standardized = TRUE)",
                model = model, nobs_used = lavInspect(fit, "nobs"), nobs_total = nrow(data),
                converged = lavInspect(fit, "converged"), fit = as.list(unclass(fm)), estimates = pe)
    writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), file.path(here, paste0(name, ".json")))
    cat(name, ": chi2", fm[["chisq"]], "df", fm[["df"]], "cfi", fm[["cfi"]], "srmr", fm[["srmr"]], "\n")
    return(invisible())
  }
  ht1 <- unclass(htmt(syn, data = data[, items], missing = "pairwise", htmt2 = FALSE))
  ht2 <- unclass(htmt(syn, data = data[, items], missing = "pairwise", htmt2 = TRUE))
  # the same HTMT from R's pairwise Pearson correlations (as psych uses)
  ht3 <- unclass(htmt(syn, sample.cov = cor(data[, items], use = "pairwise.complete.obs"),
                      htmt2 = FALSE))
  out <- list(
    dataset = name, note = note,
    tool = sprintf("R %s.%s, lavaan %s, semTools %s", R.version$major, R.version$minor,
                   packageVersion("lavaan"), packageVersion("semTools")),
    call = "cfa(model, data) with lavaan defaults; fitMeasures(fit); parameterEstimates(fit, standardized = TRUE); semTools::htmt(model, data, missing = 'pairwise', htmt2 = FALSE / TRUE); htmt_pearson = semTools::htmt(model, sample.cov = cor(data, use = 'pairwise.complete.obs'), htmt2 = FALSE)",
    model = model,
    nobs_used = lavInspect(fit, "nobs"), nobs_total = nrow(data),
    converged = lavInspect(fit, "converged"),
    fit = as.list(unclass(fm)),
    estimates = pe,
    cr = as.list(cr), ave = as.list(ave),
    htmt = lapply(seq_len(nrow(ht1)), function(i) as.numeric(ht1[i, ])),
    htmt2 = lapply(seq_len(nrow(ht2)), function(i) as.numeric(ht2[i, ])),
    htmt_pearson = lapply(seq_len(nrow(ht3)), function(i) as.numeric(ht3[i, ])),
    htmt_factors = rownames(ht1)
  )
  writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE),
             file.path(here, paste0(name, ".json")))
  cat(name, ": chi2", fm[["chisq"]], "df", fm[["df"]], "cfi", fm[["cfi"]], "srmr", fm[["srmr"]], "\n")
}

# 1. Holzinger-Swineford (public data shipped by lavaan)
hs <- HolzingerSwineford1939[, paste0("x", 1:9)]
write.csv(hs, file.path(here, "holzinger_swineford.csv"), row.names = FALSE)
golden("holzinger_swineford", hs,
       list(visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6"), speed = c("x7", "x8", "x9")),
       "lavaan::HolzingerSwineford1939, items x1-x9 (public data shipped with lavaan)")

# 1b. the same with the classic cross-loading of x9 on visual (an item in two factors)
golden("holzinger_swineford_x9", hs,
       list(visual = c("x1", "x2", "x3", "x9"), textual = c("x4", "x5", "x6"), speed = c("x7", "x8", "x9")),
       "lavaan::HolzingerSwineford1939, items x1-x9, x9 loading on visual and speed",
       with_validity = FALSE)

# 2. satisfaction (R plspm's data, committed in tests/golden/datasets with its licence)
sat_path <- file.path("tests", "golden", "datasets", "satisfaction.csv")
if (file.exists(sat_path)) {
  sat <- read.csv(sat_path, row.names = 1)
  golden("satisfaction", sat,
         list(IMAG = paste0("imag", 1:5), EXPE = paste0("expe", 1:5), QUAL = paste0("qual", 1:5),
              VAL = paste0("val", 1:4), SAT = paste0("sat", 1:4), LOY = paste0("loy", 1:4)),
         "tests/golden/datasets/satisfaction.csv (R plspm's satisfaction data), 6 factors")
}

# 3. generated data with missing values (listwise deletion is lavaan's default)
gen <- read.csv(file.path(here, "generated.csv"))
golden("generated", gen,
       list(A = paste0("a", 1:4), B = paste0("b", 1:4), C = paste0("c", 1:4)),
       "tests/golden/lavaan/generated.csv from make_generated.py (seeded; ~1% missing cells)")

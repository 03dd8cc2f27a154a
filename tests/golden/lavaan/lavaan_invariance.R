# Golden values for csi_helpers.factors.invariance: multi-group CFA as lavaan fits it.
# Run from the repo root: Rscript tests/golden/lavaan/lavaan_invariance.R
# Data: lavaan::HolzingerSwineford1939 (public, shipped with lavaan), items x1-x9 with
# school (2 groups: Pasteur, Grant-White) and school x sex (4 groups).
suppressMessages({library(lavaan); library(jsonlite)})
hs <- HolzingerSwineford1939
hs$school_sex <- paste(hs$school, ifelse(hs$sex == 1, "m", "f"))
write.csv(hs[, c("id", "school", "school_sex", paste0("x", 1:9))],
          "tests/golden/lavaan/holzinger_swineford_groups.csv", row.names = FALSE)
model <- "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9"
fm <- c("npar", "fmin", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi",
        "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr", "logl", "aic", "bic")
golden <- function(group, file) {
  fits <- list(
    configural = cfa(model, hs, group = group),
    metric = cfa(model, hs, group = group, group.equal = "loadings"),
    scalar = cfa(model, hs, group = group, group.equal = c("loadings", "intercepts")))
  lrt <- lavTestLRT(fits$configural, fits$metric, fits$scalar)
  out <- list(
    tool = "lavaan", lavaan = as.character(packageVersion("lavaan")),
    R = paste(R.version$major, R.version$minor, sep = "."),
    call = sprintf("cfa(model, HolzingerSwineford1939, group = '%s', group.equal = ...)", group),
    model = model, group = group,
    groups = lavInspect(fits$configural, "group.label"),
    n = as.list(setNames(lavInspect(fits$configural, "nobs"),
                         lavInspect(fits$configural, "group.label"))),
    fit = lapply(fits, function(f) as.list(fitMeasures(f, fm))),
    lrt = list(model = rownames(lrt), chisq_diff = lrt[["Chisq diff"]],
               df_diff = lrt[["Df diff"]], p = lrt[["Pr(>Chisq)"]]),
    estimates = lapply(fits, function(f) {
      pe <- parameterEstimates(f)
      pe[, c("lhs", "op", "rhs", "group", "est", "se")]
    }))
  write_json(out, file, digits = NA, auto_unbox = TRUE, pretty = TRUE)
}
golden("school", "tests/golden/lavaan/holzinger_swineford_invariance.json")
golden("school_sex", "tests/golden/lavaan/holzinger_swineford_invariance4.json")

# Golden values for a single-indicator factor in csi_helpers._cfa.cfa, from R lavaan.
# Run from the repo root:  Rscript tests/golden/lavaan/lavaan_single_item.R
# Holzinger-Swineford (holzinger_swineford.csv, public data shipped with lavaan): visual and
# textual with three items each, speed measured by x7 alone, fixed as lavaan users do:
# loading 1 (marker) and residual variance 0 (`x7 ~~ 0*x7`), so speed is x7.
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
here <- "tests/golden/lavaan"
hs <- read.csv(file.path(here, "holzinger_swineford.csv"))
syn <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7\nx7 ~~ 0*x7"
fit <- cfa(syn, data = hs)
fm <- fitMeasures(fit)
pe <- parameterEstimates(fit, standardized = TRUE)
pe <- pe[, c("lhs", "op", "rhs", "est", "se", "z", "pvalue", "std.all")]
out <- list(dataset = "holzinger_swineford_single",
            note = "lavaan::HolzingerSwineford1939; speed measured by x7 alone (x7 ~~ 0*x7)",
            tool = sprintf("R %s.%s, lavaan %s", R.version$major, R.version$minor, packageVersion("lavaan")),
            call = paste0("cfa('", gsub("\n", "; ", syn), "', data) with lavaan defaults; fitMeasures(fit); parameterEstimates(fit, standardized = TRUE)"),
            model = list(visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6"), speed = "x7"),
            nobs_used = lavInspect(fit, "nobs"), nobs_total = nrow(hs),
            converged = lavInspect(fit, "converged"), fit = as.list(unclass(fm)), estimates = pe)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE),
           file.path(here, "holzinger_swineford_single.json"))
cat("single: chi2", fm[["chisq"]], "df", fm[["df"]], "cfi", fm[["cfi"]], "rmsea", fm[["rmsea"]], "srmr", fm[["srmr"]], "\n")

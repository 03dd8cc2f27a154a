# Golden values for csi_helpers.tiering.satisfaction_by_tier: mean and 95% CI per tier
# as R's t.test (one-sample, two-sided). Run: cd tests/golden/tiering && Rscript ttest.R
x <- list(
  A = c(75, 80, 91.6666667, 58.3333333, 100, 66.6666667, 83.3333333),
  B = c(50, 62.5, 70, 41.6666667, 88),
  C = c(25, 33.3333333, 100, 0, 58.3333333, 66.6666667, 41.6666667, 75, 50, 8.3333333, 91.6666667)
)
out <- lapply(names(x), function(t) {
  r <- t.test(x[[t]], conf.level = 0.95)
  sprintf('"%s": {"n": %d, "mean": %.10f, "sd": %.10f, "ci_low": %.10f, "ci_high": %.10f}',
          t, length(x[[t]]), mean(x[[t]]), sd(x[[t]]), r$conf.int[1], r$conf.int[2])
})
cat(sprintf('{"tool": "%s, stats::t.test", %s}\n', R.version.string, paste(out, collapse = ", ")),
    file = "ttest.json")

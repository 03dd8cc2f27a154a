# Golden values for tests/test_indices.py (csi_helpers.indices).
# Run from the repo root:  Rscript tests/golden/indices/indices_goldens.R
# Writes tests/golden/indices/survey.csv (the generated survey, 1..5 answers with gaps)
# and tests/golden/indices/goldens.json (R and psych versions recorded inside).
suppressMessages({library(psych); library(jsonlite)})
set.seed(20261123)
n <- 240
out_dir <- "tests/golden/indices"
lik <- function(z) pmin(5, pmax(1, round(3.4 + z)))
q <- rnorm(n); v <- 0.5 * q + rnorm(n, sd = 0.9); s <- 0.5 * q + 0.3 * v + rnorm(n, sd = 0.7)
d <- data.frame(
  respondent_id = sprintf("R%04d", 1:n),
  region = sample(c("North", "South", "East"), n, replace = TRUE, prob = c(.4, .35, .25)),
  Q1 = lik(q + rnorm(n, sd = .8)), Q2 = lik(q + rnorm(n, sd = .9)),
  Q3 = lik(-q + rnorm(n, sd = 1)),             # reverse-keyed item
  Q4 = lik(v + rnorm(n, sd = .8)),
  Q5 = lik(s + rnorm(n, sd = .6)), Q6 = lik(s + rnorm(n, sd = .8)),
  Q7 = lik(-0.6 * s + rnorm(n, sd = 1)),
  Q8 = lik(0.7 * s + rnorm(n, sd = .9)))
d$Q5_compA <- lik(0.3 * s - 0.3 + rnorm(n, sd = 1))
items <- paste0("Q", 1:8)
for (it in c(items, "Q5_compA")) d[[it]][sample(n, if (it == "Q5_compA") 40 else 12)] <- NA
d$region[sample(n, 5)] <- NA
write.csv(d, file.path(out_dir, "survey.csv"), row.names = FALSE, na = "")

keyed <- d[, items]; keyed$Q3 <- 6 - keyed$Q3
desc <- psych::describe(keyed)                 # skew type 3 (default)
pos <- 100 * (keyed - 1) / 4
wmean <- function(m) { m <- as.matrix(m); rowMeans(m, na.rm = TRUE) }
fix <- function(x) ifelse(is.nan(x), NA, x)
A1 <- fix(wmean(pos[, c("Q1", "Q2")])); A2 <- pos$Q3; V1 <- pos$Q4
S1 <- fix(wmean(pos[, c("Q5", "Q6")])); C1 <- pos$Q7; L1 <- pos$Q8
QUAL <- fix(rowMeans(cbind(A1, A2), na.rm = TRUE)); VAL <- V1; SAT <- S1; COMP <- C1; LOY <- L1
item_score <- colMeans(pos, na.rm = TRUE)
ind_score <- c(A1 = mean(item_score[c("Q1", "Q2")]), A2 = item_score[["Q3"]], V1 = item_score[["Q4"]],
               S1 = mean(item_score[c("Q5", "Q6")]), C1 = item_score[["Q7"]], L1 = item_score[["Q8"]])
lv_score <- c(QUAL = mean(ind_score[c("A1", "A2")]), VAL = ind_score[["V1"]], SAT = ind_score[["S1"]],
              COMP = ind_score[["C1"]], LOY = ind_score[["L1"]])
csi_equal_resp <- fix(rowMeans(cbind(QUAL, VAL, SAT, LOY), na.rm = TRUE))
ci <- function(x) { x <- x[!is.na(x)]; t <- t.test(x); list(n = length(x), mean = mean(x), sd = sd(x),
                    ci_low = t$conf.int[1], ci_high = t$conf.int[2]) }
seg <- list()
for (r in sort(unique(na.omit(d$region)))) {
  w <- which(d$region == r)
  seg[[r]] <- list(SAT = ci(SAT[w]), QUAL = ci(QUAL[w]))
}
seg[["all"]] <- list(SAT = ci(SAT), QUAL = ci(QUAL))
cl <- pos$Q5; rv <- 100 * (d$Q5_compA - 1) / 4
ok <- !is.na(cl) & !is.na(rv)
pt <- t.test(cl[ok], rv[ok], paired = TRUE)
al <- psych::alpha(keyed[, c("Q1", "Q2", "Q3")], check.keys = FALSE, warnings = FALSE)
al_sat <- psych::alpha(keyed[, c("Q5", "Q6")], check.keys = FALSE, warnings = FALSE)
res <- list(
  tool = list(R = R.version.string, psych = as.character(packageVersion("psych"))),
  describe = lapply(setNames(items, items), function(it) list(
    n = desc[it, "n"], mean = desc[it, "mean"], sd = desc[it, "sd"], skew = desc[it, "skew"],
    top2_pct = 100 * mean(keyed[[it]][!is.na(keyed[[it]])] >= 4))),
  item_score = as.list(item_score), indicator_score = as.list(ind_score), lv_score = as.list(lv_score),
  csi_equal = mean(lv_score[c("QUAL", "VAL", "SAT", "LOY")]),
  csi_equal_respondent_mean = mean(csi_equal_resp, na.rm = TRUE),
  importance_sat = list(A1 = cor(A1, SAT, use = "pairwise.complete.obs"),
                        A2 = cor(A2, SAT, use = "pairwise.complete.obs"),
                        V1 = cor(V1, SAT, use = "pairwise.complete.obs")),
  importance_q5 = list(A1 = cor(A1, pos$Q5, use = "pairwise.complete.obs"),
                       V1 = cor(V1, pos$Q5, use = "pairwise.complete.obs")),
  alpha = list(QUAL = list(alpha = al$total$raw_alpha, std_alpha = al$total$std.alpha,
                            r_drop = as.list(setNames(al$item.stats$r.drop, rownames(al$item.stats))),
                            alpha_if_deleted = as.list(setNames(al$alpha.drop$raw_alpha, rownames(al$alpha.drop)))),
               SAT = list(alpha = al_sat$total$raw_alpha, std_alpha = al_sat$total$std.alpha)),
  segments = seg,
  competitor = list(client = ci(cl), rival = ci(rv),
                    paired = list(n = sum(ok), difference = unname(pt$estimate), ci_low = pt$conf.int[1],
                                  ci_high = pt$conf.int[2], p_value = pt$p.value)))
writeLines(toJSON(res, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(out_dir, "goldens.json"))

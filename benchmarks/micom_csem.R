# MICOM of the extended corporate-reputation model, postpaid (servicetype 1, 125 respondents) vs prepaid
# (servicetype 2, 219), by cSEM's testMICOM: the reference numbers pinned in tests/test_survey_micom.py
# (test_correctness_micom_equals_csem_testmicom_servicetype).
#
# Run (3 December 2026): R 4.2.2 (Debian r-base-core) with cSEM 0.6.1.9000, the GitHub snapshot
# FloSchuberth/cSEM at commit 1aa2be56 installed by `R CMD INSTALL` from source; its Imports from Debian's
# r-cran-* packages, except alabama, symmoments and TruncatedNormal (not packaged, no CRAN access here),
# dropped from DESCRIPTION: they are called (with ::) only by GSCAm, nonlinear models and predict(), not by
# PLS or testMICOM. The data: crmlib's corp_rep with every missing answer replaced by the item mean of all 344
# respondents, written by
#   python -c "from crmlib.datasets import load_corp_rep; from crmlib.survey import read_model; \
#     pm = read_model('reputation_extended'); d = load_corp_rep().data; x = d[pm.items].astype(float); \
#     x = x.fillna(x.mean()); x['servicetype'] = d['servicetype'].astype(int); x.to_csv('corp_ext.csv', index=False)"
# then: Rscript benchmarks/micom_csem.R corp_ext.csv
#
# Two things about this cSEM version that the test accounts for:
# - step 3 assigns the pooled scores to the groups by position (rows of group 1 first), so the rows are sorted
#   by group here (cSEM issue #632, fixed upstream in August 2026 after this snapshot);
# - step 2 applies each group's weights (for standardised items) to the pooled items *unstandardised*, so its c
#   differs from c on the standardised pooled items (crmlib, and Henseler et al. 2016's composites of
#   standardised indicators) for composites of several items; both are printed.
suppressMessages(library(cSEM))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(if (length(args)) args[1] else "corp_ext.csv")
d <- d[order(d$servicetype, seq_len(nrow(d))), ]
model <- "
COMP ~ QUAL + PERF + CSOR + ATTR
LIKE ~ QUAL + PERF + CSOR + ATTR
CUSA ~ COMP + LIKE
CUSL ~ COMP + LIKE + CUSA
QUAL <~ qual_1 + qual_2 + qual_3 + qual_4 + qual_5 + qual_6 + qual_7 + qual_8
PERF <~ perf_1 + perf_2 + perf_3 + perf_4 + perf_5
CSOR <~ csor_1 + csor_2 + csor_3 + csor_4 + csor_5
ATTR <~ attr_1 + attr_2 + attr_3
COMP =~ comp_1 + comp_2 + comp_3
LIKE =~ like_1 + like_2 + like_3
CUSA =~ cusa
CUSL =~ cusl_1 + cusl_2 + cusl_3
"
res <- csem(.data = d, .model = model, .id = "servicetype", .disattenuate = FALSE,
            .tolerance = 1e-12, .iter_max = 1000, .PLS_weight_scheme_inner = "path")
set.seed(1)  # this snapshot's testMICOM reads .Random.seed before drawing
m <- testMICOM(res, .R = 50, .seed = 1406, .verbose = FALSE)
options(digits = 16)
cat("group 1 paths\n"); print(res[[1]]$Estimates$Path_estimates[c("COMP", "LIKE"), c("QUAL", "PERF")])
cat("step 2 c (cSEM: weights applied to the unstandardised pooled items)\n"); print(m$Step2$Test_statistic[[1]])
W1 <- res[[1]]$Estimates$Weight_estimates
W2 <- res[[2]]$Estimates$Weight_estimates
Z <- scale(as.matrix(d[, colnames(W1)]))
cat("c with the pooled items standardised\n"); print(diag(cor(Z %*% t(W1), Z %*% t(W2))))
cat("step 3 mean difference\n"); print(m$Step3$Mean$Test_statistic[[1]])
cat("step 3 log variance ratio\n"); print(m$Step3$Var$Test_statistic[[1]])

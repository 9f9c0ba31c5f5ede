"""Goldens for StudentTTest: scipy's Student t (an independent implementation). Run: python3 student_t_goldens.py"""
from scipy import stats

for df in [1, 2, 3, 4, 5, 6, 7, 9, 10, 19, 30, 99]:
    print(f"quantile df={df}: {stats.t.ppf(0.975, df)!r}")
for t, df in [(0.5, 1), (1.3, 4), (2.0, 7), (0.7, 10), (3.1, 15)]:
    print(f"P(|T| <= {t}) df={df}: {stats.t.cdf(t, df) - stats.t.cdf(-t, df)!r}")

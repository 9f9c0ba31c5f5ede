/**
 * Statistics shared by the reports: mean and standard deviation over seeds, Student t intervals of
 * the mean (sweeps), bootstrap confidence intervals over seeds and held-out tasks, paired
 * differences and the verdict read from them, and the median the benchmarks report.
 */
package sdpo4j.stats;

package sdpo4j.stats;

/**
 * How a method compares with a baseline, read off the confidence interval of their paired
 * difference (method minus baseline, larger is better): better when the whole interval is above
 * zero, worse when it is below, otherwise not distinguishable with the seeds and tasks measured.
 */
public enum Verdict {
    BETTER("better"),
    WORSE("worse"),
    NOT_DISTINGUISHABLE("not distinguishable at this budget");

    private final String label;

    Verdict(String label) {
        this.label = label;
    }

    public static Verdict of(Interval difference) {
        if (difference.lo() > 0) {
            return BETTER;
        }
        if (difference.hi() < 0) {
            return WORSE;
        }
        return NOT_DISTINGUISHABLE;
    }

    public String label() {
        return label;
    }
}

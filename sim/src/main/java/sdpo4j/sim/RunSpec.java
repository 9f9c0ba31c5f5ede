package sdpo4j.sim;

/**
 * One simulated training run: a cell of an experiment set for one seed.
 *
 * @param set experiment set it belongs to
 * @param method the objective
 * @param feedback oracle type
 * @param sigma Gaussian feedback noise std
 * @param bias judge bias (extension 1): the judge believes the world's worst token is
 *     better by this much at every position, in its score and in the feedback the teacher
 *     reads; 0 = an unbiased judge
 * @param learnFromJudge reward-based objectives learn from the judge's score instead of the
 *     true reward (the paper's baselines see the true reward)
 * @param entropyBonus coefficient of an entropy bonus (extension 2); 0 = none
 * @param teacherTemperature divides the teacher logits (extension 2); 1 = the paper's teacher
 * @param seed world and sampling seed
 */
public record RunSpec(
        String set, SimMethod method, FeedbackType feedback, double sigma, double bias, boolean learnFromJudge,
        double entropyBonus, double teacherTemperature, long seed) {

    /** The cell this run is a seed of: everything but the seed. */
    public String cell() {
        return set + "|" + settings();
    }

    /**
     * What determines the run's numbers: everything but the set. Two sets that share a run
     * (the noise sweep's sigma 0 and the method-feedback table's continuous column) share it.
     */
    public String identity() {
        return settings() + "|" + seed;
    }

    private String settings() {
        return method + "|" + feedback + "|" + sigma + "|" + bias + "|" + learnFromJudge + "|" + entropyBonus + "|" + teacherTemperature;
    }
}

package sdpo4j.optim;

/** Where GRPO's importance ratio is taken (TRL's {@code importance_sampling_level}). */
public enum ImportanceSampling {
    /** One ratio per token, {@code exp(log p - log p_old)} (PPO's, the default). */
    TOKEN,
    /**
     * One ratio per response, the exponential of its token-mean log-ratio, shared by its tokens and
     * clipped as one (GSPO).
     */
    SEQUENCE
}

package sdpo4j.lm.model;

/** The decoder families the backend implements: each has its file in {@code sdpo4j.lm.model.family}. */
public enum Architecture {
    /** Learned positions, LayerNorm, tanh-GELU MLP, fused Conv1D attention, tied head ({@code family.Gpt2}). */
    GPT2,
    /** RMSNorm, RoPE, SwiGLU, grouped-query attention; Llama, Qwen2 (q/k/v bias), SmolLM ({@code family.Llama}). */
    LLAMA,
    /** Llama with an RMSNorm on each head of q and k and a head dimension of its own ({@code family.Qwen3}). */
    QWEN3
}

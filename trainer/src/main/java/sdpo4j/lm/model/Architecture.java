package sdpo4j.lm.model;

/** The decoder families the backend implements: each has its file in {@code sdpo4j.lm.model.family}. */
public enum Architecture {
    /** Learned positions, LayerNorm, tanh-GELU MLP, fused Conv1D attention, tied head ({@code family.Gpt2}). */
    GPT2,
    /** RMSNorm, RoPE, SwiGLU, grouped-query attention; Llama, Qwen2 (q/k/v bias), SmolLM ({@code family.Llama}). */
    LLAMA,
    /** Llama with an RMSNorm on each head of q and k and a head dimension of its own ({@code family.Qwen3}). */
    QWEN3,
    /** Llama with a sliding window on every layer ({@code family.Mistral}). */
    MISTRAL,
    /** Gemma 3's text decoder: sandwich (1 + w) norms, GeGLU, alternating sliding and global layers ({@code family.Gemma3}). */
    GEMMA3,
    /** Norms after attention and MLP instead of before, q/k norms over the whole projection ({@code family.Olmo2}). */
    OLMO2,
    /** Llama with fused q/k/v and gate/up projections and an optional sliding window ({@code family.Phi3}). */
    PHI3
}

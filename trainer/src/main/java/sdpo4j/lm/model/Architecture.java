package sdpo4j.lm.model;

/** The decoder families the backend implements. */
public enum Architecture {
    /** Learned positions, LayerNorm, tanh-GELU MLP, fused Conv1D attention, tied head. */
    GPT2,
    /** RMSNorm, RoPE, SwiGLU, grouped-query attention; Llama, Qwen2 (q/k/v bias), SmolLM. */
    LLAMA
}

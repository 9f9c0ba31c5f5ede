package sdpo4j.lm.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import sdpo4j.lm.model.family.Families;

/**
 * The tensors a family's spec implies, in HuggingFace's checkpoint order (which {@code initialise}'s
 * random draws also follow), and the spec's own checks.
 */
class DecoderSpecTest {

    @Test
    void gpt2TensorsInCheckpointOrder() {
        List<String> names = new ArrayList<>(DecoderLM.expectedShapes(GoldenModels.config("gpt2")).keySet());
        assertEquals(List.of("transformer.wte.weight", "transformer.wpe.weight", "transformer.h.0.ln_1.weight",
                "transformer.h.0.ln_1.bias", "transformer.h.0.attn.c_attn.weight", "transformer.h.0.attn.c_attn.bias",
                "transformer.h.0.attn.c_proj.weight", "transformer.h.0.attn.c_proj.bias", "transformer.h.0.ln_2.weight",
                "transformer.h.0.ln_2.bias", "transformer.h.0.mlp.c_fc.weight", "transformer.h.0.mlp.c_fc.bias",
                "transformer.h.0.mlp.c_proj.weight", "transformer.h.0.mlp.c_proj.bias"), names.subList(0, 14));
        assertEquals(List.of("transformer.ln_f.weight", "transformer.ln_f.bias"), names.subList(names.size() - 2, names.size()));
        assertEquals(2 + 2 * 12 + 2, names.size());
    }

    @Test
    void qwen2TensorsInCheckpointOrderWithUntiedHeadLast() {
        List<String> names = new ArrayList<>(DecoderLM.expectedShapes(GoldenModels.config("qwen2-bias")).keySet());
        String p = "model.layers.0.";
        assertEquals(List.of("model.embed_tokens.weight", p + "input_layernorm.weight", p + "self_attn.q_proj.weight",
                p + "self_attn.k_proj.weight", p + "self_attn.v_proj.weight", p + "self_attn.q_proj.bias",
                p + "self_attn.k_proj.bias", p + "self_attn.v_proj.bias", p + "self_attn.o_proj.weight",
                p + "post_attention_layernorm.weight", p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight",
                p + "mlp.down_proj.weight"), names.subList(0, 13));
        assertEquals("model.norm.weight", names.get(names.size() - 1));
        List<String> untied = new ArrayList<>(DecoderLM.expectedShapes(GoldenModels.config("llama-gqa")).keySet());
        assertEquals("lm_head.weight", untied.get(untied.size() - 1));
    }

    @Test
    void newerFamiliesTensorsInForwardOrder() {
        String p = "model.layers.0.";
        List<String> qwen3 = new ArrayList<>(DecoderLM.expectedShapes(GoldenModels.config("qwen3")).keySet());
        assertEquals(List.of("model.embed_tokens.weight", p + "input_layernorm.weight", p + "self_attn.q_proj.weight",
                p + "self_attn.k_proj.weight", p + "self_attn.v_proj.weight", p + "self_attn.q_norm.weight",
                p + "self_attn.k_norm.weight", p + "self_attn.o_proj.weight", p + "post_attention_layernorm.weight",
                p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight", p + "mlp.down_proj.weight"), qwen3.subList(0, 12));
        List<String> gemma3 = new ArrayList<>(DecoderLM.expectedShapes(GoldenModels.config("gemma3")).keySet());
        assertEquals(List.of(p + "self_attn.o_proj.weight", p + "post_attention_layernorm.weight",
                p + "pre_feedforward_layernorm.weight", p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight",
                p + "mlp.down_proj.weight", p + "post_feedforward_layernorm.weight"), gemma3.subList(7, 14));
        List<String> olmo2 = new ArrayList<>(DecoderLM.expectedShapes(GoldenModels.config("olmo2")).keySet());
        assertEquals(List.of("model.embed_tokens.weight", p + "self_attn.q_proj.weight"), olmo2.subList(0, 2));
        List<String> phi3 = new ArrayList<>(DecoderLM.expectedShapes(GoldenModels.config("phi3-window")).keySet());
        assertEquals(List.of("model.embed_tokens.weight", p + "input_layernorm.weight", p + "self_attn.qkv_proj.weight",
                p + "self_attn.o_proj.weight", p + "post_attention_layernorm.weight", p + "mlp.gate_up_proj.weight",
                p + "mlp.down_proj.weight"), phi3.subList(0, 7));
    }

    @Test
    void initialiseStartsOnePlusWeightNormsAtZero() {
        try (NDManager m = NDManager.newBaseManager()) {
            DecoderLM gemma3 = DecoderLM.initialise(GoldenModels.config("gemma3"), m, 1);
            for (String norm : List.of("model.norm.weight", "model.layers.2.post_feedforward_layernorm.weight",
                    "model.layers.0.self_attn.k_norm.weight")) {
                assertEquals(0f, gemma3.parameters().get(norm).abs().sum().getFloat(), norm);
            }
            DecoderLM olmo2 = DecoderLM.initialise(GoldenModels.config("olmo2"), m, 1);
            assertEquals(32f, olmo2.parameters().get("model.layers.1.self_attn.q_norm.weight").sum().getFloat());
        }
    }

    @Test
    void initialiseSetsNormWeightsToOneAndBiasesToZero() {
        try (NDManager m = NDManager.newBaseManager()) {
            DecoderLM gpt2 = DecoderLM.initialise(GoldenModels.config("gpt2"), m, 1);
            assertArrayEquals(m.ones(new ai.djl.ndarray.types.Shape(24)).toFloatArray(),
                    gpt2.parameters().get("transformer.h.1.ln_2.weight").toFloatArray());
            assertEquals(0f, gpt2.parameters().get("transformer.h.1.ln_2.bias").abs().sum().getFloat());
            assertEquals(0f, gpt2.parameters().get("transformer.h.0.attn.c_attn.bias").abs().sum().getFloat());
            assertTrue(gpt2.parameters().get("transformer.h.0.attn.c_attn.weight").abs().sum().getFloat() > 0);
            DecoderLM llama = DecoderLM.initialise(GoldenModels.config("llama-gqa"), m, 1);
            assertEquals(32f, llama.parameters().get("model.norm.weight").sum().getFloat());
            assertEquals(32f, llama.parameters().get("model.layers.1.post_attention_layernorm.weight").sum().getFloat());
        }
    }

    @Test
    void namesMustMatchTheKindsTheyName() {
        DecoderSpec llama = Families.describe(GoldenModels.config("llama-gqa"));
        DecoderSpec.Names n = llama.names();
        DecoderSpec.Names twoProjections = new DecoderSpec.Names(n.embedding(), n.head(), n.finalNorm(), n.layers(),
                n.inputNorm(), n.qkv().subList(0, 2), n.out(), n.postNorm(), n.mlp(), n.optionalPrefix(), n.buffers());
        String msg = assertThrows(ModelException.class, () -> new DecoderSpec(llama.norm(), llama.layout(), false,
                llama.qkvBias(), llama.outBias(), llama.mlp(), llama.mlpBias(), llama.positions(), llama.tiedEmbeddings(),
                twoProjections)).getMessage();
        assertTrue(msg.contains("three projections"), msg);
        msg = assertThrows(ModelException.class, () -> new DecoderSpec(llama.norm(), llama.layout(), false, llama.qkvBias(),
                llama.outBias(), DecoderSpec.Mlp.GELU_TANH, llama.mlpBias(), llama.positions(), llama.tiedEmbeddings(), n))
                .getMessage();
        assertTrue(msg.contains("GELU_TANH"), msg);
    }
}

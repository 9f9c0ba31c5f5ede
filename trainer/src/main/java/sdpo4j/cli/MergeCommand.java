package sdpo4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import sdpo4j.lm.lora.LoraAdapters;
import sdpo4j.lm.lora.PeftAdapters;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.weights.HfCheckpoint;

/** {@code sdpo4j merge BASE_DIR ADAPTER_DIR OUT_DIR}: base + LoRA adapters as one HuggingFace checkpoint. */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = {"Merge LoRA adapters (a PEFT directory: adapter_config.json, adapter_model.safetensors, as train "
                + "writes with lora.rank > 0) into their base model and write the result as a HuggingFace model directory "
                + "(config, weights, the base's tokenizer files). Each adapted weight becomes W + (lora_alpha / r) B A."})
public final class MergeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "BASE_DIR", description = "The base model the adapters were trained on.")
    Path base;

    @Parameters(index = "1", paramLabel = "ADAPTER_DIR", description = "The PEFT adapter directory.")
    Path adapters;

    @Parameters(index = "2", paramLabel = "OUT_DIR", description = "Where the merged model goes (replaced if present).")
    Path out;

    @Override
    public Integer call() {
        try (NDManager m = NDManager.newBaseManager()) {
            DecoderLM model = HfCheckpoint.load(base, m);
            LoraAdapters a = PeftAdapters.load(model, adapters, m);
            HfCheckpoint.save(a.merge(model, m), out, base);
            System.out.println("merged " + a.stems().size() + " adapted projections (r " + a.rank() + ", alpha "
                    + a.alpha() + ") into " + out);
        }
        return 0;
    }
}

package sdpo4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sdpo4j.lm.text.ChatOptions;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.model.ModelConfig;
import sdpo4j.lm.decoding.Generation;
import sdpo4j.lm.decoding.GenerationDefaults;
import sdpo4j.lm.decoding.Generator;
import sdpo4j.lm.weights.HfCheckpoint;
import sdpo4j.lm.decoding.SamplingConfig;
import sdpo4j.lm.text.Tokenizer;

/** {@code sdpo4j generate}: sample continuations from a model directory. */
@Command(name = "generate", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Sample continuations of prompts from a HuggingFace model directory (offline, KV cache).")
public final class GenerateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL_DIR", description = "HuggingFace model directory.")
    Path modelDir;

    @Parameters(index = "1..*", paramLabel = "PROMPT", description = "Prompts (one sequence each).")
    List<String> prompts = new ArrayList<>();

    @Option(names = "--chat", description = "Wrap each prompt as a user turn of the model's chat template.")
    boolean chat;

    @Option(names = "--system", paramLabel = "TEXT", description = "With --chat: a system turn before each prompt.")
    String system;

    @Option(names = "--var", paramLabel = "NAME=VALUE", description = "With --chat: an extra template variable, e.g. "
            + "enable_thinking=false; VALUE is read as JSON when it is JSON, else as a string (repeatable).")
    List<String> vars = new ArrayList<>();

    // Null when not given: the model's generation_config.json decides, then SamplingConfig's defaults.
    @Option(names = "--temperature", description = "0 = greedy. Default: generation_config.json's (greedy when its "
            + "do_sample is false), else 1.0.")
    Double temperature;

    @Option(names = "--top-k", description = "0 = no top-k. Default: generation_config.json's, else 0.")
    Integer topK;

    @Option(names = "--top-p", description = "1 = no nucleus cut. Default: generation_config.json's, else 1.0.")
    Double topP;

    @Option(names = "--max-new-tokens", description = "Tokens per sequence at most. Default: generation_config.json's "
            + "max_new_tokens, else 64.")
    Integer maxNewTokens;

    @Option(names = "--stop", description = "Stop string (repeatable).")
    List<String> stop = new ArrayList<>();

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed.")
    long seed;

    @Override
    public Integer call() {
        if (prompts.isEmpty()) {
            throw new sdpo4j.config.ConfigException("PROMPT", null, "at least one prompt");
        }
        List<String> sources = new ArrayList<>();
        SamplingConfig cfg = GenerationDefaults.read(modelDir)
                .resolve(temperature, topK, topP, maxNewTokens, SamplingConfig.builder().build(), sources)
                .stopStrings(stop).seed(seed).build();
        System.err.println(GenerationDefaults.describe(sources));
        if (!chat && (system != null || !vars.isEmpty())) {
            throw new sdpo4j.config.ConfigException(system != null ? "--system" : "--var", system != null ? system : vars.get(0),
                    "only with --chat (a plain prompt has no template to put it in)");
        }
        ChatOptions options = new ChatOptions(system, ChatOptions.parseVariables("--var", vars));
        try (NDManager m = NDManager.newBaseManager()) {
            try (Tokenizer tok = Tokenizer.load(modelDir, ModelConfig.read(modelDir), options)) {
                DecoderLM model = HfCheckpoint.load(modelDir, m);
                List<long[]> ids = new ArrayList<>();
                for (String p : prompts) {
                    // A plain prompt gets the release's BOS rule, as tokenizer(prompt) in transformers.
                    ids.add(chat ? tok.encodeUserTurn(p) : tok.encodePrompt(p));
                }
                long start = System.nanoTime();
                List<Generation> out = new Generator(model, tok).generate(m, ids, cfg);
                double s = (System.nanoTime() - start) / 1e9;
                int tokens = 0;
                for (int i = 0; i < out.size(); i++) {
                    Generation g = out.get(i);
                    tokens += g.tokens().length;
                    System.out.printf("[%d] (%s, %d tokens) %s%n", i, g.finishReason(), g.tokens().length, g.text());
                }
                System.out.printf("%d tokens in %.2f s%n", tokens, s);
            }
        }
        return 0;
    }
}

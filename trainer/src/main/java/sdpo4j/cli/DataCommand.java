package sdpo4j.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sdpo4j.env.Datasets;
import sdpo4j.env.Environment;
import sdpo4j.env.Environments;
import sdpo4j.env.Score;
import sdpo4j.env.Task;
import sdpo4j.env.arithmetic.Arithmetic;
import sdpo4j.env.arithmetic.ArithmeticConfig;
import sdpo4j.env.arithmetic.ArithmeticTool;

/** {@code sdpo4j data}: generate datasets and score responses against them. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Generate task datasets and check responses against them.",
        subcommands = {DataCommand.Generate.class, DataCommand.Check.class})
public final class DataCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code data generate}. */
    @Command(name = "generate", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "Write seeded train and held-out test splits as OUT/train.jsonl and OUT/test.jsonl.")
    static final class Generate implements Callable<Integer> {
        @Option(names = "--env", defaultValue = "arithmetic", description = "Environment: arithmetic, arithmetic-tool, countdown or sequence-quality.")
        String env;

        @Option(names = "--out", required = true, description = "Output directory.")
        Path out;

        @Option(names = "--train", defaultValue = "2000", description = "Training tasks.")
        int train;

        @Option(names = "--test", defaultValue = "200", description = "Held-out tasks.")
        int test;

        @Option(names = "--seed", defaultValue = "0", description = "Seed (the test split uses seed + 1).")
        long seed;

        @Option(names = "--digits", defaultValue = "2", description = "arithmetic, arithmetic-tool: digits per operand.")
        int digits;

        @Option(names = "--terms", defaultValue = "2", description = "arithmetic: operands per expression.")
        int terms;

        @Option(names = "--operators", split = ",", defaultValue = "+,-,*", description = "arithmetic, arithmetic-tool: operators.")
        List<String> operators;

        @Override
        public Integer call() {
            // An empty split would be written and then refused by every reader of it.
            sdpo4j.config.Check.atLeast("--train", train, 1);
            sdpo4j.config.Check.atLeast("--test", test, 1);
            switch (env) {
                case "arithmetic" -> {
                    ArithmeticConfig cfg = ArithmeticConfig.builder().digits(digits).operators(operators).terms(terms).build();
                    Datasets.write(out.resolve("train.jsonl"), Arithmetic.generate(cfg, train, seed, "train-"));
                    Datasets.write(out.resolve("test.jsonl"), Arithmetic.generate(cfg, test, seed + 1, "test-"));
                }
                case "arithmetic-tool" -> {
                    ArithmeticConfig cfg = ArithmeticConfig.builder().digits(digits).operators(operators).build();
                    Datasets.write(out.resolve("train.jsonl"), ArithmeticTool.generate(cfg, train, seed, "train-"));
                    Datasets.write(out.resolve("test.jsonl"), ArithmeticTool.generate(cfg, test, seed + 1, "test-"));
                }
                case "countdown" -> {
                    Datasets.write(out.resolve("train.jsonl"), sdpo4j.env.countdown.Countdown.generate(train, seed, "train-"));
                    Datasets.write(out.resolve("test.jsonl"), sdpo4j.env.countdown.Countdown.generate(test, seed + 1, "test-"));
                }
                case "sequence-quality" -> {
                    var world = sdpo4j.env.sequence.WorldConfig.DEFAULT;
                    Datasets.write(out.resolve("train.jsonl"), sdpo4j.env.sequence.SequenceQuality.generate(world, train, seed * 1_000_000, "train-"));
                    Datasets.write(out.resolve("test.jsonl"), sdpo4j.env.sequence.SequenceQuality.generate(world, test, seed * 1_000_000 + 500_000, "test-"));
                }
                default -> throw new sdpo4j.config.ConfigException("--env", env,
                        "arithmetic, arithmetic-tool, countdown or sequence-quality (multiple-choice is hand-written: datasets/multiple-choice/questions.jsonl)");
            }
            System.out.printf("wrote %d train and %d test %s tasks to %s%n", train, test, env, out);
            return 0;
        }
    }

    /** {@code data check}. */
    @Command(name = "check", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "Validate DATASET, then score RESPONSES (JSONL with \"id\" and \"response\") and print reward and feedback.")
    static final class Check implements Callable<Integer> {
        @Option(names = "--env", defaultValue = "arithmetic", description = "Environment (or env.name of --config).")
        String env;

        @Option(names = "--config", paramLabel = "FILE", description = "YAML with the env section's keys (name, arithmetic, ...).")
        Path config;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override an env key, e.g. --set arithmetic.reveal-answer=true.")
        List<String> sets = new java.util.ArrayList<>();

        @Parameters(index = "0", paramLabel = "DATASET")
        Path dataset;

        @Parameters(index = "1", arity = "0..1", paramLabel = "RESPONSES")
        Path responses;

        @Override
        public Integer call() throws Exception {
            List<String> all = new java.util.ArrayList<>(sets);
            if (config == null) {
                all.add(0, "name=" + env);
            }
            sdpo4j.env.EnvConfig cfg = sdpo4j.config.ConfigLoader.load(sdpo4j.env.EnvConfig.class, sdpo4j.env.EnvConfig.DEFAULT, config, all);
            Environment environment = Environments.create(cfg);
            env = cfg.name();
            List<Task> tasks = Datasets.read(dataset, environment);
            System.out.printf("%s: %d valid %s tasks%n", dataset, tasks.size(), env);
            if (responses == null) {
                return 0;
            }
            java.util.Map<String, Task> byId = new java.util.HashMap<>();
            tasks.forEach(t -> byId.put(t.id(), t));
            for (sdpo4j.env.Responses.Response r : sdpo4j.env.Responses.read(responses)) {
                Task t = byId.get(r.id());
                if (t == null) {
                    throw new sdpo4j.env.DatasetException(r.where() + ": field 'id' names no task of " + dataset + ": " + r.id());
                }
                Score s = environment.score(t, r.text());
                System.out.printf("%s\treward %.2f\t%s%n", t.id(), s.reward(), s.feedback().isEmpty() ? "(no feedback)" : s.feedback());
            }
            return 0;
        }
    }
}

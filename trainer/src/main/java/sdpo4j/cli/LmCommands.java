package sdpo4j.cli;

import java.util.List;
import java.util.Map;
import sdpo4j.bench.LmBenchCommand;
import sdpo4j.bench.RealBenchCommand;
import sdpo4j.bench.SoakCommand;
import sdpo4j.bench.TrainBenchCommand;
import sdpo4j.compare.CompareConfig;
import sdpo4j.config.ConfigDocs;
import sdpo4j.config.DocumentedConfigs;
import sdpo4j.train.TrainConfig;

/** Registers the language-model commands with the launcher. */
public final class LmCommands {
    private LmCommands() {}

    /** {@code init-model}. */
    public static final class InitModel implements SubcommandProvider {
        @Override
        public Object command() {
            return new InitModelCommand();
        }
    }

    /** {@code make-shape}. */
    public static final class MakeShape implements SubcommandProvider {
        @Override
        public Object command() {
            return new MakeShapeCommand();
        }
    }

    /** {@code lm-bench}. */
    public static final class Bench implements SubcommandProvider {
        @Override
        public Object command() {
            return new LmBenchCommand();
        }
    }

    /** {@code real-bench}. */
    public static final class RealBench implements SubcommandProvider {
        @Override
        public Object command() {
            return new RealBenchCommand();
        }
    }

    /** {@code data}. */
    public static final class Data implements SubcommandProvider {
        @Override
        public Object command() {
            return new DataCommand();
        }
    }

    /** {@code env}: the name for dataset checking ({@code env check} is {@code data check}). */
    public static final class Env implements SubcommandProvider {
        @Override
        public Object command() {
            return new EnvCommand();
        }
    }

    /** {@code chat-template}. */
    public static final class ChatTemplate implements SubcommandProvider {
        @Override
        public Object command() {
            return new ChatTemplateCommand();
        }
    }

    /** {@code train}. */
    public static final class Train implements SubcommandProvider {
        @Override
        public Object command() {
            return new TrainCommand();
        }
    }

    /** {@code verify}. */
    public static final class Verify implements SubcommandProvider {
        @Override
        public Object command() {
            return new VerifyCommand();
        }
    }

    /** {@code pretrain}. */
    public static final class Pretrain implements SubcommandProvider {
        @Override
        public Object command() {
            return new PretrainCommand();
        }
    }

    /** {@code compare}. */
    public static final class Compare implements SubcommandProvider {
        @Override
        public Object command() {
            return new CompareCommand();
        }
    }

    /** {@code ablate}. */
    public static final class Ablate implements SubcommandProvider {
        @Override
        public Object command() {
            return new AblateCommand();
        }
    }

    /** {@code train-bench}. */
    public static final class TrainBench implements SubcommandProvider {
        @Override
        public Object command() {
            return new TrainBenchCommand();
        }
    }

    /** {@code soak}. */
    public static final class Soak implements SubcommandProvider {
        @Override
        public Object command() {
            return new SoakCommand();
        }
    }

    /** {@code generate}. */
    public static final class Generate implements SubcommandProvider {
        @Override
        public Object command() {
            return new GenerateCommand();
        }
    }

    /** {@code merge}. */
    public static final class Merge implements SubcommandProvider {
        @Override
        public Object command() {
            return new MergeCommand();
        }
    }

    /** {@code discover}. */
    public static final class Discover implements SubcommandProvider {
        @Override
        public Object command() {
            return new DiscoverCommand();
        }
    }

    /** The configs these commands read, for {@code config-docs}: {@code train}, {@code compare}, {@code ablation} and {@code discover}. */
    public static final class Configs implements DocumentedConfigs {
        @Override
        public List<ConfigDocs.Section> sections() {
            return List.of(new ConfigDocs.Section("train", TrainConfig.class, TrainConfig.DEFAULT),
                    new ConfigDocs.Section("compare", CompareConfig.class, CompareConfig.DEFAULT,
                            Map.of("train", "(section: the `train` table)")),
                    new ConfigDocs.Section("ablation", sdpo4j.compare.Ablation.class, sdpo4j.compare.Ablation.DEFAULT,
                            Map.of("train", "(section: the `train` table; defaults: base.yaml's `train`)")),
                    new ConfigDocs.Section("discover", sdpo4j.discover.DiscoverConfig.class, sdpo4j.discover.DiscoverConfig.DEFAULT));
        }
    }
}

package sdpo4j.sweep;

import java.util.List;
import sdpo4j.config.Check;
import sdpo4j.config.ConfigException;
import sdpo4j.config.Doc;

/**
 * A sweep: a base command's config, a grid over its keys and seeds. Every grid point x seed is
 * one cell, run as one Spark task. Each key's default and meaning: {@link Builder}.
 */
public record SweepConfig(SweepBase base, String config, List<String> set, List<GridAxis> grid, List<Long> seeds,
        List<String> metrics, List<String> plots) {
    public static final SweepConfig DEFAULT = builder().build();

    public SweepConfig {
        Check.present("base", base, "one of sim, train, compare, bridge");
        Check.present("set", set, "a list of key=value overrides");
        Check.present("grid", grid, "a list of axes {key: KEY, values: [...]}");
        Check.nonEmpty("seeds", seeds);
        if (seeds.stream().distinct().count() != seeds.size()) {
            throw new ConfigException("seeds", seeds, "each seed once");
        }
        for (long s : seeds) {
            Check.atLeast("seeds", s, 0);
        }
        if (grid.stream().map(GridAxis::key).distinct().count() != grid.size()) {
            throw new ConfigException("grid", grid.stream().map(GridAxis::key).toList(), "each key on one axis only");
        }
        Check.present("metrics", metrics, "a list of texts (a metric is reported when its name contains one)");
        Check.present("plots", plots, "a list of metric names");
        set = List.copyOf(set);
        grid = List.copyOf(grid);
        seeds = List.copyOf(seeds);
        metrics = List.copyOf(metrics);
        plots = List.copyOf(plots);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The keys with their defaults; {@link #build} checks them. */
    public static final class Builder {
        @Doc("what each cell runs: `sim`, `train`, `compare` or `bridge`")
        private SweepBase base = SweepBase.SIM;
        @Doc("the base command's config file (as its `--config`); empty: the command's defaults")
        private String config = "";
        @Doc("overrides applied to every cell, `key=value` as `--set` takes them")
        private List<String> set = List.of();
        @Doc("axes `{key: KEY, values: [...]}`; every combination of their values is a grid point")
        private List<GridAxis> grid = List.of();
        @Doc("seeds: each grid point runs once per seed (written into the base config's seed keys)")
        private List<Long> seeds = List.of(0L, 1L, 2L, 3L, 4L);
        @Doc("report only metrics whose name contains one of these texts; empty: every metric")
        private List<String> metrics = List.of();
        @Doc("metrics plotted against the grid points (mean and 95% CI); empty: the first reported metric")
        private List<String> plots = List.of();

        private Builder() {}

        public Builder base(SweepBase v) {
            base = v;
            return this;
        }

        public Builder config(String v) {
            config = v;
            return this;
        }

        public Builder set(List<String> v) {
            set = v;
            return this;
        }

        public Builder grid(List<GridAxis> v) {
            grid = v;
            return this;
        }

        public Builder seeds(List<Long> v) {
            seeds = v;
            return this;
        }

        public Builder metrics(List<String> v) {
            metrics = v;
            return this;
        }

        public Builder plots(List<String> v) {
            plots = v;
            return this;
        }

        public SweepConfig build() {
            return new SweepConfig(base, config, set, grid, seeds, metrics, plots);
        }
    }
}

package sdpo4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW with decoupled weight decay, as PyTorch's {@code torch.optim.AdamW} computes it:
 * {@code p <- p (1 - lr wd)}, then {@code m <- b1 m + (1 - b1) g}, {@code v <- b2 v + (1 - b2) g^2},
 * {@code p <- p - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)}.
 *
 * <p>Our own rather than DJL's because a resumable run must save and restore the moments and
 * the step count exactly, and DJL's optimizers keep them private. The learning rate is passed
 * per step, so schedules (warm-up) stay outside.
 */
public final class AdamW implements ParameterUpdate {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private long step;

    /**
     * Moments start at zero, one pair per parameter, attached to {@code manager}. Call outside
     * any {@code NDScope}: the moments live as long as the optimizer.
     */
    public AdamW(Map<String, NDArray> parameters, NDManager manager, double beta1, double beta2, double eps, double weightDecay) {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("AdamW needs 0 <= beta < 1, eps > 0, weight decay >= 0; got beta1 " + beta1
                    + ", beta2 " + beta2 + ", eps " + eps + ", weight decay " + weightDecay);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        parameters.forEach((name, p) -> {
            m.put(name, manager.zeros(p.getShape(), p.getDataType()));
            v.put(name, manager.zeros(p.getShape(), p.getDataType()));
        });
    }

    /** One step on every parameter that has a gradient, with learning rate {@code lr}. */
    @Override
    public void step(Map<String, NDArray> parameters, double lr) {
        step++;
        double bias1 = 1 - Math.pow(beta1, step);
        double bias2 = 1 - Math.pow(beta2, step);
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            NDArray p = e.getValue();
            NDArray mi = m.get(e.getKey());
            NDArray vi = v.get(e.getKey());
            if (mi == null) {
                throw new IllegalArgumentException("AdamW has no moments for parameter " + e.getKey());
            }
            try (NDArray g = p.getGradient()) {
                if (weightDecay > 0) {
                    p.muli(1 - lr * weightDecay);
                }
                // At most two full-size temporaries at a time (the same operations in the same order
                // as with all five alive): for a tied 152k-vocabulary embedding each is 545 MB.
                try (NDArray gm = g.mul(1 - beta1)) {
                    mi.muli(beta1).addi(gm);
                }
                try (NDArray gv = g.square()) {
                    vi.muli(beta2).addi(gv.muli(1 - beta2));
                }
                NDArray denom;
                try (NDArray scaled = vi.div(bias2)) {
                    denom = scaled.sqrt();
                }
                try (denom; NDArray update = mi.div(denom.addi(eps))) {
                    p.subi(update.muli(lr / bias1));
                }
            }
        }
    }

    /** Optimizer steps taken so far (t in the bias corrections). */
    @Override
    public long steps() {
        return step;
    }

    /** The moments, named {@code m.<param>} and {@code v.<param>}: what a checkpoint saves. */
    public Map<String, NDArray> state() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        m.forEach((k, a) -> out.put("m." + k, a));
        v.forEach((k, a) -> out.put("v." + k, a));
        return out;
    }

    /** Restores moments saved by {@link #state()} and the step count; every moment must be present. */
    public void restore(Map<String, NDArray> saved, long steps) {
        for (Map.Entry<String, NDArray> e : state().entrySet()) {
            NDArray src = saved.get(e.getKey());
            if (src == null) {
                throw new IllegalArgumentException("optimizer state lacks " + e.getKey());
            }
            if (!src.getShape().equals(e.getValue().getShape())) {
                throw new IllegalArgumentException("optimizer state " + e.getKey() + " has shape " + src.getShape()
                        + ", expected " + e.getValue().getShape());
            }
            e.getValue().set(src.toType(e.getValue().getDataType(), false).toFloatArray());
        }
        this.step = steps;
    }
}

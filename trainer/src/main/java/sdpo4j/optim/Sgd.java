package sdpo4j.optim;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * Plain gradient descent, {@code p <- p - lr g}: the simulator's update. Unlike Adam it keeps
 * the gradient's magnitude, so an objective with a larger gradient moves the policy further;
 * the bridge uses it to test how much of SDPO's lead in the simulator comes from that.
 */
public final class Sgd implements ParameterUpdate {
    private long steps;

    @Override
    public void step(Map<String, NDArray> parameters, double lr) {
        steps++;
        for (NDArray p : parameters.values()) {
            try (NDArray g = p.getGradient(); NDArray scaled = g.mul(lr)) {
                p.subi(scaled);
            }
        }
    }

    @Override
    public long steps() {
        return steps;
    }
}

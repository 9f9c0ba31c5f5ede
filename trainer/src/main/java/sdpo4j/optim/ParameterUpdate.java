package sdpo4j.optim;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/** An optimizer's step: moves every parameter that has a gradient, in place, at learning rate {@code lr}. */
public interface ParameterUpdate {
    void step(Map<String, NDArray> parameters, double lr);

    /** Steps taken so far: what a learning-rate schedule counts. */
    long steps();
}

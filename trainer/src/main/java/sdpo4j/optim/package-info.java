/**
 * The shared optimizer layer: top-K divergences, the objectives (reinforce,
 * advantage-weighted, grpo, sdpo, credit, hybrid), the EMA teacher, global-norm clipping and
 * the credit-assignment metric. Both the simulator and the language-model trainer call it;
 * it imports DJL and nothing else of the project.
 */
package sdpo4j.optim;

/**
 * The LeNet Lab engine: one LeNet-5 training step (forward, loss, backward, optimizer update) for a
 * whole batch, in WebAssembly SIMD, with all state in this module's memory and no allocation per
 * step. AssemblyScript (compiled by scripts/build-engine.mjs; src/engine/engine.ts drives it).
 *
 * The network is the app's (src/model/lenet5.ts): conv 6@5x5 -> max-pool 2 -> conv 16@5x5 ->
 * max-pool 2 -> dense 120 -> dense 84 -> dense 10 softmax, tanh or relu, on a 28x28 input (seed
 * preset) or the same digit padded to 32x32 (classic preset). The loss is Keras' categorical
 * cross-entropy with probabilities clipped to [1e-7, 1 - 1e-7], as tfjs computes it.
 *
 * Layout (floats; "8" and "16" are channel counts padded to whole SIMD vectors, pads kept at zero):
 *   images        height x width, one channel
 *   conv1 output  C1 x C1 x 8, pooled P1 x P1 x 8
 *   conv2 output  C2 x C2 x 16, pooled P2 x P2 x 16 = the flattened features, in tfjs's order
 *   parameters    W1 [25][8], b1 [8], W2 [25][6][16] (tfjs's own layout), b2 [16],
 *                 W3 [FLAT][120], b3, W4 [120][84], b4, W5 [84][12], b5 [12]
 *
 * Why it is fast: max-pooling is taken before the activation and the bias (both are monotonic, so
 * the winner and the value are the same, at a quarter of the activations); each pooled value keeps
 * its window's winner, so the backward pass touches only winners (a quarter of the conv outputs);
 * the activation's derivative is taken from the stored outputs; convolutions are direct, with the
 * channels in SIMD lanes and several output pixels per pass held in registers.
 *
 * Ties: a pooling window keeps its first maximum in window order, as tfjs's CPU backend does.
 *
 * Files: layout.ts (sizes, offsets, buffers, init), activations.ts, forward.ts, backward.ts,
 * optimizers.ts; this one names what the module exports.
 */


export {
  init, paramCount, paramOffset, paramsPtr, gradsPtr, state1Ptr, state2Ptr, imagesPtr, labelsPtr, probsPtr,
  pooled1Ptr, pooled2Ptr, dense1Ptr, dense2Ptr, conv1Ptr, conv2Ptr, maxBatch,
} from './layout';
export { predict } from './forward';
export { gradients, lastCorrect } from './backward';
export { adam, sgd, rmsprop } from './optimizers';

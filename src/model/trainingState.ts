/**
 * A training run's state as plain arrays, so a checkpoint can be stored (IndexedDB) and a run
 * continued in another worker, on another backend, exactly where it stopped: the model's weights
 * and the optimizer's (Adam's moments, its step count and its running beta powers).
 */
import * as tf from '@tensorflow/tfjs';

/** One tensor's values. */
export interface NamedArray {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface OptimizerState {
  /** tf.Optimizer.getWeights(): the step count, then the optimizer's variables. */
  weights: NamedArray[];
  /**
   * Adam's beta1^t and beta2^t as the run accumulated them. setWeights() recomputes them with
   * pow(), which rounds differently from the running product (in the last bits after some 50
   * steps, unit-tested): restored as they were, a continued run is the uninterrupted run bit for
   * bit.
   */
  accBeta: [number, number] | null;
}

async function toArrays(named: { name: string; tensor: tf.Tensor }[]): Promise<NamedArray[]> {
  return Promise.all(
    named.map(async ({ name, tensor }) => ({ name, shape: tensor.shape.slice(), data: Float32Array.from(await tensor.data()) })),
  );
}

/** The model's weights in layer order (what setWeights takes back). */
export async function captureWeights(model: tf.LayersModel): Promise<NamedArray[]> {
  return toArrays(model.weights.map((weight) => ({ name: weight.name, tensor: weight.read() })));
}

export function restoreWeights(model: tf.LayersModel, weights: NamedArray[]): void {
  const expected = model.weights.map((w) => w.shape.join('x')).join(',');
  const found = weights.map((w) => w.shape.join('x')).join(',');
  if (expected !== found) throw new Error(`the checkpoint's weights (${found}) do not fit this model (${expected})`);
  const tensors = weights.map(({ shape, data }) => tf.tensor(data, shape));
  model.setWeights(tensors);
  tf.dispose(tensors);
}

interface AdamPowers {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

/**
 * By class name, not `instanceof tf.AdamOptimizer`: tfjs gives Optimizer a duck-typed
 * Symbol.hasInstance (anything with minimize, computeGradients and applyGradients) that every
 * subclass inherits, so SGD and RMSprop passed it too, and their first checkpoint failed reading
 * the accBeta1 they do not have. FusedAdamOptimizer inherits Adam's class name.
 */
const isAdam = (optimizer: tf.Optimizer): optimizer is tf.Optimizer & AdamPowers => optimizer.getClassName() === tf.AdamOptimizer.className;

export async function captureOptimizer(optimizer: tf.Optimizer): Promise<OptimizerState> {
  const named = await optimizer.getWeights();
  // The first entry is a scalar made for the occasion (the step count); the rest are the optimizer's own variables.
  const weights = await toArrays(named);
  named[0]?.tensor.dispose();
  const accBeta: [number, number] | null = isAdam(optimizer)
    ? [(await optimizer.accBeta1.data())[0]!, (await optimizer.accBeta2.data())[0]!]
    : null;
  return { weights, accBeta };
}

/** Restores into a fresh optimizer of the same kind, for the same model (variables in the same order). */
export async function restoreOptimizer(optimizer: tf.Optimizer, state: OptimizerState): Promise<void> {
  const named = state.weights.map(({ name, shape, data }) => ({ name, tensor: tf.tensor(data, shape) }));
  await optimizer.setWeights(named);
  tf.dispose(named.map((n) => n.tensor));
  if (state.accBeta && isAdam(optimizer)) {
    const [beta1, beta2] = state.accBeta;
    tf.tidy(() => {
      optimizer.accBeta1.assign(tf.scalar(beta1));
      optimizer.accBeta2.assign(tf.scalar(beta2));
    });
  }
}

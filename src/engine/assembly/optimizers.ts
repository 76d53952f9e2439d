/** The optimizers: tfjs's arithmetic, operation by operation, each rounded to float32. */
import { NP, grads, params, state1, state2 } from './layout';


/**
 * tf.train.adam: m, v in state1, state2; accBeta1 = beta1^t and accBeta2 = beta2^t before this step.
 * 1 - beta comes from JS: tfjs computes it in double precision, then rounds it to float32.
 */
export function adam(
  learningRate: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32, epsilon: f32, accBeta1: f32, accBeta2: f32,
): void {
  const b1 = f32x4.splat(beta1), c1 = f32x4.splat(oneMinusBeta1);
  const b2 = f32x4.splat(beta2), c2 = f32x4.splat(oneMinusBeta2);
  const om1 = f32x4.splat(<f32>1 - accBeta1), om2 = f32x4.splat(<f32>1 - accBeta2);
  const eps = f32x4.splat(epsilon), step = f32x4.splat(-learningRate);
  for (let i = 0; i < NP; i += 4) {
    const o = <usize>i * 4;
    const g = v128.load(grads + o);
    const m = f32x4.add(f32x4.mul(v128.load(state1 + o), b1), f32x4.mul(g, c1));
    const v = f32x4.add(f32x4.mul(v128.load(state2 + o), b2), f32x4.mul(f32x4.mul(g, g), c2));
    v128.store(state1 + o, m);
    v128.store(state2 + o, v);
    const corrected = f32x4.div(f32x4.div(m, om1), f32x4.add(f32x4.sqrt(f32x4.div(v, om2)), eps));
    v128.store(params + o, f32x4.add(f32x4.mul(corrected, step), v128.load(params + o)));
  }
}

/** tf.train.sgd: value + (-lr) * g. */
export function sgd(learningRate: f32): void {
  const c = f32x4.splat(-learningRate);
  for (let i = 0; i < NP; i += 4) {
    const o = <usize>i * 4;
    v128.store(params + o, f32x4.add(f32x4.mul(c, v128.load(grads + o)), v128.load(params + o)));
  }
}

/** tf.train.rmsprop, not centred: mean square in state1, moments in state2. */
export function rmsprop(learningRate: f32, decay: f32, oneMinusDecay: f32, momentum: f32, epsilon: f32): void {
  const d = f32x4.splat(decay), c = f32x4.splat(oneMinusDecay);
  const mo = f32x4.splat(momentum), lr = f32x4.splat(learningRate), eps = f32x4.splat(epsilon);
  for (let i = 0; i < NP; i += 4) {
    const o = <usize>i * 4;
    const g = v128.load(grads + o);
    const ms = f32x4.add(f32x4.mul(v128.load(state1 + o), d), f32x4.mul(f32x4.mul(g, g), c));
    const mom = f32x4.add(f32x4.mul(v128.load(state2 + o), mo), f32x4.div(f32x4.mul(g, lr), f32x4.sqrt(f32x4.add(ms, eps))));
    v128.store(state1 + o, ms);
    v128.store(state2 + o, mom);
    v128.store(params + o, f32x4.sub(v128.load(params + o), mom));
  }
}

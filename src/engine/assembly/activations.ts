/** The activations on four lanes at once, and their derivatives from the outputs. */
import { RELU } from './layout';


// tanh as Eigen's fast rational approximation (a few ulp in float32), clamped where tanh rounds to +-1.
@inline export function tanh4(x: v128): v128 {
  const c = f32x4.splat(7.90531110763549805);
  x = f32x4.pmin(f32x4.pmax(x, f32x4.neg(c)), c);
  const x2 = f32x4.mul(x, x);
  let p = f32x4.add(f32x4.mul(x2, f32x4.splat(-2.76076847742355e-16)), f32x4.splat(2.00018790482477e-13));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(-8.60467152213735e-11));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(5.12229709037114e-8));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(1.48572235717979e-5));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(6.37261928875436e-4));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(4.89352455891786e-3));
  p = f32x4.mul(p, x);
  let q = f32x4.add(f32x4.mul(x2, f32x4.splat(1.19825839466702e-6)), f32x4.splat(1.18534705686654e-4));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(2.268434632439e-3));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(4.89352518554385e-3));
  const r = f32x4.div(p, q);
  // Below 0.0004 tanh(x) is x to float precision.
  const tiny = f32x4.lt(f32x4.abs(x), f32x4.splat(0.0004));
  return v128.bitselect(x, r, tiny);
}

@inline export function act4(x: v128): v128 {
  return RELU ? f32x4.pmax(x, f32x4.splat(0)) : tanh4(x);
}

/** dy times the activation's derivative, from the activation's output y (tfjs: dy * (1 - y^2); dy * step(y)). */
@inline export function actGrad4(dy: v128, y: v128): v128 {
  if (RELU) return v128.and(dy, f32x4.gt(y, f32x4.splat(0)));
  return f32x4.mul(dy, f32x4.sub(f32x4.splat(1), f32x4.mul(y, y)));
}


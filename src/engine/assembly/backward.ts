/** The backward pass: the loss, then every layer back to conv1, touching only pooling winners. */
import { actGrad4 } from './activations';
import { forward } from './forward';
import {
  F1, F2, FLAT, NP, OUTP, P1, P2, S,
  a0, a1, a2, d3, d4, d5, da0, dp1, dw1t, dw2t, grads, i1, i2, labels, oB1, oB2, oB3, oB4, oB5, oW1, oW2, oW3, oW4, oW5,
  p1, params, probs, w2t, xs,
} from './layout';

let lossSum: f64 = 0;
let correctCount: i32 = 0;

/** The number of digits the last gradients() call classified correctly. */
export function lastCorrect(): i32 { return correctCount; }

const CLIP_LOW: f32 = 1e-7;
const CLIP_HIGH: f32 = 0.9999999;

/**
 * Loss, number correct and the gradient of the logits, in tfjs's order of operations: the mean's
 * 1/N, the log's 1/p at the clipped probability (zero outside the clip range), softmax's
 * dy*y - sum(dy*y)*y.
 */
function lossAndLogitGrad(count: i32): void {
  const invN: f32 = <f32>1 / <f32>count;
  lossSum = 0;
  correctCount = 0;
  for (let n = 0; n < count; n++) {
    const p = probs + <usize>(n * OUTP) * 4;
    const d = d5 + <usize>(n * OUTP) * 4;
    const t = load<i32>(labels + <usize>(n * 4));
    let best = 0;
    let bestP = load<f32>(p);
    for (let j = 1; j < 10; j++) {
      const pj = load<f32>(p + <usize>(j * 4));
      if (pj > bestP) { bestP = pj; best = j; }
    }
    if (best == t) correctCount++;
    const pt = load<f32>(p + <usize>(t * 4));
    const clipped = pt < CLIP_LOW ? CLIP_LOW : pt > CLIP_HIGH ? CLIP_HIGH : pt;
    lossSum -= Math.log(<f64>clipped);
    const inRange = pt >= CLIP_LOW && pt <= CLIP_HIGH;
    const dyTimesY: f32 = inRange ? (-invN / pt) * pt : 0;
    for (let j = 0; j < OUTP; j++) {
      const pj: f32 = j < 10 ? load<f32>(p + <usize>(j * 4)) : 0;
      store<f32>(d + <usize>(j * 4), (j == t ? dyTimesY : 0) - dyTimesY * pj);
    }
  }
}

/**
 * Backward through a dense layer for images 0..count-1: its weight and bias gradients (written,
 * not added), and the gradient at its input times the previous activation's derivative (dPrev),
 * unless dPrev is 0.
 */
function denseBackward(input: usize, nIn: i32, w: usize, dw: usize, db: usize, nOut: i32, dOut: usize, dPrev: usize, count: i32): void {
  const vecs = nOut >> 2;
  // Weights: dW[i][j] = sum over n of input[n][i] * dOut[n][j], two inputs a pass sharing each gradient load.
  for (let i = 0; i < nIn; i += 2) {
    for (let j = 0; j < vecs; j += 3) {
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0);
      let t0 = f32x4.splat(0), t1 = f32x4.splat(0), t2 = f32x4.splat(0);
      for (let n = 0; n < count; n++) {
        const a = input + <usize>(n * nIn + i) * 4;
        const v = v128.load32_splat(a);
        const u = v128.load32_splat(a, 4);
        const g = dOut + <usize>(n * nOut + j * 4) * 4;
        const g0 = v128.load(g), g1 = v128.load(g, 16), g2 = v128.load(g, 32);
        s0 = f32x4.add(s0, f32x4.mul(v, g0)); s1 = f32x4.add(s1, f32x4.mul(v, g1)); s2 = f32x4.add(s2, f32x4.mul(v, g2));
        t0 = f32x4.add(t0, f32x4.mul(u, g0)); t1 = f32x4.add(t1, f32x4.mul(u, g1)); t2 = f32x4.add(t2, f32x4.mul(u, g2));
      }
      const o = dw + <usize>(i * nOut + j * 4) * 4;
      v128.store(o, s0); v128.store(o, s1, 16); v128.store(o, s2, 32);
      const o2 = o + <usize>(nOut * 4);
      v128.store(o2, t0); v128.store(o2, t1, 16); v128.store(o2, t2, 32);
    }
  }
  for (let j = 0; j < vecs; j++) {
    let s = f32x4.splat(0);
    for (let n = 0; n < count; n++) s = f32x4.add(s, v128.load(dOut + <usize>(n * nOut + j * 4) * 4));
    v128.store(db + <usize>(j * 16), s);
  }
  if (dPrev == 0) return;
  // Input: dIn[n][i] = sum over j of W[i][j] * dOut[n][j], then times the activation's derivative.
  for (let n = 0; n < count; n++) {
    const g = dOut + <usize>(n * nOut) * 4;
    const o = dPrev + <usize>(n * nIn) * 4;
    for (let i = 0; i < nIn; i += 4) {
      let r0 = f32x4.splat(0), r1 = f32x4.splat(0), r2 = f32x4.splat(0), r3 = f32x4.splat(0);
      const w0 = w + <usize>(i * nOut) * 4;
      const stride = <usize>nOut * 4;
      for (let j = 0; j < vecs; j++) {
        const gv = v128.load(g + <usize>(j * 16));
        const jo = <usize>(j * 16);
        r0 = f32x4.add(r0, f32x4.mul(v128.load(w0 + jo), gv));
        r1 = f32x4.add(r1, f32x4.mul(v128.load(w0 + stride + jo), gv));
        r2 = f32x4.add(r2, f32x4.mul(v128.load(w0 + 2 * stride + jo), gv));
        r3 = f32x4.add(r3, f32x4.mul(v128.load(w0 + 3 * stride + jo), gv));
      }
      // Transpose-and-add: lane k of the result is the sum of r_k's lanes.
      const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5); // r0.0 r1.0 r0.1 r1.1
      const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
      const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
      const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      const u0 = f32x4.add(t0, t1); // r0.0+r0.2 r1.0+r1.2 r0.1+r0.3 r1.1+r1.3
      const u1 = f32x4.add(t2, t3);
      const v0 = v128.shuffle<f32>(u0, u1, 0, 1, 4, 5);
      const v1 = v128.shuffle<f32>(u0, u1, 2, 3, 6, 7);
      const sum = f32x4.add(v0, v1);
      const y = v128.load(input + <usize>(n * nIn + i) * 4);
      v128.store(o + <usize>(i * 4), actGrad4(sum, y));
    }
  }
}

/** Rebuilds W2 transposed ([tap][co][ci 8]) for the input gradient of conv2. */
function transposeW2(): void {
  const w = params + <usize>oW2 * 4;
  for (let tap = 0; tap < 25; tap++)
    for (let ci = 0; ci < 6; ci++)
      for (let co = 0; co < 16; co++)
        store<f32>(w2t + <usize>((tap * 16 + co) * 8 + ci) * 4, load<f32>(w + <usize>((tap * 6 + ci) * 16 + co) * 4));
}

/** Backward through pool2 and conv2 for image n, only at each window's winner: conv2's gradients and dp1. */
function conv2Backward(n: i32): void {
  const src = p1 + <usize>(n * P1 * P1 * 8) * 4;
  // The gradient at the pooled conv2 pre-activations (fc1's backward pass applied the derivative).
  const da = da0 + <usize>(n * FLAT) * 4;
  const win2 = i2 + <usize>(n * FLAT) * 4;
  const db2 = grads + <usize>oB2 * 4;
  const rowBytes = <usize>(P1 * 8) * 4;
  // Filter gradient, one output channel and one filter row at a time: every window's winner adds its
  // input patch row to the row's sums, held in registers, in two passes of 5 vectors (channels 0-3 of
  // each tap, then 4-7: with all 10 sums at once the compiled loop ran out of registers; 8-10% faster
  // this way in Node). Each channel's winners (their gradient and the byte offset of their patch) are
  // listed first, so the inner loops have no branch.
  const windows = P2 * P2;
  for (let co = 0; co < 16; co++) {
    let bias: f32 = 0;
    for (let w = 0; w < windows; w++) {
      const e = <usize>((w << 4) + co) * 4;
      const g = load<f32>(da + e);
      bias += g;
      const k = load<i32>(win2 + e);
      const py = w / P2, px = w % P2;
      const slot = winners + <usize>(w * 8);
      store<i32>(slot, ((((py << 1) + (k >> 1)) * P1 + (px << 1) + (k & 1)) * 8) * 4);
      store<f32>(slot, g, 4);
    }
    for (let ky = 0; ky < 5; ky++) {
      const dw = dw2t + <usize>((co * 25 + ky * 5) * 8) * 4;
      let s0 = v128.load(dw), s1 = v128.load(dw, 16), s2 = v128.load(dw, 32), s3 = v128.load(dw, 48), s4 = v128.load(dw, 64);
      let s5 = v128.load(dw, 80), s6 = v128.load(dw, 96), s7 = v128.load(dw, 112), s8 = v128.load(dw, 128), s9 = v128.load(dw, 144);
      const rowBase = src + <usize>ky * rowBytes;
      for (let w = 0; w < windows; w++) {
        const slot = winners + <usize>(w * 8);
        const ip = rowBase + <usize>load<i32>(slot);
        const gv = v128.load32_splat(slot, 4);
        s0 = f32x4.add(s0, f32x4.mul(v128.load(ip), gv));
        s2 = f32x4.add(s2, f32x4.mul(v128.load(ip, 32), gv));
        s4 = f32x4.add(s4, f32x4.mul(v128.load(ip, 64), gv));
        s6 = f32x4.add(s6, f32x4.mul(v128.load(ip, 96), gv));
        s8 = f32x4.add(s8, f32x4.mul(v128.load(ip, 128), gv));
      }
      for (let w = 0; w < windows; w++) {
        const slot = winners + <usize>(w * 8);
        const ip = rowBase + <usize>load<i32>(slot);
        const gv = v128.load32_splat(slot, 4);
        s1 = f32x4.add(s1, f32x4.mul(v128.load(ip, 16), gv));
        s3 = f32x4.add(s3, f32x4.mul(v128.load(ip, 48), gv));
        s5 = f32x4.add(s5, f32x4.mul(v128.load(ip, 80), gv));
        s7 = f32x4.add(s7, f32x4.mul(v128.load(ip, 112), gv));
        s9 = f32x4.add(s9, f32x4.mul(v128.load(ip, 144), gv));
      }
      v128.store(dw, s0); v128.store(dw, s1, 16); v128.store(dw, s2, 32); v128.store(dw, s3, 48); v128.store(dw, s4, 64);
      v128.store(dw, s5, 80); v128.store(dw, s6, 96); v128.store(dw, s7, 112); v128.store(dw, s8, 128); v128.store(dw, s9, 144);
    }
    store<f32>(db2 + <usize>(co * 4), load<f32>(db2 + <usize>(co * 4)) + bias);
  }
  // Gradient at the pooled conv1 outputs: each window's winners spread their filters over their
  // patches. A window's 16 channels are grouped by winner (one of its 4 positions); for each group
  // and filter row, the group's 5 taps x 8 lanes are summed in registers and added to dp1 once,
  // rather than channel by channel, where each update of dp1 read what the one before had just
  // stored (about 5% of the step in Node).
  memory.fill(dp1, 0, <usize>(P1 * P1 * 8) * 4);
  const tapBytes = <usize>(16 * 8) * 4;
  for (let py = 0; py < P2; py++) {
    for (let px = 0; px < P2; px++) {
      const e0 = <usize>((py * P2 + px) << 4) * 4;
      // Bucket the window's channels by winner: counts[k], then (offset into w2t, gradient) pairs.
      store<i32>(counts, 0); store<i32>(counts, 0, 4); store<i32>(counts, 0, 8); store<i32>(counts, 0, 12);
      for (let co = 0; co < 16; co++) {
        const g = load<f32>(da + e0 + <usize>(co * 4));
        if (g == 0) continue;
        const k = load<i32>(win2 + e0 + <usize>(co * 4));
        const c = load<i32>(counts + <usize>(k * 4));
        const slot = buckets + <usize>((k * 16 + c) * 8);
        store<i32>(slot, co * 8 * 4);
        store<f32>(slot, g, 4);
        store<i32>(counts + <usize>(k * 4), c + 1);
      }
      for (let k = 0; k < 4; k++) {
        const n = load<i32>(counts + <usize>(k * 4));
        if (n == 0) continue;
        let dp = dp1 + <usize>((((py << 1) + (k >> 1)) * P1 + (px << 1) + (k & 1)) * 8) * 4;
        const first = buckets + <usize>(k * 16 * 8);
        for (let ky = 0; ky < 5; ky++) {
          const row = w2t + <usize>(ky * 5) * tapBytes;
          let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0), s4 = f32x4.splat(0);
          let s5 = f32x4.splat(0), s6 = f32x4.splat(0), s7 = f32x4.splat(0), s8 = f32x4.splat(0), s9 = f32x4.splat(0);
          for (let i = 0; i < n; i++) {
            const slot = first + <usize>(i * 8);
            const wp = row + <usize>load<i32>(slot);
            const gv = f32x4.splat(load<f32>(slot, 4));
            s0 = f32x4.add(s0, f32x4.mul(v128.load(wp), gv)); s1 = f32x4.add(s1, f32x4.mul(v128.load(wp, 16), gv));
            const w1 = wp + tapBytes;
            s2 = f32x4.add(s2, f32x4.mul(v128.load(w1), gv)); s3 = f32x4.add(s3, f32x4.mul(v128.load(w1, 16), gv));
            const w2 = w1 + tapBytes;
            s4 = f32x4.add(s4, f32x4.mul(v128.load(w2), gv)); s5 = f32x4.add(s5, f32x4.mul(v128.load(w2, 16), gv));
            const w3 = w2 + tapBytes;
            s6 = f32x4.add(s6, f32x4.mul(v128.load(w3), gv)); s7 = f32x4.add(s7, f32x4.mul(v128.load(w3, 16), gv));
            const w4 = w3 + tapBytes;
            s8 = f32x4.add(s8, f32x4.mul(v128.load(w4), gv)); s9 = f32x4.add(s9, f32x4.mul(v128.load(w4, 16), gv));
          }
          v128.store(dp, f32x4.add(v128.load(dp), s0)); v128.store(dp, f32x4.add(v128.load(dp, 16), s1), 16);
          v128.store(dp, f32x4.add(v128.load(dp, 32), s2), 32); v128.store(dp, f32x4.add(v128.load(dp, 48), s3), 48);
          v128.store(dp, f32x4.add(v128.load(dp, 64), s4), 64); v128.store(dp, f32x4.add(v128.load(dp, 80), s5), 80);
          v128.store(dp, f32x4.add(v128.load(dp, 96), s6), 96); v128.store(dp, f32x4.add(v128.load(dp, 112), s7), 112);
          v128.store(dp, f32x4.add(v128.load(dp, 128), s8), 128); v128.store(dp, f32x4.add(v128.load(dp, 144), s9), 144);
          dp += rowBytes;
        }
      }
    }
  }
}

/** Scratch for conv2Backward: per winner position, how many channels, and their (w2t offset, gradient) pairs. */
const counts = memory.data(16, 16);
const buckets = memory.data(4 * 16 * 8, 16);
/** Scratch for conv2Backward's filter gradient: per window, its winner's patch offset and gradient (classic preset: 5 x 5 windows). */
const winners = memory.data(32 * 8, 16);

/**
 * Backward through pool1 and conv1 for image n: the gradient at each pooled conv1 output (dp1),
 * times the activation's derivative, goes to its window's winner; conv1's filter gradient gathers
 * the input patch under each winner, one channel at a time with the 5 x 8 sums in registers (each
 * patch row is read as 8 pixels; the last 3 lanes are never read back).
 */
function conv1Backward(n: i32): void {
  const src = p1 + <usize>(n * P1 * P1 * 8) * 4;
  const win1 = i1 + <usize>(n * P1 * P1 * 8) * 4;
  const x = xs + <usize>(n * S * S) * 4;
  const db1 = grads + <usize>oB1 * 4;
  const cells1 = P1 * P1 * 8;
  for (let e = 0; e < cells1; e += 4) {
    v128.store(dp1 + <usize>(e * 4), actGrad4(v128.load(dp1 + <usize>(e * 4)), v128.load(src + <usize>(e * 4))));
  }
  const rowBytes = <usize>S * 4;
  for (let c = 0; c < 6; c++) {
    const dw = dw1t + <usize>(c * 40) * 4;
    let s0 = v128.load(dw), s1 = v128.load(dw, 16), s2 = v128.load(dw, 32), s3 = v128.load(dw, 48), s4 = v128.load(dw, 64);
    let s5 = v128.load(dw, 80), s6 = v128.load(dw, 96), s7 = v128.load(dw, 112), s8 = v128.load(dw, 128), s9 = v128.load(dw, 144);
    let bias: f32 = 0;
    for (let py = 0; py < P1; py++) {
      for (let px = 0; px < P1; px++) {
        const e = <usize>(((py * P1 + px) << 3) + c) * 4;
        const g = load<f32>(dp1 + e);
        if (g == 0) continue;
        bias += g;
        const k = load<i32>(win1 + e);
        const r = x + <usize>((((py << 1) + (k >> 1)) * S + (px << 1) + (k & 1))) * 4;
        const gv = f32x4.splat(g);
        s0 = f32x4.add(s0, f32x4.mul(v128.load(r), gv)); s1 = f32x4.add(s1, f32x4.mul(v128.load(r, 16), gv));
        const r1 = r + rowBytes;
        s2 = f32x4.add(s2, f32x4.mul(v128.load(r1), gv)); s3 = f32x4.add(s3, f32x4.mul(v128.load(r1, 16), gv));
        const r2 = r1 + rowBytes;
        s4 = f32x4.add(s4, f32x4.mul(v128.load(r2), gv)); s5 = f32x4.add(s5, f32x4.mul(v128.load(r2, 16), gv));
        const r3 = r2 + rowBytes;
        s6 = f32x4.add(s6, f32x4.mul(v128.load(r3), gv)); s7 = f32x4.add(s7, f32x4.mul(v128.load(r3, 16), gv));
        const r4 = r3 + rowBytes;
        s8 = f32x4.add(s8, f32x4.mul(v128.load(r4), gv)); s9 = f32x4.add(s9, f32x4.mul(v128.load(r4, 16), gv));
      }
    }
    v128.store(dw, s0); v128.store(dw, s1, 16); v128.store(dw, s2, 32); v128.store(dw, s3, 48); v128.store(dw, s4, 64);
    v128.store(dw, s5, 80); v128.store(dw, s6, 96); v128.store(dw, s7, 112); v128.store(dw, s8, 128); v128.store(dw, s9, 144);
    store<f32>(db1 + <usize>(c * 4), load<f32>(db1 + <usize>(c * 4)) + bias);
  }
}

/**
 * Forward and backward for images 0..count-1 (at imagesPtr(), labels at labelsPtr()): the gradient
 * of the batch's mean loss at gradsPtr(), in the parameter layout. Returns the mean loss;
 * lastCorrect() is the number classified correctly.
 */
export function gradients(count: i32): f32 {
  forward(count);
  lossAndLogitGrad(count);
  memory.fill(grads, 0, <usize>NP * 4);
  memory.fill(dw2t, 0, 16 * 25 * 8 * 4);
  memory.fill(dw1t, 0, 6 * 40 * 4);
  denseBackward(a2, F2, params + <usize>oW5 * 4, grads + <usize>oW5 * 4, grads + <usize>oB5 * 4, OUTP, d5, d4, count);
  denseBackward(a1, F1, params + <usize>oW4 * 4, grads + <usize>oW4 * 4, grads + <usize>oB4 * 4, F2, d4, d3, count);
  denseBackward(a0, FLAT, params + <usize>oW3 * 4, grads + <usize>oW3 * 4, grads + <usize>oB3 * 4, F1, d3, da0, count);
  transposeW2();
  for (let n = 0; n < count; n++) {
    conv2Backward(n);
    conv1Backward(n);
  }
  // The transposed filter gradients back in the parameter layout.
  const dw2 = grads + <usize>oW2 * 4;
  for (let co = 0; co < 16; co++)
    for (let tap = 0; tap < 25; tap++)
      for (let ci = 0; ci < 6; ci++)
        store<f32>(dw2 + <usize>((tap * 6 + ci) * 16 + co) * 4, load<f32>(dw2t + <usize>((co * 25 + tap) * 8 + ci) * 4));
  const dw1 = grads + <usize>oW1 * 4;
  for (let c = 0; c < 6; c++)
    for (let ky = 0; ky < 5; ky++)
      for (let kx = 0; kx < 5; kx++) store<f32>(dw1 + <usize>((ky * 5 + kx) * 8 + c) * 4, load<f32>(dw1t + <usize>(c * 40 + ky * 8 + kx) * 4));
  return <f32>(lossSum / <f64>count);
}


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
 */

// ---- configuration (set by init) ----
let S: i32 = 28; // input side after padding
let PAD: i32 = 0;
let C1: i32 = 24;
let P1: i32 = 12;
let C2: i32 = 8;
let P2: i32 = 4;
let FLAT: i32 = 256;
let RELU: bool = false;
let MAXB: i32 = 0;

const F1: i32 = 120;
const F2: i32 = 84;
const OUTP: i32 = 12; // 10 classes, padded

// ---- parameter offsets, in floats from the start of a parameter block ----
let oW1: i32 = 0;
let oB1: i32 = 0;
let oW2: i32 = 0;
let oB2: i32 = 0;
let oW3: i32 = 0;
let oB3: i32 = 0;
let oW4: i32 = 0;
let oB4: i32 = 0;
let oW5: i32 = 0;
let oB5: i32 = 0;
let NP: i32 = 0;

// ---- buffers (byte addresses) ----
let params: usize = 0;
let grads: usize = 0;
let state1: usize = 0; // Adam m; RMSprop mean square
let state2: usize = 0; // Adam v; RMSprop moments
let w2t: usize = 0; // W2 transposed: [25][16][8]
let dw2t: usize = 0; // conv2 filter gradient, transposed: [16][25][8]
let dw1t: usize = 0; // conv1 filter gradient, transposed: [6][5 rows][8] (5 taps a row, 3 lanes unused)
let images: usize = 0; // [MAXB][784] from JS
let labels: usize = 0; // [MAXB] i32 from JS
let xs: usize = 0; // [MAXB][S*S] padded inputs
let p1: usize = 0; // [MAXB][P1*P1*8] pooled conv1 outputs (after activation)
let i1: usize = 0; // [MAXB][P1*P1*8] i32 winner 0..3 in the window
let a0: usize = 0; // [MAXB][FLAT] pooled conv2 outputs = flattened features
let i2: usize = 0; // [MAXB][FLAT] i32 winners
let a1: usize = 0; // [MAXB][120]
let a2: usize = 0; // [MAXB][84]
let probs: usize = 0; // [MAXB][12]
let d5: usize = 0; // [MAXB][12] gradient of the logits
let d4: usize = 0; // [MAXB][84]
let d3: usize = 0; // [MAXB][120]
let da0: usize = 0; // [MAXB][FLAT]
let c1buf: usize = 0; // [C1*C1*8] one image's conv1 pre-activations
let c2buf: usize = 0; // [C2*C2*16]
let dp1: usize = 0; // [P1*P1*8] one image's gradient at the pooled conv1 outputs
let lossSum: f64 = 0;
let correctCount: i32 = 0;
let top: usize = 0;

function alloc(floats: i32): usize {
  const at = (top + 15) & ~(<usize>15);
  top = at + (<usize>floats << 2);
  const pages = <i32>((top + 0xffff) >>> 16);
  if (pages > memory.size()) memory.grow(pages - memory.size());
  memory.fill(at, 0, <usize>floats << 2);
  return at;
}

/** Lays out every buffer for a preset (28 or 32), an activation (0 tanh, 1 relu) and a largest batch. */
export function init(inputSize: i32, activation: i32, maxBatch: i32): void {
  S = inputSize;
  PAD = (inputSize - 28) >> 1;
  C1 = S - 4;
  P1 = C1 >> 1;
  C2 = P1 - 4;
  P2 = C2 >> 1;
  FLAT = P2 * P2 * 16;
  RELU = activation == 1;
  MAXB = maxBatch;
  let o = 0;
  oW1 = o; o += 25 * 8;
  oB1 = o; o += 8;
  oW2 = o; o += 25 * 6 * 16;
  oB2 = o; o += 16;
  oW3 = o; o += FLAT * F1;
  oB3 = o; o += F1;
  oW4 = o; o += F1 * F2;
  oB4 = o; o += F2;
  oW5 = o; o += F2 * OUTP;
  oB5 = o; o += OUTP;
  NP = o;
  top = __heap_base;
  params = alloc(NP);
  grads = alloc(NP);
  state1 = alloc(NP);
  state2 = alloc(NP);
  w2t = alloc(25 * 16 * 8);
  dw2t = alloc(16 * 25 * 8);
  dw1t = alloc(6 * 40);
  images = alloc(MAXB * 784);
  labels = alloc(MAXB);
  xs = alloc(MAXB * S * S + 8);
  p1 = alloc(MAXB * P1 * P1 * 8);
  i1 = alloc(MAXB * P1 * P1 * 8);
  a0 = alloc(MAXB * FLAT);
  i2 = alloc(MAXB * FLAT);
  a1 = alloc(MAXB * F1);
  a2 = alloc(MAXB * F2);
  probs = alloc(MAXB * OUTP);
  d5 = alloc(MAXB * OUTP);
  d4 = alloc(MAXB * F2);
  d3 = alloc(MAXB * F1);
  da0 = alloc(MAXB * FLAT);
  c1buf = alloc(C1 * C1 * 8);
  c2buf = alloc(C2 * C2 * 16);
  dp1 = alloc(P1 * P1 * 8);
}

// ---- where JS reads and writes ----
export function paramCount(): i32 { return NP; }
/** Offset in floats of parameter k (0 W1, 1 b1, 2 W2, ... 9 b5) within a parameter block. */
export function paramOffset(k: i32): i32 {
  switch (k) {
    case 0: return oW1;
    case 1: return oB1;
    case 2: return oW2;
    case 3: return oB2;
    case 4: return oW3;
    case 5: return oB3;
    case 6: return oW4;
    case 7: return oB4;
    case 8: return oW5;
    default: return oB5;
  }
}
export function paramsPtr(): usize { return params; }
export function gradsPtr(): usize { return grads; }
export function state1Ptr(): usize { return state1; }
export function state2Ptr(): usize { return state2; }
export function imagesPtr(): usize { return images; }
export function labelsPtr(): usize { return labels; }
export function probsPtr(): usize { return probs; }
export function pooled1Ptr(): usize { return p1; }
export function pooled2Ptr(): usize { return a0; }
export function dense1Ptr(): usize { return a1; }
export function dense2Ptr(): usize { return a2; }
export function conv1Ptr(): usize { return c1buf; }
export function conv2Ptr(): usize { return c2buf; }
export function lastCorrect(): i32 { return correctCount; }
export function maxBatch(): i32 { return MAXB; }

// ---- activations ----

// tanh as Eigen's fast rational approximation (a few ulp in float32), clamped where tanh rounds to +-1.
@inline function tanh4(x: v128): v128 {
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

@inline function act4(x: v128): v128 {
  return RELU ? f32x4.pmax(x, f32x4.splat(0)) : tanh4(x);
}

/** dy times the activation's derivative, from the activation's output y (tfjs: dy * (1 - y^2); dy * step(y)). */
@inline function actGrad4(dy: v128, y: v128): v128 {
  if (RELU) return v128.and(dy, f32x4.gt(y, f32x4.splat(0)));
  return f32x4.mul(dy, f32x4.sub(f32x4.splat(1), f32x4.mul(y, y)));
}

// ---- forward ----

/**
 * conv1 -> max-pool -> bias -> activation for image n; keeps the pooled outputs and winners.
 * Four output pixels a pass, their 8 channels in two vectors each, all in registers. (Taking the
 * convolution from the ink only, about 20% of the pixels, measured slower: the updates go through
 * memory.)
 */
function conv1Forward(n: i32): void {
  const x = xs + <usize>(n * S * S) * 4;
  const w = params + <usize>oW1 * 4;
  for (let y = 0; y < C1; y++) {
    for (let x0 = 0; x0 < C1; x0 += 4) {
      let a0l = f32x4.splat(0), a0h = f32x4.splat(0);
      let a1l = f32x4.splat(0), a1h = f32x4.splat(0);
      let a2l = f32x4.splat(0), a2h = f32x4.splat(0);
      let a3l = f32x4.splat(0), a3h = f32x4.splat(0);
      for (let ky = 0; ky < 5; ky++) {
        const row = x + <usize>((y + ky) * S + x0) * 4;
        const wrow = w + <usize>(ky * 5 * 8) * 4;
        for (let kx = 0; kx < 5; kx++) {
          const wl = v128.load(wrow + <usize>(kx * 32));
          const wh = v128.load(wrow + <usize>(kx * 32 + 16));
          const p = row + <usize>(kx * 4);
          const s0 = v128.load32_splat(p);
          const s1 = v128.load32_splat(p, 4);
          const s2 = v128.load32_splat(p, 8);
          const s3 = v128.load32_splat(p, 12);
          a0l = f32x4.add(a0l, f32x4.mul(s0, wl)); a0h = f32x4.add(a0h, f32x4.mul(s0, wh));
          a1l = f32x4.add(a1l, f32x4.mul(s1, wl)); a1h = f32x4.add(a1h, f32x4.mul(s1, wh));
          a2l = f32x4.add(a2l, f32x4.mul(s2, wl)); a2h = f32x4.add(a2h, f32x4.mul(s2, wh));
          a3l = f32x4.add(a3l, f32x4.mul(s3, wl)); a3h = f32x4.add(a3h, f32x4.mul(s3, wh));
        }
      }
      const o = c1buf + <usize>((y * C1 + x0) * 8) * 4;
      v128.store(o, a0l); v128.store(o, a0h, 16);
      v128.store(o, a1l, 32); v128.store(o, a1h, 48);
      v128.store(o, a2l, 64); v128.store(o, a2h, 80);
      v128.store(o, a3l, 96); v128.store(o, a3h, 112);
    }
  }
  pool(c1buf, C1, 8, params + <usize>oB1 * 4, p1 + <usize>(n * P1 * P1 * 8) * 4, i1 + <usize>(n * P1 * P1 * 8) * 4);
}

/**
 * 2x2 max-pool of a side x side x ch map (pre-activation), then bias and activation on the maximum
 * (the same as pooling after them: both are monotonic).
 * Keeps each window's first maximum in window order (row by row), as tfjs's CPU backend does.
 */
function pool(src: usize, side: i32, ch: i32, bias: usize, dst: usize, winners: usize): void {
  const half = side >> 1;
  const rowBytes = <usize>(side * ch) * 4;
  const one = i32x4.splat(1), two = i32x4.splat(2), three = i32x4.splat(3);
  for (let py = 0; py < half; py++) {
    for (let px = 0; px < half; px++) {
      const a = src + <usize>((2 * py * side + 2 * px) * ch) * 4;
      const o = <usize>((py * half + px) * ch) * 4;
      for (let c = 0; c < ch; c += 4) {
        const cb = <usize>c * 4;
        let m = v128.load(a + cb);
        let k = i32x4.splat(0);
        const b = v128.load(a + cb + <usize>ch * 4);
        let gt = f32x4.gt(b, m);
        m = v128.bitselect(b, m, gt);
        k = v128.bitselect(one, k, gt);
        const d = v128.load(a + cb + rowBytes);
        gt = f32x4.gt(d, m);
        m = v128.bitselect(d, m, gt);
        k = v128.bitselect(two, k, gt);
        const e = v128.load(a + cb + rowBytes + <usize>ch * 4);
        gt = f32x4.gt(e, m);
        m = v128.bitselect(e, m, gt);
        k = v128.bitselect(three, k, gt);
        v128.store(dst + o + cb, f32x4.add(m, v128.load(bias + cb)));
        v128.store(winners + o + cb, k);
      }
    }
  }
  activate(dst, half * half * ch);
}

/** The activation in place over n floats (a multiple of 16): four independent vectors a pass, so their latencies overlap. */
function activate(at: usize, n: i32): void {
  const end = at + <usize>n * 4;
  for (let p = at; p < end; p += 64) {
    const a = act4(v128.load(p)), b = act4(v128.load(p, 16)), c = act4(v128.load(p, 32)), d = act4(v128.load(p, 48));
    v128.store(p, a); v128.store(p, b, 16); v128.store(p, c, 32); v128.store(p, d, 48);
  }
}

/** conv2 -> max-pool -> bias -> activation for image n (input: its pooled conv1 outputs). */
function conv2Forward(n: i32): void {
  const src = p1 + <usize>(n * P1 * P1 * 8) * 4;
  const w = params + <usize>oW2 * 4;
  for (let y = 0; y < C2; y++) {
    for (let x0 = 0; x0 < C2; x0 += 2) {
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
      for (let ky = 0; ky < 5; ky++) {
        const row = src + <usize>(((y + ky) * P1 + x0) * 8) * 4;
        for (let kx = 0; kx < 5; kx++) {
          const p = row + <usize>(kx * 32);
          let wt = w + <usize>((ky * 5 + kx) * 96) * 4;
          for (let ci = 0; ci < 6; ci++) {
            const s = v128.load32_splat(p + <usize>(ci * 4));
            const t = v128.load32_splat(p + <usize>(ci * 4), 32);
            const w0 = v128.load(wt), w1 = v128.load(wt, 16), w2 = v128.load(wt, 32), w3 = v128.load(wt, 48);
            a0 = f32x4.add(a0, f32x4.mul(s, w0)); a1 = f32x4.add(a1, f32x4.mul(s, w1));
            a2 = f32x4.add(a2, f32x4.mul(s, w2)); a3 = f32x4.add(a3, f32x4.mul(s, w3));
            b0 = f32x4.add(b0, f32x4.mul(t, w0)); b1 = f32x4.add(b1, f32x4.mul(t, w1));
            b2 = f32x4.add(b2, f32x4.mul(t, w2)); b3 = f32x4.add(b3, f32x4.mul(t, w3));
            wt += 64;
          }
        }
      }
      const o = c2buf + <usize>((y * C2 + x0) * 16) * 4;
      v128.store(o, a0); v128.store(o, a1, 16); v128.store(o, a2, 32); v128.store(o, a3, 48);
      v128.store(o, b0, 64); v128.store(o, b1, 80); v128.store(o, b2, 96); v128.store(o, b3, 112);
    }
  }
  pool(c2buf, C2, 16, params + <usize>oB2 * 4, a0 + <usize>(n * FLAT) * 4, i2 + <usize>(n * FLAT) * 4);
}

/**
 * out[n] = act(in[n] . W + b) for images 0..count-1; nOut a multiple of 12 (3 vectors a pass).
 * Two images a pass share each weight load (with an odd count, the last pass reads its image twice
 * and stores it once).
 */
function denseForward(input: usize, nIn: i32, w: usize, b: usize, nOut: i32, output: usize, count: i32, activate: bool): void {
  const vecs = nOut >> 2;
  const stride = <usize>(nOut * 4);
  for (let n = 0; n < count; n += 2) {
    const x = input + <usize>(n * nIn) * 4;
    const second = n + 1 < count;
    const x2 = second ? x + <usize>nIn * 4 : x;
    const o = output + <usize>(n * nOut) * 4;
    for (let j = 0; j < vecs; j += 3) {
      const jb = <usize>(j * 16);
      let s0 = v128.load(b + jb), s1 = v128.load(b + jb, 16), s2 = v128.load(b + jb, 32);
      let t0 = s0, t1 = s1, t2 = s2;
      let wp = w + jb;
      for (let i = 0; i < nIn; i++) {
        const v = v128.load32_splat(x + <usize>(i * 4));
        const u = v128.load32_splat(x2 + <usize>(i * 4));
        const w0 = v128.load(wp), w1 = v128.load(wp, 16), w2 = v128.load(wp, 32);
        s0 = f32x4.add(s0, f32x4.mul(v, w0)); s1 = f32x4.add(s1, f32x4.mul(v, w1)); s2 = f32x4.add(s2, f32x4.mul(v, w2));
        t0 = f32x4.add(t0, f32x4.mul(u, w0)); t1 = f32x4.add(t1, f32x4.mul(u, w1)); t2 = f32x4.add(t2, f32x4.mul(u, w2));
        wp += stride;
      }
      if (activate) {
        s0 = act4(s0); s1 = act4(s1); s2 = act4(s2);
        t0 = act4(t0); t1 = act4(t1); t2 = act4(t2);
      }
      v128.store(o + jb, s0); v128.store(o + jb, s1, 16); v128.store(o + jb, s2, 32);
      if (second) {
        const o2 = o + stride;
        v128.store(o2 + jb, t0); v128.store(o2 + jb, t1, 16); v128.store(o2 + jb, t2, 32);
      }
    }
  }
}

function padInputs(count: i32): void {
  for (let n = 0; n < count; n++) {
    const src = images + <usize>(n * 784) * 4;
    const dst = xs + <usize>(n * S * S) * 4;
    for (let y = 0; y < 28; y++) {
      memory.copy(dst + <usize>((y + PAD) * S + PAD) * 4, src + <usize>(y * 28) * 4, 28 * 4);
    }
  }
}

/** The whole forward pass for images 0..count-1: probabilities in probs, every layer's output kept. */
function forward(count: i32): void {
  padInputs(count);
  for (let n = 0; n < count; n++) {
    conv1Forward(n);
    conv2Forward(n);
  }
  denseForward(a0, FLAT, params + <usize>oW3 * 4, params + <usize>oB3 * 4, F1, a1, count, true);
  denseForward(a1, F1, params + <usize>oW4 * 4, params + <usize>oB4 * 4, F2, a2, count, true);
  denseForward(a2, F2, params + <usize>oW5 * 4, params + <usize>oB5 * 4, OUTP, probs, count, false);
  // Softmax over the 10 real logits, as tfjs's kernel does: exp(x - max) / sum.
  for (let n = 0; n < count; n++) {
    const o = probs + <usize>(n * OUTP) * 4;
    let m = load<f32>(o);
    for (let j = 1; j < 10; j++) m = max(m, load<f32>(o + <usize>(j * 4)));
    let sum: f32 = 0;
    for (let j = 0; j < 10; j++) {
      const e = <f32>Math.exp(<f64>(load<f32>(o + <usize>(j * 4)) - m));
      store<f32>(o + <usize>(j * 4), e);
      sum += e;
    }
    for (let j = 0; j < 10; j++) store<f32>(o + <usize>(j * 4), load<f32>(o + <usize>(j * 4)) / sum);
  }
}

/** Forward only (evaluation, a drawing, the Inside views): probabilities of images 0..count-1 at probsPtr(). */
export function predict(count: i32): void {
  forward(count);
}

// ---- backward ----

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
  // Filter gradient, one output channel and one filter row at a time: the row's 5 x 8 sums stay in
  // registers while every window's winner adds its input patch row.
  for (let co = 0; co < 16; co++) {
    let bias: f32 = 0;
    for (let ky = 0; ky < 5; ky++) {
      const dw = dw2t + <usize>((co * 25 + ky * 5) * 8) * 4;
      let s0 = v128.load(dw), s1 = v128.load(dw, 16), s2 = v128.load(dw, 32), s3 = v128.load(dw, 48), s4 = v128.load(dw, 64);
      let s5 = v128.load(dw, 80), s6 = v128.load(dw, 96), s7 = v128.load(dw, 112), s8 = v128.load(dw, 128), s9 = v128.load(dw, 144);
      for (let py = 0; py < P2; py++) {
        for (let px = 0; px < P2; px++) {
          const e = <usize>(((py * P2 + px) << 4) + co) * 4;
          const g = load<f32>(da + e);
          if (g == 0) continue;
          if (ky == 0) bias += g;
          const k = load<i32>(win2 + e);
          const ip = src + <usize>((((py << 1) + (k >> 1) + ky) * P1 + (px << 1) + (k & 1)) * 8) * 4;
          const gv = f32x4.splat(g);
          s0 = f32x4.add(s0, f32x4.mul(v128.load(ip), gv)); s1 = f32x4.add(s1, f32x4.mul(v128.load(ip, 16), gv));
          s2 = f32x4.add(s2, f32x4.mul(v128.load(ip, 32), gv)); s3 = f32x4.add(s3, f32x4.mul(v128.load(ip, 48), gv));
          s4 = f32x4.add(s4, f32x4.mul(v128.load(ip, 64), gv)); s5 = f32x4.add(s5, f32x4.mul(v128.load(ip, 80), gv));
          s6 = f32x4.add(s6, f32x4.mul(v128.load(ip, 96), gv)); s7 = f32x4.add(s7, f32x4.mul(v128.load(ip, 112), gv));
          s8 = f32x4.add(s8, f32x4.mul(v128.load(ip, 128), gv)); s9 = f32x4.add(s9, f32x4.mul(v128.load(ip, 144), gv));
        }
      }
      v128.store(dw, s0); v128.store(dw, s1, 16); v128.store(dw, s2, 32); v128.store(dw, s3, 48); v128.store(dw, s4, 64);
      v128.store(dw, s5, 80); v128.store(dw, s6, 96); v128.store(dw, s7, 112); v128.store(dw, s8, 128); v128.store(dw, s9, 144);
    }
    store<f32>(db2 + <usize>(co * 4), load<f32>(db2 + <usize>(co * 4)) + bias);
  }
  // Gradient at the pooled conv1 outputs: each winner spreads its filter over its patch. Channel by
  // channel, so consecutive winners lie in different windows and no update waits on the last one's stores.
  memory.fill(dp1, 0, <usize>(P1 * P1 * 8) * 4);
  for (let co = 0; co < 16; co++) {
    for (let py = 0; py < P2; py++) {
      for (let px = 0; px < P2; px++) {
        const e = <usize>(((py * P2 + px) << 4) + co) * 4;
        const g = load<f32>(da + e);
        if (g == 0) continue;
        const k = load<i32>(win2 + e);
        const gv = f32x4.splat(g);
        let dp = dp1 + <usize>((((py << 1) + (k >> 1)) * P1 + (px << 1) + (k & 1)) * 8) * 4;
        let wp = w2t + <usize>(co * 8) * 4;
        for (let ky = 0; ky < 5; ky++) {
          for (let kx = 0; kx < 5; kx++) {
            const q = dp + <usize>(kx * 32);
            v128.store(q, f32x4.add(v128.load(q), f32x4.mul(v128.load(wp), gv)));
            v128.store(q, f32x4.add(v128.load(q, 16), f32x4.mul(v128.load(wp, 16), gv)), 16);
            wp += 16 * 8 * 4;
          }
          dp += rowBytes;
        }
      }
    }
  }
}

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

// ---- optimizers: tfjs's arithmetic, operation by operation, each rounded to float32 ----

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

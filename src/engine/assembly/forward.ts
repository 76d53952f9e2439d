/** The forward pass: convolutions, pooling, dense layers, softmax. */
import { act4 } from './activations';
import {
  C1, C2, F1, F2, FLAT, OUTP, P1, P2, PAD, S,
  a0, a1, a2, c1buf, c2buf, i1, i2, images, oB1, oB2, oB3, oB4, oB5, oW1, oW2, oW3, oW4, oW5, p1, params, probs, xs,
} from './layout';


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
export function forward(count: i32): void {
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


/**
 * The engine's layout: the preset's sizes, where each parameter lies in a parameter block, and
 * every buffer, laid out once by init() for the largest batch (nothing is allocated per step).
 * Only init() assigns these; the other files read them.
 */
// ---- configuration (set by init) ----
export let S: i32 = 28; // input side after padding
export let PAD: i32 = 0;
export let C1: i32 = 24;
export let P1: i32 = 12;
export let C2: i32 = 8;
export let P2: i32 = 4;
export let FLAT: i32 = 256;
export let RELU: bool = false;
export let MAXB: i32 = 0;

export const F1: i32 = 120;
export const F2: i32 = 84;
export const OUTP: i32 = 12; // 10 classes, padded

// ---- parameter offsets, in floats from the start of a parameter block ----
export let oW1: i32 = 0;
export let oB1: i32 = 0;
export let oW2: i32 = 0;
export let oB2: i32 = 0;
export let oW3: i32 = 0;
export let oB3: i32 = 0;
export let oW4: i32 = 0;
export let oB4: i32 = 0;
export let oW5: i32 = 0;
export let oB5: i32 = 0;
export let NP: i32 = 0;

// ---- buffers (byte addresses) ----
export let params: usize = 0;
export let grads: usize = 0;
export let state1: usize = 0; // Adam m; RMSprop mean square
export let state2: usize = 0; // Adam v; RMSprop moments
export let w2t: usize = 0; // W2 transposed: [25][16][8]
export let dw2t: usize = 0; // conv2 filter gradient, transposed: [16][25][8]
export let dw1t: usize = 0; // conv1 filter gradient, transposed: [6][5 rows][8] (5 taps a row, 3 lanes unused)
export let images: usize = 0; // [MAXB][784] from JS
export let labels: usize = 0; // [MAXB] i32 from JS
export let xs: usize = 0; // [MAXB][S*S] padded inputs
export let p1: usize = 0; // [MAXB][P1*P1*8] pooled conv1 outputs (after activation)
export let i1: usize = 0; // [MAXB][P1*P1*8] i32 winner 0..3 in the window
export let a0: usize = 0; // [MAXB][FLAT] pooled conv2 outputs = flattened features
export let i2: usize = 0; // [MAXB][FLAT] i32 winners
export let a1: usize = 0; // [MAXB][120]
export let a2: usize = 0; // [MAXB][84]
export let probs: usize = 0; // [MAXB][12]
export let d5: usize = 0; // [MAXB][12] gradient of the logits
export let d4: usize = 0; // [MAXB][84]
export let d3: usize = 0; // [MAXB][120]
export let da0: usize = 0; // [MAXB][FLAT]
export let c1buf: usize = 0; // [C1*C1*8] one image's conv1 pre-activations
export let c2buf: usize = 0; // [C2*C2*16]
export let dp1: usize = 0; // [P1*P1*8] one image's gradient at the pooled conv1 outputs
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
export function maxBatch(): i32 { return MAXB; }

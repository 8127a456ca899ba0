// tinycnn: train TinyCNN in the browser, with no server and no kernel.
// `tinycnnTrainerCore()` is TinyCNN's forward and backward pass, softmax cross-entropy with label smoothing, Adam and
// PyTorch's OneCycleLR, on Float32Array parameters; the browser tests check ten of its steps against PyTorch's.
// `tinycnnTrainerWorker` runs it in a Web Worker made from this file's own source (a Blob URL), so one inlined script
// works in a static page, in Jupyter and in Colab. `tinycnnStartTrainer` starts such a worker; the page is trainer_ui.js.
function tinycnnTrainerCore() {
  'use strict';
  const SIZE = 28, K = 10, P1 = 30, P2 = 16;  // image side, classes, padded sides of conv1's and conv2's inputs
  const L1 = 840, L2 = 222;  // conv outputs are computed on the padded grid (2 junk columns a row), a multiple of 3 long

  // ---- parameters: one Float32Array in the order of TinyCNN's state_dict ----
  function layout(f1, f2) {
    const shapes = [['conv1.weight', [f1, 1, 3, 3]], ['conv1.bias', [f1]], ['conv2.weight', [f2, f1, 3, 3]],
                    ['conv2.bias', [f2]], ['fc.weight', [K, f2 * 49]], ['fc.bias', [K]]];
    const tensors = {}; let size = 0;
    for (const [name, shape] of shapes) {
      const n = shape.reduce((a, b) => a * b, 1);
      tensors[name] = {shape, offset: size, size: n}; size += n;
    }
    return {f1, f2, tensors, size};
  }
  const view = (lay, arr, name) => arr.subarray(lay.tensors[name].offset, lay.tensors[name].offset + lay.tensors[name].size);

  // PyTorch's default initialisation of weights and biases, U(±1/√fan_in), drawn with a seeded generator: for filter
  // counts the page ships no PyTorch weights for.
  function initParams(lay, seed) {
    const rand = mulberry32(seed), p = new Float32Array(lay.size);
    const fanIn = {'conv1.weight': 9, 'conv1.bias': 9, 'conv2.weight': lay.f1 * 9, 'conv2.bias': lay.f1 * 9,
                   'fc.weight': lay.f2 * 49, 'fc.bias': lay.f2 * 49};
    for (const name of Object.keys(lay.tensors)) {
      const v = view(lay, p, name), bound = 1 / Math.sqrt(fanIn[name]);
      for (let i = 0; i < v.length; i++) v[i] = (2 * rand() - 1) * bound;
    }
    return p;
  }
  function mulberry32(seed) {  // a small seeded generator of numbers in [0, 1)
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6D2B79F5) >>> 0; let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  // ---- the network: conv 3×3 (padding 1) → 2×2 max-pool → ReLU, twice, then a linear layer ----
  // A convolution makes 3 neighbouring outputs × 4 filters at a time, so that each number read is used several times
  // (conv2: 0.51 ms an image against 1.6 ms one output at a time, in Node's V8). `off[ck]`: where tap k of channel c
  // is, relative to an output's position on the padded grid.
  function convForward(inp, off, n, wt, bias, fo4, L, out) {  // wt: filters in blocks of 4, [block][ck][4]
    for (let ob = 0; ob < fo4; ob += 4) {
      const wb = ob * n, b0 = bias[ob], b1 = bias[ob + 1], b2 = bias[ob + 2], b3 = bias[ob + 3];
      const r0 = ob * L, r1 = r0 + L, r2 = r1 + L, r3 = r2 + L;
      for (let q = 0; q < L; q += 3) {
        let s0 = b0, s1 = b1, s2 = b2, s3 = b3, t0 = b0, t1 = b1, t2 = b2, t3 = b3, u0 = b0, u1 = b1, u2 = b2, u3 = b3;
        for (let ck = 0; ck < n; ck++) {
          const a = q + off[ck], x = inp[a], y = inp[a + 1], z = inp[a + 2], i = wb + 4 * ck;
          const w0 = wt[i], w1 = wt[i + 1], w2 = wt[i + 2], w3 = wt[i + 3];
          s0 += w0 * x; s1 += w1 * x; s2 += w2 * x; s3 += w3 * x;
          t0 += w0 * y; t1 += w1 * y; t2 += w2 * y; t3 += w3 * y;
          u0 += w0 * z; u1 += w1 * z; u2 += w2 * z; u3 += w3 * z;
        }
        out[r0 + q] = s0; out[r1 + q] = s1; out[r2 + q] = s2; out[r3 + q] = s3;
        out[r0 + q + 1] = t0; out[r1 + q + 1] = t1; out[r2 + q + 1] = t2; out[r3 + q + 1] = t3;
        out[r0 + q + 2] = u0; out[r1 + q + 2] = u1; out[r2 + q + 2] = u2; out[r3 + q + 2] = u3;
      }
    }
  }
  // 2×2 max-pool then ReLU (the same numbers as ReLU then pool, 4× fewer ReLUs), as PyTorch: the first of equal
  // maxima wins, and a NaN wins. `arg` keeps the winner's position, or -1 where the ReLU is off (no gradient).
  function poolRelu(conv, f, L, stride, half, out, outStride, outPad, arg) {
    for (let c = 0; c < f; c++) for (let a = 0; a < half; a++) for (let b = 0; b < half; b++) {
      const q0 = c * L + 2 * a * stride + 2 * b, q2 = q0 + stride;  // the window's top-left and bottom-left
      let q = q0, m = conv[q0], v;
      v = conv[q0 + 1]; if (v > m || v !== v) { m = v; q = q0 + 1; }
      v = conv[q2]; if (v > m || v !== v) { m = v; q = q2; }
      v = conv[q2 + 1]; if (v > m || v !== v) { m = v; q = q2 + 1; }
      out[c * outStride * outStride + (a + outPad) * outStride + b + outPad] = m <= 0 ? 0 : m;  // NaN stays NaN
      arg[(c * half + a) * half + b] = m > 0 ? q - c * L : -1;
    }
  }

  // A network's working memory and its weights rearranged for `convForward`; `load` refreshes them after a step.
  function makeNet(lay) {
    const {f1, f2} = lay, f1r = Math.ceil(f1 / 4) * 4, f2r = Math.ceil(f2 / 4) * 4;
    const net = {lay, f1, f2,
      xp: new Float64Array(P1 * P1 + 8), c1: new Float64Array(f1r * L1), p1: new Float64Array(f1 * P2 * P2 + 8),
      c2: new Float64Array(f2r * L2), h: new Float64Array(f2 * 49), arg1: new Int32Array(f1 * 196),
      arg2: new Int32Array(f2 * 49), logits: new Float64Array(K), probs: new Float64Array(K),
      dh: new Float64Array(f2 * 49), dp1: new Float64Array(f1 * P2 * P2),
      w1t: new Float64Array(f1r * 9), b1: new Float64Array(f1r), w2t: new Float64Array(f2r * f1 * 9), b2: new Float64Array(f2r),
      off1: new Int32Array(9), off2: new Int32Array(f1 * 9), aq: new Int32Array(49), ad: new Float64Array(49), f1r, f2r};
    for (let k = 0; k < 9; k++) net.off1[k] = Math.floor(k / 3) * P1 + k % 3;
    for (let c = 0; c < f1; c++) for (let k = 0; k < 9; k++) net.off2[c * 9 + k] = c * P2 * P2 + Math.floor(k / 3) * P2 + k % 3;
    return net;
  }
  function load(net, params) {  // the current weights, filters in blocks of 4 (missing filters of a block stay 0)
    const {lay, f1, f2} = net;
    net.params = params;
    const w1 = view(lay, params, 'conv1.weight'), w2 = view(lay, params, 'conv2.weight'), n2 = f1 * 9;
    for (let o = 0; o < f1; o++) { net.b1[o] = params[lay.tensors['conv1.bias'].offset + o];
      for (let k = 0; k < 9; k++) net.w1t[(o & ~3) * 9 + 4 * k + (o & 3)] = w1[o * 9 + k]; }
    for (let o = 0; o < f2; o++) { net.b2[o] = params[lay.tensors['conv2.bias'].offset + o];
      for (let ck = 0; ck < n2; ck++) net.w2t[(o & ~3) * n2 + 4 * ck + (o & 3)] = w2[o * n2 + ck]; }
    net.wfc = view(lay, params, 'fc.weight'); net.bfc = view(lay, params, 'fc.bias'); net.w2 = w2;
  }
  // One normalised image (784 numbers from `x` at `at`) through the network; leaves every stage in `net`.
  function forward(net, x, at) {
    const {xp, f1, f2, h, logits, wfc, bfc} = net, F = f2 * 49;
    for (let i = 0; i < SIZE; i++) for (let j = 0; j < SIZE; j++) xp[(i + 1) * P1 + j + 1] = x[at + i * SIZE + j];
    convForward(xp, net.off1, 9, net.w1t, net.b1, net.f1r, L1, net.c1);
    poolRelu(net.c1, f1, L1, P1, 14, net.p1, P2, 1, net.arg1);
    convForward(net.p1, net.off2, f1 * 9, net.w2t, net.b2, net.f2r, L2, net.c2);
    poolRelu(net.c2, f2, L2, P2, 7, h, 7, 0, net.arg2);
    for (let k = 0; k < K; k++) {
      let s = bfc[k]; const r = k * F;
      for (let i = 0; i < F; i++) s += wfc[r + i] * h[i];
      logits[k] = s;
    }
    return logits;
  }

  // ---- the loss: softmax cross-entropy towards 1 - ε + ε/K for the true class and ε/K for the others ----
  function softmaxLoss(net, y, eps) {  // returns the image's loss; leaves the softmax in net.probs
    const {logits, probs} = net;
    let m = -Infinity; for (let k = 0; k < K; k++) if (logits[k] > m || logits[k] !== logits[k]) m = logits[k];
    let z = 0; for (let k = 0; k < K; k++) { probs[k] = Math.exp(logits[k] - m); z += probs[k]; }
    const lse = m + Math.log(z);
    let sumLogp = 0; for (let k = 0; k < K; k++) { probs[k] /= z; sumLogp += logits[k] - lse; }
    return -(1 - eps) * (logits[y] - lse) - eps / K * sumLogp;
  }

  // ---- the backward pass of one image, its gradients added to `g` (Float64Array, the parameters' layout) ----
  // Only the pooled winners whose ReLU is on get a gradient, so conv2's and conv1's backward passes visit a quarter
  // of the positions (or fewer): what PyTorch computes densely, with the same result.
  function backward(net, x, at, dz, g) {
    const {lay, f1, f2, h, dh, dp1, p1, xp, arg1, arg2, wfc, w2} = net, F = f2 * 49, T = lay.tensors;
    const gfc = T['fc.weight'].offset, gbfc = T['fc.bias'].offset;
    for (let k = 0; k < K; k++) {
      const d = dz[k], r = gfc + k * F; g[gbfc + k] += d;
      for (let i = 0; i < F; i++) if (h[i] !== 0) g[r + i] += d * h[i];  // h is 0 where the ReLU is off
    }
    for (let i = 0; i < F; i++) {
      if (arg2[i] < 0) { dh[i] = 0; continue; }
      let s = 0; for (let k = 0; k < K; k++) s += wfc[k * F + i] * dz[k];
      dh[i] = s;
    }
    dp1.fill(0);
    const gw2 = T['conv2.weight'].offset, gb2 = T['conv2.bias'].offset, n2 = f1 * 9, aq = net.aq, ad = net.ad;
    for (let o = 0; o < f2; o++) {
      let na = 0;  // the winners of channel o whose ReLU is on: where on the grid, and their gradient
      for (let u = 0; u < 49; u++) { const q = arg2[o * 49 + u]; if (q >= 0) { aq[na] = q; ad[na++] = dh[o * 49 + u]; } }
      let db = 0; for (let j = 0; j < na; j++) db += ad[j];
      g[gb2 + o] += db;
      for (let c = 0; c < f1; c++) {  // the 9 taps of filter (o, c): their gradients kept in registers
        const wr = o * n2 + c * 9, cb = c * P2 * P2;
        const w0 = w2[wr], w1 = w2[wr + 1], w2_ = w2[wr + 2], w3 = w2[wr + 3], w4 = w2[wr + 4], w5 = w2[wr + 5],
              w6 = w2[wr + 6], w7 = w2[wr + 7], w8 = w2[wr + 8];
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0, s8 = 0;
        for (let j = 0; j < na; j++) {
          const d = ad[j], a = cb + aq[j], b = a + P2, e = b + P2;
          s0 += d * p1[a]; s1 += d * p1[a + 1]; s2 += d * p1[a + 2];  // dL/dw2 = upstream gradient × input
          s3 += d * p1[b]; s4 += d * p1[b + 1]; s5 += d * p1[b + 2];
          s6 += d * p1[e]; s7 += d * p1[e + 1]; s8 += d * p1[e + 2];
          dp1[a] += d * w0; dp1[a + 1] += d * w1; dp1[a + 2] += d * w2_;  // dL/dinput = upstream gradient × weight
          dp1[b] += d * w3; dp1[b + 1] += d * w4; dp1[b + 2] += d * w5;
          dp1[e] += d * w6; dp1[e + 1] += d * w7; dp1[e + 2] += d * w8;
        }
        const gr = gw2 + wr;
        g[gr] += s0; g[gr + 1] += s1; g[gr + 2] += s2; g[gr + 3] += s3; g[gr + 4] += s4;
        g[gr + 5] += s5; g[gr + 6] += s6; g[gr + 7] += s7; g[gr + 8] += s8;
      }
    }
    const gw1 = T['conv1.weight'].offset, gb1 = T['conv1.bias'].offset;
    for (let c = 0; c < f1; c++) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0, s8 = 0, db = 0;
      for (let a = 0; a < 14; a++) for (let b = 0; b < 14; b++) {
        const q = arg1[(c * 14 + a) * 14 + b]; if (q < 0) continue;
        const d = dp1[c * P2 * P2 + (a + 1) * P2 + b + 1], r1 = q + P1, r2 = r1 + P1;
        db += d;  // dL/dw1 = upstream gradient × input
        s0 += d * xp[q]; s1 += d * xp[q + 1]; s2 += d * xp[q + 2]; s3 += d * xp[r1]; s4 += d * xp[r1 + 1];
        s5 += d * xp[r1 + 2]; s6 += d * xp[r2]; s7 += d * xp[r2 + 1]; s8 += d * xp[r2 + 2];
      }
      const gr = gw1 + c * 9;
      g[gb1 + c] += db; g[gr] += s0; g[gr + 1] += s1; g[gr + 2] += s2; g[gr + 3] += s3; g[gr + 4] += s4;
      g[gr + 5] += s5; g[gr + 6] += s6; g[gr + 7] += s7; g[gr + 8] += s8;
    }
  }

  // ---- Adam with bias correction, as torch.optim.Adam (single-tensor path): beta1 may change every step ----
  function makeAdam(size) { return {m: new Float32Array(size), v: new Float32Array(size), t: 0}; }
  function adamStep(params, grad, st, lr, beta1, beta2 = 0.999, eps = 1e-8) {
    st.t += 1;
    const bc1 = 1 - Math.pow(beta1, st.t), bc2 = 1 - Math.pow(beta2, st.t);
    const stepSize = lr / bc1, bc2Sqrt = Math.sqrt(bc2), {m, v} = st;
    for (let i = 0; i < params.length; i++) {
      const gi = grad[i];
      m[i] += (1 - beta1) * (gi - m[i]);          // exp_avg.lerp_(grad, 1 - beta1)
      v[i] = v[i] * beta2 + (1 - beta2) * gi * gi; // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
      params[i] -= stepSize * m[i] / (Math.sqrt(v[i]) / bc2Sqrt + eps);
    }
  }

  // ---- the learning rate and Adam's beta1 at step `step` (0-based) of `total`, as torch's OneCycleLR ----
  // (anneal 'cos', pct_start 0.3, div_factor 25, final_div_factor 1e4, two phases, beta1 cycled 0.95 → 0.85 → 0.95)
  function oneCycle(step, total, maxLr, o = {}) {
    const pct0 = o.pctStart ?? 0.3, div = o.divFactor ?? 25, finalDiv = o.finalDivFactor ?? 1e4;
    const maxM = o.maxMomentum ?? 0.95, baseM = o.baseMomentum ?? 0.85;
    const initial = maxLr / div, min = initial / finalDiv;
    const phases = [{end: pct0 * total - 1, lr: [initial, maxLr], m: [maxM, baseM]},
                    {end: total - 1, lr: [maxLr, min], m: [baseM, maxM]}];
    const cos = (start, end, pct) => end + (start - end) / 2.0 * (Math.cos(Math.PI * pct) + 1);
    let start = 0;
    for (let i = 0; i < phases.length; i++) {
      const ph = phases[i];
      if (step <= ph.end || i === phases.length - 1) {
        const pct = (step - start) / (ph.end - start);
        return {lr: cos(ph.lr[0], ph.lr[1], pct), beta1: cos(ph.m[0], ph.m[1], pct)};
      }
      start = ph.end;
    }
  }
  // The schedule of a recipe: one-cycle, or a constant rate with Adam's default beta1.
  const rateAt = (r, step) => r.schedule === 'onecycle' ? oneCycle(step, r.totalSteps, r.lr) : {lr: r.lr, beta1: 0.9};

  // ---- a trainer: the parameters, Adam's state, and one step on a batch ----
  function makeTrainer(f1, f2, params, recipe) {
    const lay = layout(f1, f2);
    if (params.length !== lay.size) throw new Error(`expected ${lay.size} parameters for ${f1}/${f2} filters, got ${params.length}`);
    const tr = {lay, params: Float32Array.from(params), net: makeNet(lay), adam: makeAdam(lay.size), step: 0, recipe,
                acc: new Float64Array(lay.size), grad: new Float32Array(lay.size), dz: new Float64Array(K)};
    load(tr.net, tr.params);
    return tr;
  }
  // One step on `n` normalised images (x: n×784 Float32Array, y: labels): the mean loss, correct count, rate used.
  function trainStep(tr, x, y, n) {
    const {net, acc, dz, recipe} = tr, eps = recipe.labelSmoothing;
    acc.fill(0);
    let loss = 0, correct = 0;
    for (let s = 0; s < n; s++) {
      forward(net, x, s * 784);
      loss += softmaxLoss(net, y[s], eps);
      let best = 0; for (let k = 1; k < K; k++) if (net.logits[k] > net.logits[best]) best = k;
      if (best === y[s]) correct++;
      for (let k = 0; k < K; k++) dz[k] = (net.probs[k] - ((k === y[s] ? 1 - eps : 0) + eps / K)) / n;
      backward(net, x, s * 784, dz, acc);
    }
    tr.grad.set(acc);  // float32 gradients, as PyTorch's (summed here in float64)
    const rate = rateAt(recipe, tr.step);
    adamStep(tr.params, tr.grad, tr.adam, rate.lr, rate.beta1);
    load(net, tr.params);
    tr.step += 1;
    return {loss: loss / n, correct, lr: rate.lr, beta1: rate.beta1};
  }
  // Loss and accuracy of the current weights on `n` images (no training).
  function evaluate(tr, x, y, n) {
    let loss = 0, correct = 0;
    for (let s = 0; s < n; s++) {
      forward(tr.net, x, s * 784);
      loss += softmaxLoss(tr.net, y[s], 0);
      let best = 0; for (let k = 1; k < K; k++) if (tr.net.logits[k] > tr.net.logits[best]) best = k;
      if (best === y[s]) correct++;
    }
    return {loss: loss / n, accuracy: correct / n};
  }
  // Images (uint8, n×784) normalised as tinycnn's ImageSet.x does, bit for bit: (v - 255·mean) / (255·std), each
  // operation in float32 (Math.fround of a double operation on float32 numbers is the float32 operation).
  function normalize(bytes, mean, std) {
    const f = Math.fround, out = new Float32Array(bytes.length), a = f(255 * f(mean)), b = f(255 * f(std));
    for (let i = 0; i < bytes.length; i++) out[i] = f(bytes[i] - a) / b;
    return out;
  }
  // conv1's maps of one normalised image, before pooling (f1 × 28 × 28), for the page's pictures.
  function conv1Maps(tr, x, at) {
    forward(tr.net, x, at);
    const {f1, c1} = tr.net, out = new Float32Array(f1 * SIZE * SIZE);
    for (let c = 0; c < f1; c++) for (let i = 0; i < SIZE; i++) for (let j = 0; j < SIZE; j++)
      out[(c * SIZE + i) * SIZE + j] = c1[c * L1 + i * P1 + j];
    return out;
  }
  return {layout, view, initParams, mulberry32, makeTrainer, trainStep, evaluate, normalize, conv1Maps, oneCycle, load};
}

// ---- the worker: trains on its own thread, reading the page's messages between steps ----
// In: init {f1, f2, params, recipe, train: {images, labels}, test, mean, std, evalEvery}, run, pause, evaluate, check
// {f1, f2, params, recipe, batches} (the tests'). Out: progress, test, weights, paused, done, diverged, checked, error.
function tinycnnTrainerWorker(scope, core) {
  'use strict';
  let S = null, running = false, lastWeights = 0;
  const post = (msg, transfer) => scope.postMessage(msg, transfer || []);
  const yieldNow = (() => {  // a task with no timer clamping, so that messages (pause) are handled between steps
    const ch = new MessageChannel(); ch.port1.onmessage = () => loop();
    return () => ch.port2.postMessage(0);
  })();
  function init(msg) {
    const r = msg.recipe, nTrain = msg.train.labels.length;
    const steps = Math.ceil(nTrain / r.batchSize);
    const recipe = Object.assign({}, r, {totalSteps: r.epochs * steps});
    S = {tr: core.makeTrainer(msg.f1, msg.f2, msg.params, recipe), recipe, steps, nTrain,
         x: core.normalize(msg.train.images, msg.mean, msg.std), y: msg.train.labels,
         tx: core.normalize(msg.test.images, msg.mean, msg.std), ty: msg.test.labels,
         order: new Uint32Array(nTrain), rand: core.mulberry32(r.seed ?? 0), evalEvery: msg.evalEvery || 200,
         bx: new Float32Array(r.batchSize * 784), by: new Uint8Array(r.batchSize), ms: 0, images: 0, done: false};
  }
  function shuffle() {  // a new order every epoch (Fisher–Yates with the seeded generator)
    const o = S.order;
    for (let i = 0; i < o.length; i++) o[i] = i;
    for (let i = o.length - 1; i > 0; i--) { const j = Math.floor(S.rand() * (i + 1)), t = o[i]; o[i] = o[j]; o[j] = t; }
  }
  function evaluateNow(requested) {
    const r = core.evaluate(S.tr, S.tx, S.ty, S.ty.length);
    post({type: 'test', step: S.tr.step, accuracy: r.accuracy, loss: r.loss, images: S.images, requested: !!requested});
  }
  function stepOnce() {
    const tr = S.tr, i = tr.step % S.steps, t0 = performance.now();
    if (i === 0) shuffle();
    const from = i * S.recipe.batchSize, n = Math.min(S.recipe.batchSize, S.nTrain - from);
    for (let s = 0; s < n; s++) { const j = S.order[from + s]; S.bx.set(S.x.subarray(j * 784, j * 784 + 784), s * 784); S.by[s] = S.y[j]; }
    const r = core.trainStep(tr, S.bx, S.by, n);
    S.ms += performance.now() - t0; S.images += n;
    post({type: 'progress', step: tr.step, loss: r.loss, accuracy: r.correct / n, lr: r.lr, beta1: r.beta1,
          epoch: Math.floor((tr.step - 1) / S.steps) + 1, images: S.images, trainMs: S.ms, totalSteps: S.recipe.totalSteps});
    if (!(r.loss <= 3 * Math.log(10))) {  // NaN, infinite, or over 3× the loss of guessing (ln 10): it has blown up
      running = false;
      post({type: 'diverged', step: tr.step, loss: r.loss, lr: S.recipe.lr});
      return;
    }
    if (tr.step % S.evalEvery === 0 || tr.step === S.recipe.totalSteps) evaluateNow(false);
    if (tr.step === S.recipe.totalSteps) { running = false; S.done = true; sendWeights(); post({type: 'done', step: tr.step}); }
  }
  function sendWeights() {
    const p = Float32Array.from(S.tr.params);
    post({type: 'weights', step: S.tr.step, params: p}, [p.buffer]);
    lastWeights = performance.now();
  }
  function loop() {
    if (!running) return;
    try { stepOnce(); } catch (e) { running = false; post({type: 'error', message: String(e && e.message || e)}); return; }
    if (performance.now() - lastWeights > 500) sendWeights();  // for the kernels, the maps and the drawn digit
    if (running) yieldNow();
  }
  // The tests' check: `steps` of the same `trainStep` on fixed batches, from fixed weights; returns losses and weights.
  function check(msg) {
    const recipe = Object.assign({}, msg.recipe, {totalSteps: msg.recipe.totalSteps ?? msg.batches.length});
    const tr = core.makeTrainer(msg.f1, msg.f2, msg.params, recipe), losses = [];
    for (const b of msg.batches) {
      const x = core.normalize(b.images, msg.mean, msg.std);
      losses.push(core.trainStep(tr, x, b.labels, b.labels.length).loss);
    }
    post({type: 'checked', losses, params: tr.params});
  }
  scope.onmessage = e => {
    const msg = e.data;
    try {
      if (msg.cmd === 'init') { running = false; init(msg); post({type: 'ready'}); }
      else if (msg.cmd === 'run' && S && !S.done && !running) { running = true; lastWeights = performance.now(); yieldNow(); }
      else if (msg.cmd === 'pause') { running = false; if (S) { sendWeights(); post({type: 'paused', step: S.tr.step}); } }
      else if (msg.cmd === 'evaluate' && S) evaluateNow(true);
      else if (msg.cmd === 'check') check(msg);
    } catch (err) { running = false; post({type: 'error', message: String(err && err.message || err)}); }
  };
}

// Start a worker running `tinycnnTrainerWorker` on `tinycnnTrainerCore()`, from a Blob URL of their own source text:
// no separate file to serve, so it works wherever the page's inline script runs. Where a page may not start workers,
// the same code runs on the page's own thread behind the same interface (training then makes the page less responsive).
function tinycnnStartTrainer() {
  const src = `(${tinycnnTrainerWorker.toString()})(self, (${tinycnnTrainerCore.toString()})());`;
  try {
    const url = URL.createObjectURL(new Blob([src], {type: 'text/javascript'}));
    const worker = new Worker(url);
    worker.addEventListener('message', () => URL.revokeObjectURL(url), {once: true});  // it has its script by then
    worker.inPage = false;
    return worker;
  } catch (e) {
    const listeners = [], scope = {postMessage: msg => setTimeout(() => listeners.forEach(f => f({data: msg})), 0)};
    let stopped = false;
    tinycnnTrainerWorker(scope, tinycnnTrainerCore());
    return {inPage: true, why: String(e && e.message || e),
            postMessage: msg => { if (!stopped) setTimeout(() => scope.onmessage({data: msg}), 0); },
            addEventListener: (type, f) => { if (type === 'message') listeners.push(f); },
            terminate: () => { stopped = true; scope.onmessage({data: {cmd: 'pause'}}); listeners.length = 0; }};
  }
}

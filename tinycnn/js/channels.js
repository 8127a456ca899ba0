// tinycnn: one output channel of TinyCNN's second convolution, built from its input channels, in the browser.
// `tinycnn.channels.channel_explorer` inlines this file into a notebook's HTML output with the weights of
// `conv1` and `conv2` (base64 float32) and a few test digits (base64 uint8), and calls `tinycnnChannels(root, spec)`.
// `tinycnnChannelMath` computes conv1 → ReLU → 2×2 max-pool (conv2's input maps), then, for one output `o` of
// conv2, the partial map of every input channel `c` (input map `c` cross-correlated with its kernel slice
// `w[o, c]`), their sum, the bias and the ReLU: `tinycnn.channels.channel_partials` in Python. The browser test
// checks these numbers against PyTorch's. Every text from the spec is set with `textContent`, never as HTML.
var tinycnnChannelMath = (function() {
  'use strict';
  function floats(b64) {  // little-endian float32, as numpy's '<f4' writes them
    const bin = atob(b64), bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new Float32Array(bytes.buffer);
  }
  function pixels(b64) {
    const bin = atob(b64), out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  // x: H×W, k: K×K, zero padding P, stride 1 → (H + 2P − K + 1)×(W + 2P − K + 1), as `cross_correlate2d`
  function correlate(x, H, W, k, K, P, out, at) {
    const h = H + 2 * P - K + 1, w = W + 2 * P - K + 1;
    for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) {
      let s = 0;
      for (let m = 0; m < K; m++) {
        const r = i + m - P;
        if (r < 0 || r >= H) continue;  // a padding zero
        for (let q = 0; q < K; q++) {
          const c = j + q - P;
          if (c >= 0 && c < W) s += x[at + r * W + c] * k[m * K + q];
        }
      }
      out[i * w + j] = s;
    }
    return out;
  }
  // The model's numbers: `params` from `weights_to_json` (conv1 and conv2), `padding` [conv1's, conv2's]
  function make(spec) {
    const P = {};
    for (const [name, t] of Object.entries(spec.params)) P[name] = {shape: t.shape, data: floats(t.data)};
    const w1 = P['conv1.weight'], w2 = P['conv2.weight'], b1 = P['conv1.bias'].data, b2 = P['conv2.bias'].data;
    const [F1, , K1] = w1.shape, [F2, C2, K2] = w2.shape, [p1, p2] = spec.padding, size = spec.size;
    const H1 = size + 2 * p1 - K1 + 1, H = Math.floor(H1 / 2), Ho = H + 2 * p2 - K2 + 1;
    const images = spec.digits.map(d => pixels(d.data)), cache = new Map();
    function inputs(d) {  // conv2's input maps for digit d: conv1 → ReLU → 2×2 max-pool, C2×H×H
      if (cache.has(d)) return cache.get(d);
      const x = Float64Array.from(images[d], v => (v - 255 * spec.mean) / (255 * spec.std));
      const out = new Float64Array(F1 * H * H), map = new Float64Array(H1 * H1);
      for (let f = 0; f < F1; f++) {
        correlate(x, size, size, w1.data.subarray(f * K1 * K1, (f + 1) * K1 * K1), K1, p1, map, 0);
        for (let i = 0; i < H; i++) for (let j = 0; j < H; j++) {
          let m = 0;  // max(0, ·): the ReLU
          for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) m = Math.max(m, map[(2 * i + a) * H1 + 2 * j + b] + b1[f]);
          out[(f * H + i) * H + j] = m;
        }
      }
      cache.set(d, out);
      return out;
    }
    function compute(d, o) {  // output o of conv2 on digit d, piece by piece
      const x = inputs(d), n = Ho * Ho, partials = [], kernels = [], maps = [];
      const sum = new Float64Array(n), pre = new Float64Array(n), relu = new Float64Array(n);
      for (let c = 0; c < C2; c++) {
        const k = w2.data.subarray((o * C2 + c) * K2 * K2, (o * C2 + c + 1) * K2 * K2);
        const part = correlate(x, H, H, k, K2, p2, new Float64Array(n), c * H * H);
        for (let i = 0; i < n; i++) sum[i] += part[i];
        partials.push(part); kernels.push(k); maps.push(x.subarray(c * H * H, (c + 1) * H * H));
      }
      for (let i = 0; i < n; i++) { pre[i] = sum[i] + b2[o]; relu[i] = Math.max(0, pre[i]); }
      return {inputs: maps, kernels, partials, sum, bias: b2[o], pre, relu, h: Ho, w: Ho, H, K: K2};
    }
    return {compute, outputs: F2, channels: C2};
  }
  return {make, correlate};
})();

function tinycnnChannels(root, spec) {
  'use strict';
  const M = tinycnnChannelMath.make(spec);
  const el = (tag, attrs, text) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const fmt = v => (v < 0 && v.toFixed(3) !== '-0.000' ? '\u2212' : '') + Math.abs(v).toFixed(3);  // 3 decimals, a real minus sign
  const absMax = arrays => arrays.reduce((m, a) => a.reduce((mm, v) => Math.max(mm, Math.abs(v)), m), 0);
  root.textContent = '';
  root.classList.add('tinycnn-channels');
  root.appendChild(el('style', {}, `
.tinycnn-channels{font-family:system-ui,sans-serif;font-size:14px;max-width:100%;box-sizing:border-box}
.tinycnn-channels *{box-sizing:border-box}
.tinycnn-channels .tcc-title{font-weight:600;margin:2px 0 6px}
.tinycnn-channels .tcc-controls{display:flex;flex-wrap:wrap;gap:6px 12px;align-items:center;margin:4px 0}
.tinycnn-channels label{display:inline-flex;gap:4px;align-items:center}
.tinycnn-channels select,.tinycnn-channels button{font:inherit;padding:3px 8px;min-height:32px;max-width:100%}
.tinycnn-channels button{cursor:pointer;border:1px solid #888;border-radius:4px;background:#f4f4f4;color:#111}
.tinycnn-channels :focus-visible{outline:3px solid #1a73e8;outline-offset:2px}
.tinycnn-channels .tcc-cards{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
.tinycnn-channels .tcc-card{border:1px solid #ddd;border-radius:4px;padding:4px 6px;min-width:0}
.tinycnn-channels .tcc-row{display:flex;align-items:center;gap:4px}
.tinycnn-channels .tcc-op{color:#555;font-size:13px}
.tinycnn-channels .tcc-small{font-size:11px;color:#333;font-variant-numeric:tabular-nums;margin:2px 0 0}
.tinycnn-channels canvas{display:block;image-rendering:pixelated;cursor:crosshair}
.tinycnn-channels .tcc-result{display:flex;flex-wrap:wrap;gap:6px 10px;align-items:center;border-top:1px solid #ddd;padding-top:8px}
.tinycnn-channels .tcc-result figure{margin:0}
.tinycnn-channels figcaption{font-size:12px;max-width:12em}
.tinycnn-channels .tcc-numbers{font-variant-numeric:tabular-nums;margin:6px 0;overflow-wrap:anywhere}
.tinycnn-channels .tcc-note{color:#555;font-size:12px;margin:4px 0;max-width:48em}
`));
  // ---- controls: native <select>s and <button>s, so the keyboard works as everywhere else ----------------
  root.appendChild(el('p', {class: 'tcc-title'}, spec.title));
  const controls = el('div', {class: 'tcc-controls'});
  const select = (label, name, options) => {
    const lab = el('label', {}, label + ' '), s = el('select', {name});
    options.forEach(([value, text]) => s.appendChild(el('option', {value: String(value)}, text)));
    lab.appendChild(s); controls.appendChild(lab);
    return s;
  };
  const range = n => Array.from({length: n}, (_, i) => i);
  const digitSel = select('digit', 'digit', spec.digits.map((d, i) => [i, d.title]));
  const outputSel = select('conv2 output', 'output', range(M.outputs).map(o => [o, `output ${o}`]));
  const prev = el('button', {type: 'button', name: 'prev', 'aria-label': 'previous output'}, '\u25C0');
  const next = el('button', {type: 'button', name: 'next', 'aria-label': 'next output'}, '\u25B6');
  const step = el('span', {role: 'group', 'aria-label': 'step through the outputs', style: 'display:inline-flex;gap:6px'});
  step.append(prev, next);
  controls.append(step);
  const first = M.compute(0, 0), rowSel = select('pixel: row', 'row', range(first.h).map(i => [i, String(i)]));
  const colSel = select('column', 'col', range(first.w).map(j => [j, String(j)]));
  const strongest = el('button', {type: 'button', name: 'strongest'}, 'strongest pixel');
  controls.append(strongest);
  root.appendChild(controls);
  const note = el('p', {class: 'tcc-note', 'aria-live': 'polite'});
  const cards = el('div', {class: 'tcc-cards'}), result = el('div', {class: 'tcc-result'});
  const numbers = el('p', {class: 'tcc-numbers'});
  root.append(note, cards, result, numbers, el('p', {class: 'tcc-note'},
    'Each card: an input map (conv2 sees 16, after conv1, ReLU and pooling) \u22C6 its own 3\u00D73 kernel slice = its partial map. ' +
    'Colours: blue negative, white 0, red positive (input maps, never negative: dark to bright). The black-and-white box marks ' +
    'the chosen pixel, and on the input maps the 3\u00D73 patch its kernel slice sees. Click a map to choose a pixel.'));

  // ---- drawing ------------------------------------------------------------------------------------------
  const colour = (pal, t) => pal[Math.max(0, Math.min(pal.length - 1, Math.round(t * (pal.length - 1))))];
  function paint(canvas, data, h, w, zoom, scale, signed, box) {  // box: [r0, c0, r1, c1] to outline, or null
    canvas.width = w * zoom; canvas.height = h * zoom;
    canvas.style.width = `${w * zoom}px`; canvas.style.height = `${h * zoom}px`;
    const g = canvas.getContext('2d'), img = g.createImageData(w * zoom, h * zoom), pal = signed ? spec.cmaps.signed : spec.cmaps.maps;
    for (let i = 0; i < h * zoom; i++) for (let j = 0; j < w * zoom; j++) {
      const v = data[Math.floor(i / zoom) * w + Math.floor(j / zoom)];
      const t = scale > 0 ? (signed ? (v / scale + 1) / 2 : v / scale) : (signed ? 0.5 : 0);
      const [r, gg, b] = colour(pal, t), k = 4 * (i * w * zoom + j);
      img.data[k] = r; img.data[k + 1] = gg; img.data[k + 2] = b; img.data[k + 3] = 255;
    }
    g.putImageData(img, 0, 0);
    if (!box) return;
    const [r0, c0, r1, c1] = box.map(v => v * zoom);
    g.lineWidth = 1;
    g.strokeStyle = '#fff'; g.strokeRect(c0 + 0.5, r0 + 0.5, c1 - c0 - 1, r1 - r0 - 1);
    g.strokeStyle = '#000'; g.strokeRect(c0 - 0.5, r0 - 0.5, c1 - c0 + 1, r1 - r0 + 1);
  }
  const map = (cls, label) => el('canvas', {class: cls, role: 'img', 'aria-label': label});
  function figure(cls, caption) {
    const f = el('figure', {}), c = map(cls, caption), cap = el('figcaption', {}, caption);
    f.append(c, cap);
    return {f, c, cap};
  }

  let state = null;
  function pick(canvas, h, w) {  // a click on a map chooses its pixel
    canvas.addEventListener('click', e => {
      const r = canvas.getBoundingClientRect();
      rowSel.value = String(Math.min(h - 1, Math.floor((e.clientY - r.top) / r.height * h)));
      colSel.value = String(Math.min(w - 1, Math.floor((e.clientX - r.left) / r.width * w)));
      draw();
    });
  }
  function build() {  // the cards and the result row, once; `draw` repaints them
    cards.textContent = ''; result.textContent = '';
    const parts = range(M.channels).map(c => {
      const card = el('div', {class: 'tcc-card'}), row = el('div', {class: 'tcc-row'});
      const input = map('tcc-in', `input map ${c}`), kernel = map('tcc-k', `kernel slice ${c}`), part = map('tcc-part', `partial map ${c}`);
      row.append(input, el('span', {class: 'tcc-op'}, '\u22C6'), kernel, el('span', {class: 'tcc-op'}, '='), part);
      const value = el('p', {class: 'tcc-small tcc-partial-value'});
      card.append(el('p', {class: 'tcc-small'}, `input channel ${c}`), row, value);
      cards.appendChild(card);
      return {input, kernel, part, value};
    });
    const sum = figure('tcc-sum', 'sum of the partial maps'), pre = figure('tcc-pre', 'sum + bias'), relu = figure('tcc-relu', 'ReLU');
    result.append(el('span', {class: 'tcc-op'}, '\u03A3 \u2192'), sum.f, el('span', {class: 'tcc-op'}, '+ bias \u2192'), pre.f,
                  el('span', {class: 'tcc-op'}, 'ReLU \u2192'), relu.f);
    state = {parts, sum, pre, relu};
    const {h, w} = first;
    for (const p of parts) { pick(p.input, h, w); pick(p.part, h, w); }
    for (const m of [sum, pre, relu]) pick(m.c, h, w);
  }
  const n = M.outputs;
  function label(d) {  // each output's option says how strongly it fires on this digit
    for (let o = 0; o < n; o++) {
      const top = M.compute(d, o).relu.reduce((a, b) => Math.max(a, b), 0);
      outputSel.options[o].textContent = `output ${o}: ` + (top > 0 ? `max ${fmt(top)}` : '0 everywhere');
    }
  }
  function strongestPixel(r) {
    let best = 0;
    r.pre.forEach((v, i) => { if (v > r.pre[best]) best = i; });
    rowSel.value = String(Math.floor(best / r.w)); colSel.value = String(best % r.w);
  }
  function draw() {
    const d = +digitSel.value, o = +outputSel.value, i = +rowSel.value, j = +colSel.value, r = M.compute(d, o), at = i * r.w + j;
    Object.assign(root.dataset, {digit: String(d), output: String(o), row: String(i), col: String(j)});
    const narrow = (root.clientWidth || 800) < 520, zoom = narrow ? 3 : 4, kz = zoom * 3, rz = narrow ? 5 : 6, half = (r.K - 1) / 2;
    const inMax = absMax(r.inputs), kMax = absMax(r.kernels), partMax = absMax(r.partials), outMax = absMax([r.sum, r.pre]);
    const patch = [Math.max(0, i - half), Math.max(0, j - half), Math.min(r.H, i + half + 1), Math.min(r.H, j + half + 1)];
    const pixel = [i, j, i + 1, j + 1];
    state.parts.forEach((p, c) => {
      paint(p.input, r.inputs[c], r.H, r.H, zoom, inMax, false, patch);
      paint(p.kernel, r.kernels[c], r.K, r.K, kz, kMax, true, null);
      paint(p.part, r.partials[c], r.h, r.w, zoom, partMax, true, pixel);
      p.value.textContent = `at the pixel: ${fmt(r.partials[c][at])}`;
    });
    paint(state.sum.c, r.sum, r.h, r.w, rz, outMax, true, pixel);
    paint(state.pre.c, r.pre, r.h, r.w, rz, outMax, true, pixel);
    paint(state.relu.c, r.relu, r.h, r.w, rz, outMax, true, pixel);
    const dead = r.relu.every(v => v === 0);
    state.relu.cap.textContent = dead ? 'ReLU: 0 everywhere' : 'ReLU: what pooling gets next';
    numbers.textContent = '';
    const span = (cls, v) => el('span', {class: cls}, fmt(v));
    numbers.append(`Row ${i}, column ${j}: the ${r.partials.length} partials add up to `, span('tcc-sum-value', r.sum[at]),
                   '; plus the bias ', span('tcc-bias-value', r.bias), ' gives ', span('tcc-pre-value', r.pre[at]),
                   '; the ReLU passes on ', span('tcc-relu-value', r.relu[at]), '.');
    note.textContent = `${spec.digits[d].title}, conv2 output ${o}. Scales: input maps 0 to ${fmt(inMax)}; kernel slices \u00B1${fmt(kMax)}; ` +
      `partial maps \u00B1${fmt(partMax)}; sum, sum + bias and ReLU \u00B1${fmt(outMax)}.`;
  }
  function show(fresh) { const r = M.compute(+digitSel.value, +outputSel.value); if (fresh) strongestPixel(r); draw(); }
  digitSel.addEventListener('change', () => { label(+digitSel.value); show(true); });
  outputSel.addEventListener('change', () => show(true));
  prev.addEventListener('click', () => { outputSel.value = String((+outputSel.value + n - 1) % n); show(true); });
  next.addEventListener('click', () => { outputSel.value = String((+outputSel.value + 1) % n); show(true); });
  rowSel.addEventListener('change', () => draw());
  colSel.addEventListener('change', () => draw());
  strongest.addEventListener('click', () => show(true));
  let width = root.clientWidth;
  window.addEventListener('resize', () => { if (root.clientWidth !== width) { width = root.clientWidth; draw(); } });
  build();
  outputSel.value = String(Math.min(n - 1, Math.max(0, spec.output | 0)));
  label(0);
  show(true);
  // for tests and for the curious: every number of any choice, from the embedded weights and digits
  root.tinycnnChannels = {
    digits: spec.digits.map(d => d.title),
    compute: (d, o) => {
      const r = M.compute(d, o), a = x => Array.from(x);
      return {inputs: r.inputs.map(a), kernels: r.kernels.map(a), partials: r.partials.map(a), sum: a(r.sum), bias: r.bias,
              pre: a(r.pre), relu: a(r.relu), h: r.h, w: r.w};
    },
  };
  return root.tinycnnChannels;
}

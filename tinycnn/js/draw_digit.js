// tinycnn: draw a digit and watch TinyCNN classify it, in the browser, with no server and no kernel.
// `tinycnn.visualization.draw_digit_explorer` inlines this file into a notebook's HTML output with the
// trained weights (base64 float32) and calls `tinycnnDrawDigit(root, spec)`.
// The forward pass mirrors `tinycnn.model.TinyCNN.forward`, and `preprocess` mirrors
// `tinycnn.visualization.mnist_preprocess`; the browser tests check both against Python.
function tinycnnDrawDigit(root, spec) {
  'use strict';
  // ---- weights ---------------------------------------------------------------------------------
  function decode(b64) {
    const bin = atob(b64), bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new Float32Array(bytes.buffer);  // little-endian, as written by numpy's '<f4'
  }
  const P = {};
  for (const [name, t] of Object.entries(spec.params)) P[name] = {shape: t.shape, data: decode(t.data)};
  const size = spec.input_size;  // 28

  // ---- the forward pass: conv(3×3, padding 1) → ReLU → 2×2 max-pool, twice, then a linear layer ----
  function conv3x3(x, C, H, W, w, b, O) {  // x: C×H×W, w: O×C×3×3 → O×H×W (before ReLU)
    const out = new Float64Array(O * H * W);
    for (let o = 0; o < O; o++) for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) {
      let s = b[o];
      for (let c = 0; c < C; c++) for (let di = -1; di <= 1; di++) {
        const ii = i + di;
        if (ii < 0 || ii >= H) continue;
        for (let dj = -1; dj <= 1; dj++) {
          const jj = j + dj;
          if (jj < 0 || jj >= W) continue;
          s += x[(c * H + ii) * W + jj] * w[((o * C + c) * 3 + di + 1) * 3 + dj + 1];
        }
      }
      out[(o * H + i) * W + j] = s;
    }
    return out;
  }
  function reluPool(x, C, H, W) {  // ReLU then 2×2 max-pool (floor) → C×⌊H/2⌋×⌊W/2⌋
    const h = Math.floor(H / 2), w = Math.floor(W / 2), out = new Float64Array(C * h * w);
    for (let c = 0; c < C; c++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) {
      let m = 0;  // max(0, ·) is the ReLU
      for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) m = Math.max(m, x[(c * H + 2 * i + a) * W + 2 * j + b]);
      out[(c * h + i) * w + j] = m;
    }
    return out;
  }
  function linear(x, w, b, O) {  // w: O×N
    const N = x.length, out = new Float64Array(O);
    for (let o = 0; o < O; o++) { let s = b[o]; for (let n = 0; n < N; n++) s += x[n] * w[o * N + n]; out[o] = s; }
    return out;
  }
  function forward(x) {  // x: the normalized input, C×size×size → every layer's output
    const C = P['conv1.weight'].shape[1], F1 = P['conv1.weight'].shape[0], F2 = P['conv2.weight'].shape[0];
    const h1 = size, h2 = Math.floor(size / 2), h3 = Math.floor(size / 4);
    const conv1 = conv3x3(x, C, h1, h1, P['conv1.weight'].data, P['conv1.bias'].data, F1);
    const pool1 = reluPool(conv1, F1, h1, h1);
    const conv2 = conv3x3(pool1, F1, h2, h2, P['conv2.weight'].data, P['conv2.bias'].data, F2);
    const pool2 = reluPool(conv2, F2, h2, h2);
    const logits = linear(pool2, P['fc.weight'].data, P['fc.bias'].data, P['fc.bias'].shape[0]);
    const m = Math.max(...logits), e = logits.map(v => Math.exp(v - m)), z = e.reduce((a, b) => a + b, 0);
    return {conv1, conv2, logits, probs: e.map(v => v / z), shapes: {conv1: [F1, h1, h1], conv2: [F2, h2, h2]}};
  }

  // ---- preprocessing, the way MNIST was made: bounding box scaled to fit 20×20, centre of mass at the centre ----
  function resize(a, H, W, th, tw) {  // area average: each source pixel goes to the target pixel its centre falls in
    const sum = new Float64Array(th * tw), cnt = new Float64Array(th * tw), out = new Float64Array(th * tw);
    for (let r = 0; r < H; r++) { const ti = Math.floor((r + 0.5) * th / H);
      for (let c = 0; c < W; c++) { const k = ti * tw + Math.floor((c + 0.5) * tw / W); sum[k] += a[r * W + c]; cnt[k] += 1; } }
    for (let i = 0; i < th; i++) for (let j = 0; j < tw; j++) {  // enlarging: the nearest source pixel
      const k = i * tw + j;
      out[k] = cnt[k] ? sum[k] / cnt[k] : a[Math.floor((i + 0.5) * H / th) * W + Math.floor((j + 0.5) * W / tw)];
    }
    return out;
  }
  function preprocess(gray, H, W, box = 20) {  // gray: H×W in 0..255 → size×size in 0..255
    let r0 = H, r1 = -1, c0 = W, c1 = -1;
    for (let r = 0; r < H; r++) for (let c = 0; c < W; c++) if (gray[r * W + c] > 0) {
      r0 = Math.min(r0, r); r1 = Math.max(r1, r); c0 = Math.min(c0, c); c1 = Math.max(c1, c);
    }
    const out = new Float64Array(size * size);
    if (r1 < 0) return out;  // nothing drawn
    const h = r1 - r0 + 1, w = c1 - c0 + 1, s = box / Math.max(h, w);
    const th = Math.max(1, Math.floor(h * s + 0.5)), tw = Math.max(1, Math.floor(w * s + 0.5));
    const crop = new Float64Array(h * w);
    for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) crop[r * w + c] = gray[(r0 + r) * W + c0 + c];
    const small = resize(crop, h, w, th, tw);
    let m = 0, cy = 0, cx = 0;
    for (let i = 0; i < th; i++) for (let j = 0; j < tw; j++) { const v = small[i * tw + j]; m += v; cy += v * i; cx += v * j; }
    const centre = size / 2, clamp = (v, hi) => Math.min(Math.max(v, 0), hi);
    const oy = clamp(Math.floor(centre - cy / m + 0.5), size - th), ox = clamp(Math.floor(centre - cx / m + 0.5), size - tw);
    for (let i = 0; i < th; i++) for (let j = 0; j < tw; j++) out[(oy + i) * size + ox + j] = small[i * tw + j];
    return out;
  }
  const normalize = img => Float64Array.from(img, v => (v / 255 - spec.mean) / spec.std);

  // Hooks for tests and for the curious: the last explorer on the page answers.
  window.tinycnnForward = x => Array.from(forward(Float64Array.from(x)).logits);
  window.tinycnnPreprocess = (gray, H, W) => Array.from(preprocess(Float64Array.from(gray), H, W));

  // ---- the page --------------------------------------------------------------------------------
  const el = (tag, attrs = {}, parent = null) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) if (k === 'style') e.style.cssText = v; else e.setAttribute(k, v);
    if (parent) parent.appendChild(e);
    return e;
  };
  const lut = spec.cmap;  // 256 [r, g, b], the same colormap as the Python explorers
  function paint(canvas, data, offset, h, w) {  // one map, scaled to its own min..max
    let lo = Infinity, hi = -Infinity;
    for (let k = 0; k < h * w; k++) { lo = Math.min(lo, data[offset + k]); hi = Math.max(hi, data[offset + k]); }
    const ctx = canvas.getContext('2d'), img = ctx.createImageData(w, h);
    for (let k = 0; k < h * w; k++) {
      const [r, g, b] = lut[Math.round(255 * (data[offset + k] - lo) / (hi - lo + 1e-9))];
      img.data.set([r, g, b, 255], 4 * k);
    }
    ctx.putImageData(img, 0, 0);
  }
  function mapGrid(parent, title, n, h, cols, px) {
    const box = el('div', {class: 'tinycnn-layer', style: 'margin:0 12px 8px 0'}, parent);
    el('div', {style: 'font-weight:600;margin-bottom:4px'}, box).textContent = title;
    const grid = el('div', {style: `display:grid;grid-template-columns:repeat(${cols},${px}px);gap:2px`}, box);
    return Array.from({length: n}, () => el('canvas', {width: h, height: h,
      style: `width:${px}px;height:${px}px;image-rendering:pixelated;background:#000`}, grid));
  }

  root.innerHTML = '';
  root.style.cssText = 'font-family:system-ui,sans-serif;font-size:13px;display:flex;flex-wrap:wrap;align-items:flex-start;gap:8px';
  const left = el('div', {style: 'margin-right:12px;width:280px'}, root);
  el('div', {style: 'font-weight:600;margin-bottom:4px'}, left).textContent = 'Draw a digit';
  const pad = el('canvas', {width: 280, height: 280, class: 'tinycnn-pad',
    style: 'background:#000;border-radius:4px;cursor:crosshair;touch-action:none;display:block'}, left);
  const row = el('div', {style: 'display:flex;align-items:center;gap:8px;margin-top:6px'}, left);
  const clear = el('button', {type: 'button', class: 'tinycnn-clear'}, row); clear.textContent = 'Clear';
  const examples = el('div', {style: 'margin-top:6px;color:#666'}, left);
  examples.textContent = 'or start from a real one: ';
  (spec.examples || []).forEach((ex, k) => {
    const b = el('button', {type: 'button', class: 'tinycnn-example', 'data-label': ex.label, style: 'margin:0 2px 2px 0;min-width:1.8em'}, examples);
    b.textContent = ex.label;
    b.addEventListener('click', () => paintExample(k));
  });
  const seen = el('canvas', {width: size, height: size, class: 'tinycnn-input',
    style: 'width:84px;height:84px;image-rendering:pixelated;background:#000'}, row);
  el('span', {style: 'color:#666;max-width:110px'}, row).textContent = 'what the network sees (28×28)';
  const [F1, F2] = [P['conv1.weight'].shape[0], P['conv2.weight'].shape[0]];
  const maps = el('div', {style: 'display:flex;flex-wrap:wrap'}, root);
  const c1 = mapGrid(maps, `conv1: ${F1} maps, ${size}×${size}`, F1, size, 4, 56);
  const c2 = mapGrid(maps, `conv2: ${F2} maps, ${size / 2}×${size / 2}`, F2, size / 2, 8, 34);
  const right = el('div', {class: 'tinycnn-probs'}, root);
  el('div', {style: 'font-weight:600;margin-bottom:4px'}, right).textContent = 'Class probabilities';
  const bars = spec.classes.map(name => {
    const r = el('div', {style: 'display:flex;align-items:center;gap:6px;height:20px'}, right);
    el('span', {style: 'width:1.2em;text-align:right'}, r).textContent = name;
    const track = el('div', {style: 'width:150px;height:12px;background:#eee;border-radius:2px'}, r);
    const bar = el('div', {style: 'height:12px;width:0;background:#2a6fdb;border-radius:2px'}, track);
    const pct = el('span', {class: 'tinycnn-pct', style: 'width:4em;font-variant-numeric:tabular-nums'}, r);
    return {bar, pct};
  });

  const pctx = pad.getContext('2d');
  function update() {
    const rgba = pctx.getImageData(0, 0, pad.width, pad.height).data, gray = new Float64Array(pad.width * pad.height);
    for (let k = 0; k < gray.length; k++) gray[k] = rgba[4 * k];
    const img = preprocess(gray, pad.height, pad.width), out = forward(normalize(img));
    const sctx = seen.getContext('2d'), simg = sctx.createImageData(size, size);
    for (let k = 0; k < size * size; k++) simg.data.set([img[k], img[k], img[k], 255], 4 * k);
    sctx.putImageData(simg, 0, 0);
    const [n1, h1] = out.shapes.conv1, [n2, h2] = out.shapes.conv2;
    c1.forEach((cv, i) => paint(cv, out.conv1, i * h1 * h1, h1, h1));
    c2.forEach((cv, i) => paint(cv, out.conv2, i * h2 * h2, h2, h2));
    const best = out.probs.indexOf(Math.max(...out.probs));
    out.probs.forEach((p, i) => {
      bars[i].bar.style.width = `${(150 * p).toFixed(1)}px`;
      bars[i].bar.style.background = i === best ? '#e4572e' : '#2a6fdb';
      bars[i].pct.textContent = `${(100 * p).toFixed(1)}%`;
    });
    root.dataset.prediction = spec.classes[best];
  }
  let pending = false;
  const schedule = () => { if (!pending) { pending = true; requestAnimationFrame(() => { pending = false; update(); }); } };

  // Drawing: white strokes on black, as thick as MNIST's strokes once scaled to 20×20.
  let last = null;
  const at = e => { const b = pad.getBoundingClientRect(); return [(e.clientX - b.left) * pad.width / b.width, (e.clientY - b.top) * pad.height / b.height]; };
  pad.addEventListener('pointerdown', e => { pad.setPointerCapture(e.pointerId); last = at(e); stroke(last); });
  pad.addEventListener('pointermove', e => { if (last) { const p = at(e); stroke(p); last = p; } });
  ['pointerup', 'pointercancel'].forEach(t => pad.addEventListener(t, () => { last = null; }));
  function stroke(p) {
    Object.assign(pctx, {strokeStyle: '#fff', lineWidth: 22, lineCap: 'round', lineJoin: 'round'});
    pctx.beginPath();
    if (p === last) { pctx.fillStyle = '#fff'; pctx.arc(p[0], p[1], 11, 0, 2 * Math.PI); pctx.fill(); }  // a dot
    else { pctx.moveTo(last[0], last[1]); pctx.lineTo(p[0], p[1]); pctx.stroke(); }
    schedule();
  }
  const blank = () => { pctx.fillStyle = '#000'; pctx.fillRect(0, 0, pad.width, pad.height); };
  clear.addEventListener('click', () => { blank(); schedule(); });
  function paintExample(k) {  // an MNIST digit, 28×28 bytes, drawn 10× larger on the pad
    const bytes = Uint8Array.from(atob(spec.examples[k].data), ch => ch.charCodeAt(0));
    const small = el('canvas', {width: size, height: size}), sctx = small.getContext('2d'), img = sctx.createImageData(size, size);
    bytes.forEach((v, i) => img.data.set([v, v, v, 255], 4 * i));
    sctx.putImageData(img, 0, 0);
    blank();
    pctx.imageSmoothingEnabled = true;
    pctx.drawImage(small, 0, 0, pad.width, pad.height);
    schedule();
  }
  blank();
  if (spec.examples && spec.examples.length) paintExample(0);
  update();
  // For the in-browser trainer (trainer_ui.js): new weights, name → {shape, data: Float32Array}, same shapes; redraws.
  root.tinycnnSetParams = params => {
    for (const [name, t] of Object.entries(params)) P[name] = {shape: t.shape, data: t.data};
    update();
  };
}

// tinycnn: step a kernel across an image, in the browser, with no server and no kernel.
// `tinycnn.conv_math.conv_explorer` inlines this file into a notebook's HTML output with its inputs and
// kernels (numbers computed in Python at build time) and calls `tinycnnConvExplorer(root, spec)`.
// `tinycnnConv.correlate` mirrors `tinycnn.conv_math.cross_correlate2d` and `tinycnnConv.outSize` mirrors
// `conv_out_size`; the browser test checks both against Python on every setting the explorer offers.
var tinycnnConv = (function() {
  'use strict';
  function outSize(n, k, stride, padding, dilation) {  // null when the kernel does not fit
    const span = dilation * (k - 1) + 1;
    if (span > n + 2 * padding) return null;
    return Math.floor((n + 2 * padding - span) / stride) + 1;
  }
  // x: H×W row by row, k: kh×kw row by row → {h, w, out} (out: h×w row by row), or null when it does not fit
  function correlate(x, H, W, k, kh, kw, stride, padding, dilation) {
    const h = outSize(H, kh, stride, padding, dilation), w = outSize(W, kw, stride, padding, dilation);
    if (h === null || w === null) return null;
    const out = new Float64Array(h * w);
    for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) {
      let s = 0;
      for (let m = 0; m < kh; m++) {
        const r = i * stride + m * dilation - padding;  // row of the unpadded input under tap (m, ·)
        if (r < 0 || r >= H) continue;               // a padding zero
        for (let q = 0; q < kw; q++) {
          const c = j * stride + q * dilation - padding;
          if (c < 0 || c >= W) continue;
          s += x[r * W + c] * k[m * kw + q];
        }
      }
      out[i * w + j] = s;
    }
    return {h, w, out};
  }
  return {outSize, correlate};
})();

function tinycnnConvExplorer(root, spec) {
  'use strict';
  const C = tinycnnConv;
  const el = (tag, attrs, text) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const minus = s => s.replace(/-/g, '\u2212');
  const fmt = v => {
    if (Object.is(v, -0)) v = 0;
    if (Number.isInteger(v)) return minus(String(v));
    const a = Math.abs(v);
    return minus(a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 0.01 ? v.toFixed(2) : v.toExponential(0));
  };
  root.textContent = '';
  root.classList.add('tinycnn-conv');
  const style = el('style', {}, `
.tinycnn-conv{font-family:system-ui,sans-serif;font-size:14px;max-width:100%;box-sizing:border-box}
.tinycnn-conv *{box-sizing:border-box}
.tinycnn-conv .tc-controls,.tinycnn-conv .tc-buttons{display:flex;flex-wrap:wrap;gap:6px 12px;align-items:center;margin:4px 0}
.tinycnn-conv label{display:inline-flex;gap:4px;align-items:center}
.tinycnn-conv select,.tinycnn-conv button{font:inherit;padding:3px 8px;min-height:32px}
.tinycnn-conv button{cursor:pointer;border:1px solid #888;border-radius:4px;background:#f4f4f4;color:#111}
.tinycnn-conv button[aria-disabled=true]{opacity:.5;cursor:default}
.tinycnn-conv :focus-visible{outline:3px solid #1a73e8;outline-offset:2px}
.tinycnn-conv .tc-panels{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start;margin-top:6px}
.tinycnn-conv .tc-panel{max-width:100%;min-width:0}
.tinycnn-conv .tc-title{font-weight:600;margin:2px 0}
.tinycnn-conv .tc-grid{display:grid;gap:1px;background:#ccc;border:1px solid #ccc;width:max-content;max-width:100%}
.tinycnn-conv .tc-out .tc-cell{background:#e2e2e8}
.tinycnn-conv .tc-cell{display:flex;align-items:center;justify-content:center;overflow:hidden;font-size:11px;line-height:1;background:#fff;color:#111}
.tinycnn-conv .tc-pad{background:#eef0f4;color:#889}
.tinycnn-conv .tc-patch{box-shadow:inset 0 0 0 2px #e8710a}
.tinycnn-conv .tc-tap{box-shadow:inset 0 0 0 3px #e8710a;font-weight:700}
.tinycnn-conv .tc-current{box-shadow:inset 0 0 0 3px #e8710a}
.tinycnn-conv .tc-products{border-collapse:collapse;font-variant-numeric:tabular-nums}
.tinycnn-conv .tc-products td{border:1px solid #ccc;padding:2px 6px;text-align:right;font-size:12px}
.tinycnn-conv .tc-products small{display:block;color:#666;font-size:10px}
.tinycnn-conv .tc-sum,.tinycnn-conv .tc-formula{font-variant-numeric:tabular-nums;margin:4px 0}
.tinycnn-conv .tc-formula{font-family:ui-monospace,monospace;font-size:12px;white-space:normal;overflow-wrap:anywhere}
.tinycnn-conv .tc-status{margin:4px 0;min-height:1.4em}
.tinycnn-conv .tc-note{color:#555;font-size:12px;margin:2px 0;max-width:40em}
`);
  root.appendChild(style);

  // ---- controls ----------------------------------------------------------------------------------
  const controls = el('div', {class: 'tc-controls'});
  const select = (label, name, options) => {
    const lab = el('label', {}, label + ' '), s = el('select', {name});
    options.forEach(([value, text]) => s.appendChild(el('option', {value: String(value)}, text)));
    lab.appendChild(s); controls.appendChild(lab);
    return s;
  };
  const inputSel = select('Input', 'input', spec.inputs.map((x, i) => [i, `${x.name} (${x.h}×${x.w})`]));
  const kernelSel = select('Kernel', 'kernel', spec.kernels.map((k, i) => [i, `${k.name} (${k.h}×${k.w})`]));
  const strideSel = select('Stride', 'stride', [1, 2, 3].map(v => [v, String(v)]));
  const paddingSel = select('Padding', 'padding', [0, 1, 2].map(v => [v, String(v)]));
  const dilationSel = select('Dilation', 'dilation', [1, 2].map(v => [v, String(v)]));
  const buttons = el('div', {class: 'tc-buttons', role: 'group', 'aria-label': 'move the kernel'});
  const button = (name, text, label) => { const b = el('button', {type: 'button', name, 'aria-label': label}, text); buttons.appendChild(b); return b; };
  const resetBtn = button('reset', '\u00AB Start', 'back to the first position (Home)');
  const backBtn = button('back', '\u25C0 Back', 'one position back (left arrow)');
  const stepBtn = button('step', 'Step \u25B6', 'one position on (right arrow)');
  const playBtn = button('play', 'Play', 'play or pause');
  const endBtn = button('end', 'All \u00BB', 'fill the whole output (End)');
  playBtn.setAttribute('aria-pressed', 'false');
  const status = el('p', {class: 'tc-status', 'aria-live': 'polite'});
  const help = el('p', {class: 'tc-note'}, 'Orange: the taps of the current patch and its output pixel. Pale cells around the input: padding zeros; grey output cells: still to come. ' +
    'Output colours: red positive, blue negative. Keys: \u2190/\u2192 step, Home/End first/last position, Space or Enter on a button.');
  const kernelNote = el('p', {class: 'tc-note'});
  const panels = el('div', {class: 'tc-panels'});
  const inPanel = el('div', {class: 'tc-panel'}), midPanel = el('div', {class: 'tc-panel'}), outPanel = el('div', {class: 'tc-panel'});
  panels.append(inPanel, midPanel, outPanel);
  root.append(controls, buttons, status, panels, kernelNote, help);

  // ---- state -------------------------------------------------------------------------------------
  let S = null, pos = 0, timer = null;
  const settings = () => ({input: +inputSel.value, kernel: +kernelSel.value, stride: +strideSel.value,
                           padding: +paddingSel.value, dilation: +dilationSel.value});
  function compute(st) {  // the whole output for settings `st` (indices into spec.inputs / spec.kernels)
    const x = spec.inputs[st.input], k = spec.kernels[st.kernel];
    return C.correlate(x.data, x.h, x.w, k.data, k.h, k.w, st.stride, st.padding, st.dilation);
  }
  // cells of at most 34 px, so that a grid of n columns (and its 1 px gaps) fits the explorer's width, up to 330 px
  const cellSize = n => {
    const avail = Math.max(160, Math.min(330, (root.clientWidth || 330) - 4));
    return Math.max(6, Math.min(34, Math.floor((avail - n - 1) / n)));
  };
  function grid(rows, cols, size, label) {
    const g = el('div', {class: 'tc-grid', role: 'img', 'aria-label': label});
    g.style.gridTemplateColumns = `repeat(${cols}, ${size}px)`;
    g.style.gridAutoRows = `${size}px`;
    const cells = [];
    for (let i = 0; i < rows * cols; i++) { const c = el('div', {class: 'tc-cell'}); g.appendChild(c); cells.push(c); }
    return {g, cells};
  }
  const grey = (v, max) => { const t = max > 0 ? Math.round(255 * (1 - v / max)) : 255; return `rgb(${t},${t},${t})`; };
  const diverging = (v, max) => {  // blue (negative), white, red (positive)
    const t = max > 0 ? Math.max(-1, Math.min(1, v / max)) : 0, a = Math.round(255 * (1 - Math.abs(t)));
    return t >= 0 ? `rgb(255,${a},${a})` : `rgb(${a},${a},255)`;
  };
  const ink = bg => { const m = bg.match(/\d+/g).map(Number); return (m[0] * 0.3 + m[1] * 0.59 + m[2] * 0.11) < 128 ? '#fff' : '#111'; };

  function rebuild() {
    stop();
    const st = settings(), x = spec.inputs[st.input], k = spec.kernels[st.kernel], res = compute(st);
    const p = st.padding, H = x.h + 2 * p, W = x.w + 2 * p;
    S = {st, x, k, res, H, W};
    kernelNote.textContent = k.note || '';
    inPanel.textContent = ''; midPanel.textContent = ''; outPanel.textContent = '';
    // input, with its padding
    const inSize = cellSize(W), showIn = inSize >= 22;
    inPanel.appendChild(el('p', {class: 'tc-title'}, `input ${x.h}×${x.w}` + (p ? `, padded to ${H}×${W}` : '')));
    const maxIn = Math.max(...x.data.map(Math.abs));
    S.inGrid = grid(H, W, inSize, `input, ${H} by ${W} cells`);
    S.inGrid.cells.forEach((c, idx) => {
      const r = Math.floor(idx / W) - p, q = idx % W - p;
      if (r < 0 || r >= x.h || q < 0 || q >= x.w) { c.classList.add('tc-pad'); if (showIn) c.textContent = '0'; return; }
      const v = x.data[r * x.w + q], bg = x.data.some(v => v < 0) ? diverging(v, maxIn) : grey(v, maxIn);
      c.style.background = bg; c.style.color = ink(bg);
      if (showIn) c.textContent = fmt(v);
    });
    S.inGrid.g.tabIndex = 0;
    inPanel.appendChild(S.inGrid.g);
    // kernel and products
    midPanel.appendChild(el('p', {class: 'tc-title'}, `kernel ${k.h}×${k.w}` + (st.dilation > 1 ? `, dilation ${st.dilation}: taps ${st.dilation} apart` : '')));
    const kt = el('table', {class: 'tc-products', 'aria-label': 'kernel weights'});
    for (let m = 0; m < k.h; m++) { const tr = el('tr'); for (let q = 0; q < k.w; q++) tr.appendChild(el('td', {}, fmt(k.data[m * k.w + q]))); kt.appendChild(tr); }
    midPanel.appendChild(kt);
    midPanel.appendChild(el('p', {class: 'tc-title'}, 'input \u00D7 kernel, tap by tap'));
    S.prodTable = el('table', {class: 'tc-products', 'aria-label': 'element-wise products'});
    S.prodCells = [];
    for (let m = 0; m < k.h; m++) {
      const tr = el('tr');
      for (let q = 0; q < k.w; q++) { const td = el('td'); tr.appendChild(td); S.prodCells.push(td); }
      S.prodTable.appendChild(tr);
    }
    midPanel.appendChild(S.prodTable);
    S.sum = el('p', {class: 'tc-sum', 'aria-live': 'off'});
    midPanel.appendChild(S.sum);
    // output and its size
    const formula = (n, kk, name) => {
      const o = C.outSize(n, kk, st.stride, p, st.dilation);
      return `${name} = \u230A(${n} + 2\u00B7${p} \u2212 ${st.dilation}\u00B7(${kk} \u2212 1) \u2212 1) / ${st.stride}\u230B + 1 = ` +
             (o === null ? 'none: the kernel is wider than the padded input' : o);
    };
    outPanel.appendChild(el('p', {class: 'tc-title'}, res ? `output ${res.h}×${res.w}` : 'no output'));
    outPanel.appendChild(el('p', {class: 'tc-formula'}, formula(x.h, k.h, 'rows')));
    outPanel.appendChild(el('p', {class: 'tc-formula'}, formula(x.w, k.w, 'columns')));
    if (res) {
      const outSize = cellSize(res.w), showOut = outSize >= 30;
      S.outMax = Math.max(...Array.from(res.out, Math.abs));
      S.outGrid = grid(res.h, res.w, outSize, `output, ${res.h} by ${res.w} cells`);
      S.outGrid.g.classList.add('tc-out');
      S.showOut = showOut;
      outPanel.appendChild(S.outGrid.g);
    }
    // aria-disabled rather than disabled: a disabled button would drop the keyboard focus at the end of the output
    [backBtn, stepBtn, playBtn, endBtn, resetBtn].forEach(b => b.setAttribute('aria-disabled', String(!res)));
    pos = 0;
    render();
  }

  function render() {
    const {st, x, k, res, W} = S;
    root.dataset.position = res ? String(pos) : '';
    if (!res) {
      status.textContent = `The ${k.h}×${k.w} kernel with dilation ${st.dilation} spans ${st.dilation * (k.h - 1) + 1} pixels: more than the padded input. Pick more padding, less dilation or another input.`;
      S.prodCells.forEach(td => td.textContent = ''); S.sum.textContent = '';
      S.inGrid.cells.forEach(c => c.classList.remove('tc-patch', 'tc-tap'));
      return;
    }
    const i = Math.floor(pos / res.w), j = pos % res.w, r0 = i * st.stride, c0 = j * st.stride;
    // the patch: its bounding box and its taps
    const spanH = st.dilation * (k.h - 1) + 1, spanW = st.dilation * (k.w - 1) + 1;
    S.inGrid.cells.forEach((c, idx) => {
      const r = Math.floor(idx / W), q = idx % W, inBox = r >= r0 && r < r0 + spanH && q >= c0 && q < c0 + spanW;
      const tap = inBox && (r - r0) % st.dilation === 0 && (q - c0) % st.dilation === 0;
      c.classList.toggle('tc-patch', inBox && !tap);
      c.classList.toggle('tc-tap', tap);
    });
    let sum = 0;
    const terms = [];
    for (let m = 0; m < k.h; m++) for (let q = 0; q < k.w; q++) {
      const rr = r0 + m * st.dilation - st.padding, cc = c0 + q * st.dilation - st.padding;
      const v = rr >= 0 && rr < x.h && cc >= 0 && cc < x.w ? x.data[rr * x.w + cc] : 0, w = k.data[m * k.w + q], prod = v * w;
      sum += prod;
      const td = S.prodCells[m * k.w + q];
      td.textContent = fmt(prod);
      td.appendChild(el('small', {}, `${fmt(v)} \u00D7 ${fmt(w)}`));
      terms.push(prod);
    }
    S.sum.textContent = `sum of the ${terms.length} products = ${fmt(sum)} \u2192 output row ${i}, column ${j}`;
    S.outGrid.cells.forEach((c, idx) => {
      const filled = idx <= pos;
      c.classList.toggle('tc-filled', filled);
      c.classList.toggle('tc-current', idx === pos);
      if (filled) {
        const bg = diverging(res.out[idx], S.outMax);
        c.style.background = bg; c.style.color = ink(bg);
        c.textContent = S.showOut ? fmt(res.out[idx]) : '';
      } else { c.style.background = ''; c.textContent = ''; }
    });
    status.textContent = `Position ${pos + 1} of ${res.h * res.w}: the kernel's top-left tap on padded row ${r0}, column ${c0}; output row ${i}, column ${j} = ${fmt(res.out[pos])}.`;
    const atEnd = String(pos === res.h * res.w - 1);
    [[backBtn, String(pos === 0)], [resetBtn, String(pos === 0)], [stepBtn, atEnd], [endBtn, atEnd], [playBtn, 'false']]
      .forEach(([b, v]) => b.setAttribute('aria-disabled', v));
  }

  const last = () => S.res ? S.res.h * S.res.w - 1 : 0;
  function go(p) { if (!S.res) return; pos = Math.max(0, Math.min(last(), p)); render(); }
  function stop() {
    if (timer) clearInterval(timer);
    timer = null; playBtn.textContent = 'Play'; playBtn.setAttribute('aria-pressed', 'false'); status.setAttribute('aria-live', 'polite');
  }
  function play() {
    if (timer) return stop();
    if (pos === last()) go(0);
    playBtn.textContent = 'Pause'; playBtn.setAttribute('aria-pressed', 'true');
    status.setAttribute('aria-live', 'off');  // no announcement at every step while it plays
    timer = setInterval(() => { if (pos >= last()) stop(); else go(pos + 1); }, Math.max(60, 6000 / (last() + 1)));
  }
  stepBtn.addEventListener('click', () => { stop(); go(pos + 1); });
  backBtn.addEventListener('click', () => { stop(); go(pos - 1); });
  resetBtn.addEventListener('click', () => { stop(); go(0); });
  endBtn.addEventListener('click', () => { stop(); go(last()); });
  playBtn.addEventListener('click', play);
  [inputSel, kernelSel, strideSel, paddingSel, dilationSel].forEach(s => s.addEventListener('change', rebuild));
  let width = root.clientWidth;
  window.addEventListener('resize', () => {  // narrower or wider: new cell sizes, same position
    if (root.clientWidth === width) return;
    width = root.clientWidth;
    const keep = pos; rebuild(); go(keep);
  });
  root.addEventListener('keydown', e => {
    if (e.target.tagName === 'SELECT' || e.altKey || e.ctrlKey || e.metaKey) return;
    const moves = {ArrowRight: pos + 1, ArrowDown: pos + 1, ArrowLeft: pos - 1, ArrowUp: pos - 1, Home: 0, End: last()};
    if (!(e.key in moves)) return;
    e.preventDefault(); stop(); go(moves[e.key]);
  });
  const d = spec.start || {};
  [[inputSel, d.input], [kernelSel, d.kernel], [strideSel, d.stride], [paddingSel, d.padding], [dilationSel, d.dilation]]
    .forEach(([s, v]) => { if (v !== undefined) s.value = String(v); });
  rebuild();
  // for tests and for the curious: the whole output for any settings, from the embedded numbers
  root.tinycnnConv = {compute: st => { const r = compute(st); return r && {h: r.h, w: r.w, out: Array.from(r.out)}; },
                      inputs: spec.inputs.map(x => x.name), kernels: spec.kernels.map(k => k.name)};
  return root.tinycnnConv;
}

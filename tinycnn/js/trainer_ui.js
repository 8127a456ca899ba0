// tinycnn: the in-browser trainer's page, `tinycnnTrainerPage(root, spec)`; needs trainer.js and draw_digit.js.
// spec: digits (base64 of assets/trainer_digits.bin), init ({f1, f2, params: weights_to_json of the seeded TinyCNN}),
// mean, std, cmap, classes, defaults ({lr, batchSize, epochs, f1, f2, schedule, labelSmoothing, evalImages, seed}),
// probe, note. Nothing typed into the page is ever inserted as HTML: text goes through textContent only.
function tinycnnTrainerPage(root, spec) {
  'use strict';
  const core = tinycnnTrainerCore(), D = spec.defaults, K = spec.classes.length;
  const el = (tag, attrs = {}, parent = null, text = null) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) if (k === 'style') e.style.cssText = v; else e.setAttribute(k, v);
    if (text !== null) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  };
  const fmt = (v, d = 3) => !Number.isFinite(v) ? String(v) : Math.abs(v) >= 1e4 || (v && Math.abs(v) < 1e-3) ? v.toExponential(2) : String(+v.toFixed(d));
  const pct = v => `${(100 * v).toFixed(1)} %`;

  // ---- the page ----
  root.innerHTML = '';
  root.style.cssText = 'font-family:system-ui,sans-serif;font-size:13px;max-width:100%;box-sizing:border-box';
  const css = el('style', {}, root);  // scoped by the root's class; no outside stylesheet
  css.textContent = `.tinycnn-trainer *{box-sizing:border-box} .tinycnn-trainer button,.tinycnn-trainer select,
    .tinycnn-trainer input{font:inherit;min-height:30px} .tinycnn-trainer button{padding:2px 12px}
    .tinycnn-trainer :focus-visible{outline:3px solid #2a6fdb;outline-offset:1px}
    .tinycnn-trainer label{display:inline-flex;align-items:center;gap:4px;white-space:nowrap}`;
  root.classList.add('tinycnn-trainer');
  const bar = el('div', {style: 'display:flex;flex-wrap:wrap;gap:6px 12px;align-items:center;margin-bottom:6px'}, root);
  const startB = el('button', {type: 'button', class: 'tinycnn-start'}, bar, 'Start');
  const pauseB = el('button', {type: 'button', class: 'tinycnn-pause'}, bar, 'Pause');
  const resetB = el('button', {type: 'button', class: 'tinycnn-reset'}, bar, 'Reset');
  function field(label, cls, make) {
    const l = el('label', {}, bar, label + ' '), c = make();  // the control inside its label: clicking the words focuses it
    c.classList.add(cls); l.appendChild(c);
    return c;
  }
  const options = (values, chosen, name = v => String(v)) => () => {
    const s = el('select');
    values.forEach(v => { const o = el('option', {value: String(v)}, s, name(v)); if (v === chosen) o.selected = true; });
    return s;
  };
  const lrIn = field('learning rate', 'tinycnn-lr', () => el('input', {type: 'text', inputmode: 'decimal', size: '7',
                     value: String(D.lr), autocomplete: 'off', spellcheck: 'false'}));
  const bsIn = field('batch', 'tinycnn-batch', options([16, 32, 64, 128, 256], D.batchSize));
  const epIn = field('epochs', 'tinycnn-epochs', options([1, 2, 4, 8, 12, 16, 24], D.epochs));
  const f1In = field('conv1 filters', 'tinycnn-f1', options([4, 8, 16, 32], D.f1));
  const f2In = field('conv2 filters', 'tinycnn-f2', options([8, 16, 32, 64], D.f2));
  const schIn = field('schedule', 'tinycnn-schedule', options(['onecycle', 'constant'], D.schedule,
                      v => v === 'onecycle' ? 'one-cycle' : 'constant'));
  const status = el('div', {role: 'status', 'aria-live': 'polite', class: 'tinycnn-status',
                            style: 'min-height:1.4em;font-weight:600;margin:4px 0'}, root, 'Loading the digits…');
  const readout = el('div', {class: 'tinycnn-readout', style: 'min-height:1.4em;color:#444;font-variant-numeric:tabular-nums'}, root);
  const charts = el('div', {style: 'display:flex;flex-wrap:wrap;gap:8px 16px;margin:6px 0'}, root);
  const chart = title => {
    const box = el('div', {style: 'flex:1 1 300px;max-width:520px;min-width:0'}, charts);
    const head = el('div', {style: 'font-weight:600'}, box, title);
    return [el('canvas', {height: '170', role: 'img', 'aria-label': title, style: 'width:100%;height:170px;display:block;background:#fafafa'}, box), head];
  };
  const [lossC] = chart('Loss (grey: each training batch; blue: smoothed; orange dots: the test digits)');
  const [accC, accTitle] = chart('Accuracy');
  const learned = el('div', {style: 'display:flex;flex-wrap:wrap;gap:8px 20px;margin:6px 0'}, root);
  const kBox = el('div', {style: 'max-width:100%'}, learned);
  const kTitle = el('div', {style: 'font-weight:600;margin-bottom:4px'}, kBox);
  const kCanvas = el('canvas', {class: 'tinycnn-kernels', role: 'img', 'aria-label': 'conv1 kernels', style: 'display:block;max-width:100%'}, kBox);
  const mBox = el('div', {style: 'max-width:100%'}, learned);
  const mTitle = el('div', {style: 'font-weight:600;margin-bottom:4px'}, mBox);
  const mRow = el('div', {style: 'display:flex;gap:8px;align-items:flex-start'}, mBox);
  const probeC = el('canvas', {width: '28', height: '28', class: 'tinycnn-probe', style: 'width:56px;height:56px;image-rendering:pixelated;background:#000;flex:none'}, mRow);
  const mGrid = el('div', {class: 'tinycnn-maps', style: 'display:grid;grid-template-columns:repeat(8,32px);gap:3px'}, mRow);
  el('div', {style: 'font-weight:600;margin:10px 0 4px'}, root, 'Draw a digit: the class probabilities of the network being trained');
  const drawRoot = el('div', {class: 'tinycnn-draw'}, root);
  el('p', {style: 'color:#555;max-width:700px'}, root, spec.note || '');

  // ---- state ----
  let data = null, worker = null, state = 'loading', params = null, initial = null, shapes = null, viewer = null;
  let hist = null, run = null, dirty = false, wDirty = false, drawn = null;
  const setState = s => {
    const had = document.activeElement;
    state = s; root.dataset.state = s; buttons();
    // a keyboard user's focus moves on from a button that has just been disabled: Start → Pause → Resume, or Reset
    if (had && had.disabled && [startB, pauseB].includes(had)) (s === 'running' ? pauseB : s === 'paused' ? startB : resetB).focus();
  };
  function buttons() {
    startB.disabled = !['ready', 'paused'].includes(state);
    pauseB.disabled = state !== 'running';
    resetB.disabled = state === 'loading';
    startB.textContent = state === 'paused' ? 'Resume' : 'Start';
  }
  const say = text => { status.textContent = text; };

  // The starting weights: PyTorch's seeded TinyCNN for the filter counts the page ships; otherwise the same
  // distribution (U(±1/√fan_in)) drawn here with a seeded generator.
  function startWeights(f1, f2) {
    const lay = core.layout(f1, f2);
    if (f1 === spec.init.f1 && f2 === spec.init.f2) {
      const p = new Float32Array(lay.size);
      for (const [name, t] of Object.entries(spec.init.params)) p.set(b64floats(t.data), lay.tensors[name].offset);
      return p;
    }
    return core.initParams(lay, (D.seed || 0) * 7919 + f1 * 1000 + f2);
  }
  const b64bytes = s => Uint8Array.from(atob(s), c => c.charCodeAt(0));
  const b64floats = s => new Float32Array(b64bytes(s).buffer);
  const b64of = bytes => { let s = ''; for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192)); return btoa(s); };
  function byName(p, f1, f2) {  // draw_digit.js's view of the weights: name → {shape, data}
    const lay = core.layout(f1, f2), out = {};
    for (const [name, t] of Object.entries(lay.tensors)) out[name] = {shape: t.shape, data: p.subarray(t.offset, t.offset + t.size)};
    return out;
  }

  // ---- the digits: zlib-compressed (see tools/make_trainer_data.py), inflated by the browser ----
  async function loadDigits() {
    if (typeof DecompressionStream === 'undefined')
      throw new Error('this browser cannot inflate the digits (it lacks DecompressionStream: Chrome 80+, Firefox 113+, Safari 16.4+)');
    const stream = new Blob([b64bytes(spec.digits)]).stream().pipeThrough(new DecompressionStream('deflate'));
    const raw = new Uint8Array(await new Response(stream).arrayBuffer()), dv = new DataView(raw.buffer);
    if (String.fromCharCode(...raw.subarray(0, 4)) !== 'TCD1') throw new Error('the digits are not in the expected format');
    const nTrain = dv.getUint32(4, true), nTest = dv.getUint32(8, true);
    let at = 14;
    const trainLabels = raw.slice(at, at + nTrain), testLabels = raw.slice(at + nTrain, at + nTrain + nTest); at += nTrain + nTest;
    const trainImages = new Uint8Array(nTrain * 784);
    for (let i = 0; i < nTrain * 392; i++) { const b = raw[at + i]; trainImages[2 * i] = (b >> 4) * 17; trainImages[2 * i + 1] = (b & 15) * 17; }
    at += nTrain * 392;
    const testImages = raw.slice(at, at + nTest * 784);
    return {train: {images: trainImages, labels: trainLabels}, test: {images: testImages, labels: testLabels}};
  }

  // ---- settings: read when a run starts; a learning rate that is not a positive number is refused ----
  function settings() {
    const text = lrIn.value.trim(), lr = Number(text);
    if (!text || !Number.isFinite(lr) || lr <= 0) return {error: `The learning rate “${lrIn.value}” is not a positive number: type one such as ${D.lr}.`};
    return {lr, batchSize: +bsIn.value, epochs: +epIn.value, f1: +f1In.value, f2: +f2In.value, schedule: schIn.value,
            labelSmoothing: D.labelSmoothing, seed: D.seed || 0};
  }
  function onSettingChanged() {
    if (state === 'loading') return;
    if (state === 'ready') { reset(); return; }  // nothing trained yet: show the network the new settings make
    say('New settings are used from the next Reset.');
  }
  [lrIn, bsIn, epIn, f1In, f2In, schIn].forEach(c => c.addEventListener('change', onSettingChanged));
  lrIn.addEventListener('input', () => { const s = settings(); if (s.error) say(s.error); else if (state === 'ready') say(readyText()); });

  // ---- start, pause, reset ----
  function start() {
    if (state === 'paused') { worker.postMessage({cmd: 'run'}); run.resumedAt = performance.now(); setState('running'); say('Training…'); return; }
    if (state !== 'ready') return;
    const s = settings();
    if (s.error) { say(s.error); return; }
    if (s.f1 !== shapes.f1 || s.f2 !== shapes.f2) reset();
    const steps = Math.ceil(data.train.labels.length / s.batchSize);
    run = {s, steps, totalSteps: s.epochs * steps, elapsed: 0, resumedAt: performance.now()};
    hist = {step: [], loss: [], acc: [], test: []};
    const w = worker = tinycnnStartTrainer();
    w.addEventListener('message', e => { if (w === worker) onMessage(e.data); });  // none from a worker Reset has ended
    worker.postMessage({cmd: 'init', f1: s.f1, f2: s.f2, params: initial, recipe: s, mean: spec.mean, std: spec.std,
                        train: data.train, test: data.test, evalEvery: Math.max(1, Math.round((D.evalImages || 5000) / s.batchSize))});
    worker.postMessage({cmd: 'run'});
    setState('running');
    say(worker.inPage ? `Training on the page's own thread (no Web Worker here: ${worker.why}).` : 'Training…');
  }
  function pause() {
    if (state !== 'running') return;
    worker.postMessage({cmd: 'pause'});
    run.elapsed += performance.now() - run.resumedAt;
    setState('paused');
    say(`Paused at step ${hist.step.length ? hist.step[hist.step.length - 1] : 0}. Press Resume to go on, or Reset.`);
  }
  function reset() {
    if (worker) { worker.terminate(); worker = null; }
    const f1 = +f1In.value, f2 = +f2In.value;
    shapes = {f1, f2}; initial = startWeights(f1, f2); params = Float32Array.from(initial);
    viewer = core.makeTrainer(f1, f2, params, {});
    hist = null; run = null;
    buildDraw(); setState('ready'); say(readyText()); dirty = wDirty = true; schedule();
  }
  const readyText = () => `Ready: ${data.train.labels.length.toLocaleString('en')} training digits and ${data.test.labels.length.toLocaleString('en')} test digits. Press Start.`;
  startB.addEventListener('click', start);
  pauseB.addEventListener('click', pause);
  resetB.addEventListener('click', reset);

  // ---- messages from the worker ----
  function onMessage(m) {
    if (!run) return;
    if (m.type === 'progress') {
      hist.step.push(m.step); hist.loss.push(m.loss); hist.acc.push(m.accuracy);
      run.last = m; root.dataset.step = m.step;
    } else if (m.type === 'test') {
      hist.test.push({step: m.step, accuracy: m.accuracy, loss: m.loss, images: m.images, requested: m.requested,
                      seconds: (run.elapsed + (state === 'running' ? performance.now() - run.resumedAt : 0)) / 1000});
      root.dataset.testAccuracy = m.accuracy;
    } else if (m.type === 'weights') {
      params = m.params; viewer.params.set(params); core.load(viewer.net, viewer.params); wDirty = true;
      if (drawn) drawn.tinycnnSetParams(byName(viewer.params, shapes.f1, shapes.f2));
    } else if (m.type === 'diverged') {
      run.elapsed += performance.now() - run.resumedAt; setState('diverged');
      const how = Number.isNaN(m.loss) ? 'became NaN' : !Number.isFinite(m.loss) ? 'became infinite'
        : `exploded to ${fmt(m.loss, 1)} (over 3× the ${Math.log(K).toFixed(2)} of guessing)`;
      say(`The loss ${how} at step ${m.step}: the learning rate ${m.lr} is far too high; press Reset and lower it.`);
    } else if (m.type === 'done') {
      run.elapsed += performance.now() - run.resumedAt; setState('done');
      const t = hist.test[hist.test.length - 1];
      say(`Done: ${m.step} steps (${run.s.epochs} epochs) in ${(run.elapsed / 1000).toFixed(0)} s; test accuracy ${t ? pct(t.accuracy) : '?'}. Press Reset to train again.`);
    } else if (m.type === 'error') { setState('diverged'); say(`Training stopped: ${m.message}`); }
    dirty = true; schedule();
  }

  // ---- drawing, at most once a frame ----
  let pending = false;
  function schedule() { if (!pending) { pending = true; requestAnimationFrame(() => { pending = false; if (dirty) { dirty = false; draw(); } }); } }
  function draw() {
    drawReadout(); drawCharts();
    if (wDirty) { wDirty = false; drawKernels(); drawMaps(); }  // only when new weights came (every 0.5 s)
  }
  function drawReadout() {
    if (!run || !run.last) { readout.textContent = `${shapes.f1}/${shapes.f2} filters, ${viewer.lay.size.toLocaleString('en')} parameters`; return; }
    const m = run.last, t = hist.test[hist.test.length - 1];
    const secs = (run.elapsed + (state === 'running' ? performance.now() - run.resumedAt : 0)) / 1000;
    readout.textContent = `step ${m.step} / ${m.totalSteps} · epoch ${Math.min(m.epoch, run.s.epochs)} / ${run.s.epochs} · ` +
      `${Math.round(m.images / (m.trainMs / 1000)).toLocaleString('en')} images/s · ${secs.toFixed(0)} s · lr ${fmt(m.lr, 5)} · ` +
      `loss ${fmt(m.loss)}` + (t ? ` · test accuracy ${pct(t.accuracy)} (step ${t.step})` : '');
  }
  function fitCanvas(c) {  // a sharp canvas at its CSS width
    const r = devicePixelRatio || 1, w = Math.max(100, c.clientWidth), h = c.clientHeight || 170;
    if (c.width !== Math.round(w * r)) { c.width = Math.round(w * r); c.height = Math.round(h * r); }
    const ctx = c.getContext('2d'); ctx.setTransform(r, 0, 0, r, 0, 0); ctx.clearRect(0, 0, w, h);
    return {ctx, w, h};
  }
  // One chart: a frame with y ticks, then lines of [step, value] (at most one point a pixel column).
  function plot(c, yMin, yMax, ticks, series) {
    const {ctx, w, h} = fitCanvas(c), L = 38, R = 8, T = 8, B = 20, X = run ? run.totalSteps : 1;
    const px = s => L + (w - L - R) * s / X, py = v => T + (h - T - B) * (1 - Math.min(Math.max((v - yMin) / (yMax - yMin), 0), 1));
    ctx.font = '11px system-ui,sans-serif'; ctx.fillStyle = '#666'; ctx.strokeStyle = '#ddd'; ctx.lineWidth = 1;
    for (const [v, label] of ticks) { ctx.beginPath(); ctx.moveTo(L, py(v)); ctx.lineTo(w - R, py(v)); ctx.stroke(); ctx.fillText(label, 2, py(v) + 4); }
    ctx.fillText('0', L, h - 5); ctx.fillText(`step ${X}`, w - R - 60, h - 5);
    for (const s of series) {
      ctx.strokeStyle = ctx.fillStyle = s.color; ctx.lineWidth = s.width || 1.5; ctx.beginPath();
      let lastX = -1;
      s.points.forEach(([x, y], i) => {
        const X1 = px(x); if (X1 - lastX < 1 && i !== s.points.length - 1) return;
        lastX = X1; const Y = py(y);
        if (s.dots) { ctx.moveTo(X1 + 3, Y); ctx.arc(X1, Y, 3, 0, 2 * Math.PI); } else if (i) ctx.lineTo(X1, Y); else ctx.moveTo(X1, Y);
      });
      s.dots ? ctx.fill() : ctx.stroke();
    }
  }
  const smooth = (xs, a = 0.9) => { let m = null; return xs.map(v => (m = m === null || !Number.isFinite(m) ? v : a * m + (1 - a) * v)); };
  function drawCharts() {
    const h = hist || {step: [], loss: [], acc: [], test: []};
    const finite = h.loss.filter(Number.isFinite), top = Math.max(2.5, ...finite.slice(-500));
    const yMax = top > 2.5 ? Math.pow(10, Math.ceil(Math.log10(top))) : 2.5;  // an exploding loss stays in view
    const zip = (xs, ys) => xs.map((x, i) => [x, ys[i]]);
    plot(lossC, 0, yMax, [0, 0.2, 0.4, 0.6, 0.8, 1].map(f => [f * yMax, fmt(f * yMax, 2)]), [
      {points: zip(h.step, h.loss.map(v => Number.isFinite(v) ? v : yMax)), color: '#bbb', width: 1},
      {points: zip(h.step, smooth(h.loss)), color: '#2a6fdb'},
      {points: h.test.map(t => [t.step, t.loss]), color: '#e4572e', dots: true}]);
    // Zoomed to 80–100 % once the test accuracy is above 85 %, where the differences that matter are
    const zoom = h.test.length > 0 && Math.min(...h.test.map(t => t.accuracy)) > 0.85, yMin = zoom ? 0.8 : 0;
    accTitle.textContent = `Accuracy${zoom ? ', 80–100 %' : ''} (blue: training batches, smoothed; orange: the test digits)`;
    plot(accC, yMin, 1, (zoom ? [0.8, 0.85, 0.9, 0.95, 1] : [0, 0.25, 0.5, 0.75, 1]).map(v => [v, `${Math.round(100 * v)}%`]).concat(zoom ? [[0.97, '']] : []), [
      {points: zip(h.step, smooth(h.acc)), color: '#2a6fdb'},
      {points: h.test.map(t => [t.step, t.accuracy]), color: '#e4572e'},
      {points: h.test.map(t => [t.step, t.accuracy]), color: '#e4572e', dots: true}]);
  }
  function drawKernels() {  // conv1's kernels, blue < 0 < red, on one scale
    const f1 = shapes.f1, w = viewer.params.subarray(0, f1 * 9), cell = 10, per = 8, gap = 6;
    let m = 1e-9; for (const v of w) m = Math.max(m, Math.abs(v));
    kTitle.textContent = `conv1's ${f1} kernels (3×3; blue negative, red positive, largest |w| = ${fmt(m)})`;
    const cols = Math.min(per, f1), rows = Math.ceil(f1 / per);
    kCanvas.width = cols * (3 * cell + gap); kCanvas.height = rows * (3 * cell + gap);
    const ctx = kCanvas.getContext('2d');
    for (let o = 0; o < f1; o++) for (let k = 0; k < 9; k++) {
      const v = w[o * 9 + k] / m, a = Math.round(255 * (1 - Math.min(Math.abs(v), 1)));
      ctx.fillStyle = Number.isFinite(v) ? (v >= 0 ? `rgb(255,${a},${a})` : `rgb(${a},${a},255)`) : '#000';
      ctx.fillRect((o % per) * (3 * cell + gap) + (k % 3) * cell, Math.floor(o / per) * (3 * cell + gap) + Math.floor(k / 3) * cell, cell, cell);
    }
  }
  let mapCanvases = [];
  function drawMaps() {  // the probe test digit and its conv1 maps (before pooling), each map on its own scale
    const f1 = shapes.f1, i = spec.probe || 0;
    if (mapCanvases.length !== f1) {
      mGrid.textContent = ''; mapCanvases = [];
      for (let c = 0; c < f1; c++) mapCanvases.push(el('canvas', {width: '28', height: '28', style: 'width:32px;height:32px;image-rendering:pixelated;background:#000'}, mGrid));
    }
    const x = core.normalize(data.test.images.subarray(i * 784, i * 784 + 784), spec.mean, spec.std);
    const maps = core.conv1Maps(viewer, x, 0);
    let best = 0; for (let k = 1; k < K; k++) if (viewer.net.logits[k] > viewer.net.logits[best]) best = k;
    mTitle.textContent = `Test digit #${i} (label ${spec.classes[data.test.labels[i]]}, read as ${spec.classes[best]}) and its ${f1} conv1 maps`;
    paint(probeC, data.test.images, i * 784, false);
    for (let c = 0; c < f1; c++) paint(mapCanvases[c], maps, c * 784, true);
  }
  function paint(canvas, values, at, colour) {
    let lo = Infinity, hi = -Infinity;
    for (let k = 0; k < 784; k++) { lo = Math.min(lo, values[at + k]); hi = Math.max(hi, values[at + k]); }
    const ctx = canvas.getContext('2d'), img = ctx.createImageData(28, 28);
    for (let k = 0; k < 784; k++) {
      const t = Math.round(255 * (values[at + k] - lo) / (hi - lo + 1e-9)) || 0, [r, g, b] = colour ? spec.cmap[t] : [t, t, t];
      img.data[4 * k] = r; img.data[4 * k + 1] = g; img.data[4 * k + 2] = b; img.data[4 * k + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }

  // ---- draw a digit: draw_digit.js's explorer, fed the weights being trained ----
  function buildDraw() {
    const examples = [];
    for (let c = 0; c < K; c++) {
      const i = data.test.labels.indexOf(c);
      if (i >= 0) examples.push({label: spec.classes[c], data: b64of(data.test.images.subarray(i * 784, i * 784 + 784))});
    }
    const lay = viewer.lay, p = {};
    for (const [name, t] of Object.entries(lay.tensors))
      p[name] = {shape: t.shape, data: b64of(new Uint8Array(viewer.params.buffer, viewer.params.byteOffset + 4 * t.offset, 4 * t.size))};
    tinycnnDrawDigit(drawRoot, {params: p, mean: spec.mean, std: spec.std, input_size: 28, cmap: spec.cmap, classes: spec.classes, examples});
    drawn = drawRoot;
  }

  // ---- for tests and the curious ----
  // check: steps of the worker's own code on fixed batches (tests/browser/test_trainer.py); `start`: a changed copy's.
  function check(args, start = tinycnnStartTrainer) {
    return new Promise((resolve, reject) => {
      const w = start(), batches = args.batches.map(b => ({images: b64bytes(b.images), labels: Uint8Array.from(b.labels)}));
      w.addEventListener('message', e => {
        if (e.data.type === 'checked') { w.terminate(); resolve({losses: e.data.losses, params: b64of(new Uint8Array(e.data.params.buffer))}); }
        else if (e.data.type === 'error') { w.terminate(); reject(new Error(e.data.message)); }
      });
      w.postMessage({cmd: 'check', f1: args.f1, f2: args.f2, params: b64floats(args.params), recipe: args.recipe,
                     batches, mean: spec.mean, std: spec.std});
    });
  }
  window.tinycnnTrainer = {core, check, root,
    state: () => ({state, step: hist && hist.step.length ? hist.step[hist.step.length - 1] : 0, f1: shapes && shapes.f1,
                   f2: shapes && shapes.f2, totalSteps: run && run.totalSteps, tests: hist ? hist.test.slice() : [],
                   losses: hist ? hist.loss.slice() : [], last: run && run.last, elapsedMs: run ? run.elapsed : 0,
                   inPage: !!(worker && worker.inPage)}),
    params: () => Array.from(params || []), initial: () => Array.from(initial || []), digits: () => data,
    evaluate: () => worker && worker.postMessage({cmd: 'evaluate'}),
    setSeed: seed => { D.seed = seed; }};  // the shuffling's seed from the next Start (benchmarks over seeds)

  setState('loading'); buttons();
  loadDigits().then(d => { data = d; reset(); }, e => { say(`The trainer cannot start: ${e.message}`); });
  window.addEventListener('resize', () => { if (data) { dirty = true; schedule(); } });
}

// tinycnn: two static explorers of `tinycnn.interpretation`, for a page with no kernel and no server.
// `attribution_explorer` and `training_slider` (tinycnn.explorers) inline this file into a notebook's HTML output
// with `tinycnn.pages.script_html`, which calls `tinycnnWhy(root, spec)` or `tinycnnScrub(root, spec)` with their
// precomputed panels (base64 PNGs and numbers). All text is set with `textContent`.

function tinycnnEl(tag, attrs, text) {
  'use strict';
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

// Bars of the class probabilities `probs`, the most likely in orange; `truth` (or -1) is marked in bold
function tinycnnBars(probs, classes, truth) {
  'use strict';
  const box = tinycnnEl('div', {class: 'tinycnn-probs', style: 'font-size:12px'});
  const best = probs.indexOf(Math.max(...probs));
  probs.forEach((p, i) => {
    const row = tinycnnEl('div', {style: 'display:flex;align-items:center;gap:6px;height:17px'});
    row.append(tinycnnEl('span', {style: 'min-width:1.2em;text-align:right' + (i === truth ? ';font-weight:700' : '')}, classes[i]));
    const track = tinycnnEl('div', {style: 'width:110px;height:10px;background:#eee'});
    track.append(tinycnnEl('div', {style: `width:${(110 * p).toFixed(1)}px;height:10px;background:${i === best ? '#e4572e' : '#2a6fdb'}`}));
    row.append(track, tinycnnEl('span', {class: 'tinycnn-pct', style: 'font-variant-numeric:tabular-nums'}, (100 * p).toFixed(1) + '%'));
    box.append(row);
  });
  return box;
}

function tinycnnPanel(title, src, width, alt) {
  'use strict';
  const cell = tinycnnEl('figure', {style: 'margin:0 12px 6px 0'});
  cell.append(tinycnnEl('img', {src: 'data:image/png;base64,' + src, alt: alt || title,
                                 style: `width:${width}px;image-rendering:pixelated;display:block`}));
  cell.append(tinycnnEl('figcaption', {style: 'font-size:12px;max-width:' + Math.max(width, 90) + 'px'}, title));
  return cell;
}

// The attribution explorer: a <select> of digits; the image, its probabilities and three maps
function tinycnnWhy(root, spec) {
  'use strict';
  const px = spec.scale * spec.size;
  root.textContent = '';
  const bar = tinycnnEl('div', {style: 'display:flex;gap:8px;align-items:center;margin-bottom:8px;flex-wrap:wrap'});
  const id = root.id + '-select';
  const select = tinycnnEl('select', {id: id, class: 'tinycnn-pick'});
  let group = null;
  spec.items.forEach((item, k) => {
    if (!group || group.label !== item.group) { group = tinycnnEl('optgroup', {label: item.group}); select.append(group); }
    group.append(tinycnnEl('option', {value: String(k)}, item.title));
  });
  const prev = tinycnnEl('button', {type: 'button', class: 'tinycnn-prev', 'aria-label': 'previous digit'}, '◀');
  const next = tinycnnEl('button', {type: 'button', class: 'tinycnn-next', 'aria-label': 'next digit'}, '▶');
  bar.append(tinycnnEl('label', {for: id, style: 'font-size:13px'}, 'digit'), select, prev, next);
  const panels = tinycnnEl('div', {class: 'tinycnn-panels', style: 'display:flex;flex-wrap:wrap;align-items:flex-start'});
  const note = tinycnnEl('div', {style: 'font-size:12px;color:#666'}, spec.note);
  root.append(bar, panels, note);
  function show(k) {
    const item = spec.items[k];
    select.value = String(k);
    root.setAttribute('data-shown', String(k));
    panels.textContent = '';
    panels.append(tinycnnPanel(item.caption, item.image, px, 'the digit'));
    for (const [name, title] of spec.methods) {  // a map that is 0 everywhere is one flat colour: its caption says so
      const empty = (item.empty || []).includes(name);
      panels.append(tinycnnPanel(empty ? title + ': 0 everywhere' : title, item.maps[name], px, name));
    }
    const probs = tinycnnEl('figure', {style: 'margin:0'});
    probs.append(tinycnnBars(item.probs, spec.classes, item.truth));
    probs.append(tinycnnEl('figcaption', {style: 'font-size:12px'}, 'probabilities'));
    panels.append(probs);
  }
  const n = spec.items.length;
  select.addEventListener('change', () => show(Number(select.value)));
  prev.addEventListener('click', () => show((Number(select.value) + n - 1) % n));
  next.addEventListener('click', () => show((Number(select.value) + 1) % n));
  show(0);
}

// The training slider: an <input type=range> over recorded frames of kernels, feature maps and probabilities
function tinycnnScrub(root, spec) {
  'use strict';
  const n = spec.frames.length;
  root.textContent = '';
  const id = root.id + '-range';
  const bar = tinycnnEl('div', {style: 'display:flex;gap:8px;align-items:center;margin-bottom:8px;flex-wrap:wrap'});
  const range = tinycnnEl('input', {type: 'range', id: id, class: 'tinycnn-range', min: '0', max: String(n - 1), step: '1', value: '0'});
  const label = tinycnnEl('span', {class: 'tinycnn-frame-label', 'aria-live': 'polite', style: 'font-size:13px;font-weight:600'});
  bar.append(tinycnnEl('label', {for: id, style: 'font-size:13px'}, 'training'), range, label);
  const panels = tinycnnEl('div', {class: 'tinycnn-panels', style: 'display:flex;flex-wrap:wrap;align-items:flex-start'});
  root.append(bar, panels);
  function show(k) {
    const f = spec.frames[k];
    range.value = String(k);
    range.setAttribute('aria-valuetext', f.label);
    root.setAttribute('data-shown', String(k));
    label.textContent = f.label;
    panels.textContent = '';
    panels.append(tinycnnPanel(spec.image_caption, spec.image, spec.scale * spec.size, 'the digit'));
    panels.append(tinycnnPanel('conv1 kernels', f.kernels, f.kernels_width, 'conv1 kernels'));
    panels.append(tinycnnPanel('conv1 feature maps of the digit', f.maps, f.maps_width, 'conv1 feature maps'));
    const probs = tinycnnEl('figure', {style: 'margin:0'});
    probs.append(tinycnnBars(f.probs, spec.classes, spec.truth));
    probs.append(tinycnnEl('figcaption', {style: 'font-size:12px'}, 'probabilities'));
    panels.append(probs);
  }
  range.addEventListener('input', () => show(Number(range.value)));
  show(0);
}

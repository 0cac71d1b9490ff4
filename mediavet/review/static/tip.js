// One tip: findings with evidence, the picture with every region drawn and numbered, and the
// editing a reviewer needs (toggle cover/keep, draw, resize, delete, undo/redo, zoom, filters;
// for a clip: a frame scrubber, a timeline of tracks, whole-track switches, drawn boxes tracked).
// Every edit is saved to the server at once; boxes are in the original picture's pixels.
import {getJSON, h, makeCopies, postJSON, svg} from "/static/common.js";

const number = Number(document.getElementById("title").dataset.number);
const picture = document.getElementById("picture");
const overlay = document.getElementById("overlay");
const canvas = document.getElementById("canvas");
const stage = document.getElementById("stage");
const list = document.getElementById("regions");
const saved = document.getElementById("saved");
const shown = new Set(["face", "text", "code", "manual"]);

let tip = null;
let regions = [];       // the editor's list (plain objects, as the plan stores them)
let selected = null;    // index into regions
let zoom = 0;           // 0: fit to the stage
let frame = 0;          // a clip: the frame shown
const undo = [], redo = [];

const covered = (r) => r.action !== "keep" && r.action !== "review";
const active = (r) => !tip.frames || !r.frames || (r.frames[0] <= frame && frame <= r.frames[1]);
const visible = (r) => shown.has(r.kind) && active(r);

async function load() {
  tip = await getJSON(`/api/tip/${number}`);
  if (tip.state !== "ready") {
    saved.textContent = tip.error ? `cannot be reviewed: ${tip.error}` : `${tip.state}… (this page refreshes)`;
    if (!tip.error) setTimeout(load, 1000);
    showFindings();
    return;
  }
  regions = tip.regions.map(({id, ...rest}) => rest);
  document.getElementById("verdict").textContent = tip.verdict;
  document.getElementById("verdict").className = `verdict v-${tip.verdict}`;
  document.getElementById("next").textContent = tip.next;
  overlay.setAttribute("viewBox", `0 0 ${tip.size[0]} ${tip.size[1]}`);
  overlay.setAttribute("preserveAspectRatio", "none");
  if (tip.frames) setupVideo();
  if (!picture.complete || !picture.src) picture.addEventListener("load", layout, {once: true});
  picture.src = pictureUrl();
  showFindings();
  layout();
}

function pictureUrl() {
  return tip.frames ? `/api/tip/${number}/picture?frame=${nearestSample(frame)}` : `/api/tip/${number}/picture`;
}

function nearestSample(wanted) {
  return tip.sampled.reduce((best, n) => Math.abs(n - wanted) < Math.abs(best - wanted) ? n : best, tip.sampled[0]);
}

function layout() {
  const fit = Math.min((stage.clientWidth - 4) / tip.size[0], (window.innerHeight * 0.7) / tip.size[1], 3);
  const scale = zoom || fit;
  canvas.style.width = `${Math.round(tip.size[0] * scale)}px`;
  picture.style.width = `${Math.round(tip.size[0] * scale)}px`;
  picture.style.height = `${Math.round(tip.size[1] * scale)}px`;
  draw();  // labels and handles are sized for the picture as shown
}

function setZoom(factor) {
  const current = picture.clientWidth / tip.size[0];
  zoom = factor === 0 ? 0 : Math.min(8, Math.max(0.1, current * factor));
  layout();
}

// drawing the regions

function label(r, index) {
  const what = r.action === "review" ? "decide?" : r.action === "keep" ? "kept" : "covered";
  const score = r.score === null || r.score === undefined ? "" : ` ${r.score.toFixed(2)}`;
  return `${index + 1} ${r.kind}${score} ${what}`;
}

function draw() {
  const scale = tip.size[0] / Math.max(1, picture.clientWidth || tip.size[0]);
  const handle = 7 * scale;
  overlay.replaceChildren();
  const labelled = new Set();  // a clip: one label per track on a frame (its pieces overlap)
  regions.forEach((r, index) => {
    if (!visible(r)) return;
    const [x, y, w, hh] = r.box;
    const trackKey = r.track !== undefined && r.track !== null ? r.track : `r${index}`;
    const text = labelled.has(trackKey) ? "" : tip.frames && r.track != null ? `track ${r.track} ${r.kind} ${covered(r) ? "covered" : r.action === "keep" ? "kept" : "decide?"}` : label(r, index);
    labelled.add(trackKey);
    const atRight = x + text.length * 8 * scale > tip.size[0];  // a label at the right edge stays inside
    const classes = ["region", r.kind, covered(r) ? "cover" : r.action, index === selected ? "selected" : ""];
    const group = svg("g", {class: classes.join(" "), "data-index": index},
      svg("rect", {x, y, width: w, height: hh}),
      text && svg("text", {x: atRight ? x + w - 3 * scale : x + 3 * scale, y: Math.max(14 * scale, y - 4 * scale),
        "font-size": 13 * scale, "stroke-width": 3 * scale, "text-anchor": atRight ? "end" : "start"}, text));
    overlay.append(group);
    if (index === selected) {
      for (const [cx, cy, corner] of [[x, y, "nw"], [x + w, y, "ne"], [x, y + hh, "sw"], [x + w, y + hh, "se"]]) {
        overlay.append(svg("rect", {class: "handle", "data-corner": corner, x: cx - handle / 2, y: cy - handle / 2,
          width: handle, height: handle}));
      }
    }
  });
  drawList();
  if (tip.frames) drawTimeline();
}

function drawList() {
  const undecided = regions.filter((r) => r.action === "review").length;
  if (tip.frames) return drawTracks(undecided);
  document.getElementById("counts").textContent =
    `${regions.filter(covered).length} covered, ${regions.filter((r) => r.action === "keep").length} kept` +
    (undecided ? `, ${undecided} to decide` : "");
  list.replaceChildren(...regions.map((r, index) => h("li", {
    class: [r.action === "review" ? "review" : r.action === "keep" ? "keep" : "", index === selected ? "selected" : ""].join(" "),
    "data-index": index,
    onclick: () => select(index, true),
  }, label(r, index), r.frames ? ` · frames ${r.frames[0]}–${r.frames[1]}` : "",
    r.track !== undefined && r.track !== null ? ` · track ${r.track}` : "", r.by ? " · by reviewer" : "",
    r.reason ? h("div", {class: "note"}, r.reason) : "")));
}

function drawTracks(undecided) {
  // a clip: one line per track (its pieces, one per stretch between detections, are many)
  const tracks = new Map();
  regions.forEach((r, index) => {
    const key = r.track !== undefined && r.track !== null ? `track ${r.track}` : `region ${index + 1}`;
    const entry = tracks.get(key) || {key, first: index, kind: r.kind, from: Infinity, to: -Infinity, pieces: 0,
      actions: new Set(), by: false};
    entry.from = Math.min(entry.from, r.frames ? r.frames[0] : 0);
    entry.to = Math.max(entry.to, r.frames ? r.frames[1] : tip.frames - 1);
    entry.pieces += 1;
    entry.actions.add(covered(r) ? "covered" : r.action === "keep" ? "kept" : "decide?");
    entry.by ||= Boolean(r.by);
    tracks.set(key, entry);
  });
  document.getElementById("counts").textContent = `${tracks.size} tracks` + (undecided ? `, ${undecided} pieces to decide` : "");
  list.replaceChildren(...[...tracks.values()].map((t) => h("li", {
    class: [t.actions.has("decide?") ? "review" : t.actions.has("covered") ? "" : "keep",
      selected !== null && regions[selected] && (regions[selected].track != null ? `track ${regions[selected].track}` : `region ${selected + 1}`) === t.key ? "selected" : ""].join(" "),
    onclick: () => select(t.first, true),
  }, `${t.key} ${t.kind} ${[...t.actions].join("/")} · frames ${t.from}–${t.to} · ${t.pieces} piece${t.pieces === 1 ? "" : "s"}`,
    t.by ? " · by reviewer" : "")));
}

// edits: every one is a new list, kept for undo, saved at once

function change(next) {
  undo.push(JSON.stringify(regions));
  redo.length = 0;
  regions = next;
  draw();
  save();
}

let saving = Promise.resolve();
function save() {
  const body = {regions};
  saving = saving.then(async () => {
    saved.textContent = "saving…";
    try {
      await postJSON(`/api/tip/${number}/regions`, body);
      saved.textContent = "saved in the plan";
    } catch (error) {
      saved.textContent = `not saved: ${error.message}`;
    }
  });
}

function toggle(index) {
  const r = regions[index];
  const action = covered(r) ? "keep" : "fill";
  change(regions.map((other, i) => i === index || (tip.frames && r.track !== undefined && r.track !== null && other.track === r.track)
    ? {...other, action, by: "reviewer"} : other));
}

function setAction(action) {
  if (selected === null) return;
  const r = regions[selected];
  change(regions.map((other, i) => i === selected || (tip.frames && r.track != null && other.track === r.track)
    ? {...other, action, by: "reviewer"} : other));
}

function remove() {
  if (selected === null) return;
  const index = selected;
  selected = null;
  change(regions.filter((_, i) => i !== index));
}

function select(index, scroll) {
  selected = index;
  const r = regions[index];
  if (tip.frames && r && r.frames && !active(r)) showFrame(r.frames[0]);
  if (tip.frames && r) {
    document.getElementById("span-first").value = r.frames ? r.frames[0] : 0;
    document.getElementById("span-last").value = r.frames ? r.frames[1] : tip.frames - 1;
  }
  draw();
  if (scroll && r) {
    const scale = picture.clientWidth / tip.size[0];
    stage.scrollTo({left: r.box[0] * scale - 40, top: r.box[1] * scale - 40});
  }
}

function step(stack, other) {
  if (!stack.length) return;
  other.push(JSON.stringify(regions));
  regions = JSON.parse(stack.pop());
  selected = null;
  draw();
  save();
}

// the mouse: click toggles, drag draws, corner handles resize

function point(event) {
  const box = overlay.getBoundingClientRect();
  return [Math.round((event.clientX - box.left) * tip.size[0] / box.width),
          Math.round((event.clientY - box.top) * tip.size[1] / box.height)];
}

const clamp = (v, low, high) => Math.max(low, Math.min(high, v));

let gesture = null;
overlay.addEventListener("pointerdown", (event) => {
  if (event.button !== 0) return;
  const target = event.target;
  const [px, py] = point(event);
  overlay.setPointerCapture(event.pointerId);
  if (target.dataset.corner !== undefined && selected !== null) {
    gesture = {kind: "resize", corner: target.dataset.corner, start: regions[selected].box.slice()};
  } else if (target.closest("g.region")) {
    gesture = {kind: "click", index: Number(target.closest("g.region").dataset.index), from: [px, py]};
  } else {
    gesture = {kind: "draw", from: [px, py], shape: null};
  }
  event.preventDefault();
});

overlay.addEventListener("pointermove", (event) => {
  if (!gesture) return;
  const [px, py] = point(event).map((v, i) => clamp(v, 0, tip.size[i]));
  if (gesture.kind === "draw") {
    const [x0, y0] = gesture.from;
    gesture.box = [Math.min(x0, px), Math.min(y0, py), Math.abs(px - x0), Math.abs(py - y0)];
    gesture.shape?.remove();
    gesture.shape = svg("rect", {class: "drawing", x: gesture.box[0], y: gesture.box[1], width: gesture.box[2],
      height: gesture.box[3]});
    overlay.append(gesture.shape);
  } else if (gesture.kind === "resize") {
    let [x, y, w, hh] = gesture.start;
    let [x1, y1] = [x + w, y + hh];
    if (gesture.corner.includes("w")) x = Math.min(px, x1 - 2); else x1 = Math.max(px, x + 2);
    if (gesture.corner.includes("n")) y = Math.min(py, y1 - 2); else y1 = Math.max(py, y + 2);
    gesture.box = [x, y, x1 - x, y1 - y];
    const r = regions[selected];
    regions[selected] = {...r, box: gesture.box};
    draw();
    regions[selected] = r;
  }
});

overlay.addEventListener("pointerup", () => {
  const done = gesture;
  gesture = null;
  if (!done) return;
  if (done.kind === "click") {
    select(done.index, false);
    toggle(done.index);
  } else if (done.kind === "resize" && done.box) {
    change(regions.map((r, i) => i === selected ? {...r, box: done.box, by: "reviewer"} : r));
  } else if (done.kind === "draw") {
    done.shape?.remove();
    if (done.box && done.box[2] >= 4 && done.box[3] >= 4) {
      const hold = tip.frames ? [frame, frame] : undefined;
      const made = {kind: "manual", box: done.box, score: null, detector: "manual", action: "fill", shape: "rect",
        by: "reviewer", ...(hold ? {frames: hold} : {})};
      selected = regions.length;
      change([...regions, made]);
      if (tip.frames) select(selected, false);
    } else {
      selected = null;
      draw();
    }
  }
});

// a clip: scrubber, timeline, tracking

function setupVideo() {
  document.getElementById("video").hidden = false;
  const scrub = document.getElementById("scrub");
  scrub.max = tip.frames - 1;
  scrub.addEventListener("input", () => showFrame(Number(scrub.value)));
  document.getElementById("track").addEventListener("click", trackSelected);
  document.getElementById("span-set").addEventListener("click", () => {
    if (selected === null) return;
    const first = clamp(Number(document.getElementById("span-first").value), 0, tip.frames - 1);
    const last = clamp(Number(document.getElementById("span-last").value), first, tip.frames - 1);
    change(regions.map((r, i) => i === selected ? {...r, frames: [first, last], by: "reviewer"} : r));
  });
  showFrame(0);
}

function showFrame(wanted) {
  frame = clamp(wanted, 0, tip.frames - 1);
  document.getElementById("scrub").value = frame;
  const seconds = tip.fps ? ` (${(frame / tip.fps).toFixed(2)} s)` : "";
  document.getElementById("frame-label").textContent = `${frame} of ${tip.frames - 1}${seconds}`;
  picture.src = pictureUrl();
  draw();
}

function drawTimeline() {
  const timeline = document.getElementById("timeline");
  const tracks = new Map();
  regions.forEach((r, index) => {
    const key = r.track !== undefined && r.track !== null ? `track ${r.track}` : `region ${index + 1}`;
    if (!tracks.has(key)) tracks.set(key, {index, kind: r.kind, spans: []});
    tracks.get(key).spans.push({frames: r.frames || [0, tip.frames - 1], action: r.action});
  });
  const width = (n) => `${(100 * n) / tip.frames}%`;
  const rows = [...tracks.entries()].filter(([, t]) => shown.has(t.kind)).map(([key, t]) => h("div", {
    class: "row", "data-track": key, title: `${key}: click to switch it between cover and keep`,
    onclick: () => { select(t.index, false); toggle(t.index); },
  }, h("span", {class: "label"}, `${key} ${t.kind}`), t.spans.map((span) => {
    const bar = h("div", {class: `bar ${span.action === "keep" ? "keep" : span.action === "review" ? "review" : ""}`});
    bar.style.left = width(span.frames[0]);
    bar.style.width = width(span.frames[1] - span.frames[0] + 1);
    return bar;
  })));
  const cursor = h("div", {class: "cursor"});
  cursor.style.left = width(frame);
  timeline.replaceChildren(...rows, cursor);
}

async function trackSelected() {
  if (selected === null) { saved.textContent = "select a drawn box first"; return; }
  const r = regions[selected];
  saved.textContent = "following the box through the clip…";
  try {
    await saving;
    undo.push(JSON.stringify(regions));
    regions = regions.filter((_, i) => i !== selected);  // the drawn box becomes the start of the track
    await postJSON(`/api/tip/${number}/regions`, {regions});
    const data = await postJSON(`/api/tip/${number}/track`, {frame, box: r.box, action: covered(r) ? "fill" : r.action});
    const fresh = await getJSON(`/api/tip/${number}`);
    regions = fresh.regions.map(({id, ...rest}) => rest);
    selected = null;
    saved.textContent = `followed: ${data.added} frame ranges added`;
    draw();
  } catch (error) {
    saved.textContent = `could not follow it: ${error.message}`;
  }
}

// findings and facts

function showFindings() {
  const target = document.getElementById("findings");
  if (!tip.findings_full.length) {
    target.replaceChildren(h("p", {}, tip.state === "ready" ? "no findings" : "not verified yet"));
  } else {
    target.replaceChildren(h("table", {class: "findings"}, tip.findings_full.map((f) => h("tr", {},
      h("td", {class: `v-${f.severity.toUpperCase()}`}, f.severity.toUpperCase()),
      h("td", {}, f.message, h("details", {}, h("summary", {}, `${f.id}: evidence`),
        h("pre", {}, JSON.stringify(f.evidence, null, 1))))))));
  }
  document.getElementById("figures").replaceChildren(...(tip.figures || []).map((caption, k) =>
    h("figure", {}, h("img", {src: `/api/tip/${number}/figure/${k + 1}`, alt: caption}),
      h("figcaption", {}, caption))));
  const facts = tip.facts || {};
  const rows = [["camera", facts.camera], ["captured", facts.capture_time], ["software", facts.software],
    ["GPS", facts.gps ? `${facts.gps.lat.toFixed(5)}, ${facts.gps.lon.toFixed(5)}` : null]].filter(([, v]) => v);
  document.getElementById("facts").replaceChildren(...(rows.length ? rows : [["", "no camera, time, software or GPS stated"]])
    .map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, v))));
}

// buttons and keys

document.getElementById("apply").addEventListener("click", async () => {
  await saving;
  await makeCopies(document.getElementById("apply"), document.getElementById("results"));
  load();
});
document.getElementById("cover").addEventListener("click", () => setAction("fill"));
document.getElementById("keep").addEventListener("click", () => setAction("keep"));
document.getElementById("delete").addEventListener("click", remove);
document.getElementById("undo").addEventListener("click", () => step(undo, redo));
document.getElementById("redo").addEventListener("click", () => step(redo, undo));
document.getElementById("zoom-in").addEventListener("click", () => { setZoom(1.5); draw(); });
document.getElementById("zoom-out").addEventListener("click", () => { setZoom(1 / 1.5); draw(); });
document.getElementById("zoom-fit").addEventListener("click", () => { setZoom(0); draw(); });
stage.addEventListener("wheel", (event) => {
  if (!event.ctrlKey) return;
  event.preventDefault();
  setZoom(event.deltaY < 0 ? 1.25 : 0.8);
  draw();
}, {passive: false});
for (const box of document.querySelectorAll(".filters input")) {
  box.addEventListener("change", () => {
    if (box.checked) shown.add(box.dataset.kind); else shown.delete(box.dataset.kind);
    draw();
  });
}
document.addEventListener("keydown", (event) => {
  if (event.target.closest("input")) return;
  const key = event.key.toLowerCase();
  if ((event.ctrlKey || event.metaKey) && key === "z") { event.preventDefault(); step(event.shiftKey ? redo : undo, event.shiftKey ? undo : redo); }
  else if ((event.ctrlKey || event.metaKey) && key === "y") { event.preventDefault(); step(redo, undo); }
  else if (event.ctrlKey || event.metaKey || event.altKey) return;
  else if (key === "c") setAction("fill");
  else if (key === "k") setAction("keep");
  else if (key === "delete" || key === "backspace") remove();
  else if (key === "n") {
    const next = regions.findIndex((r, i) => r.action === "review" && i !== selected);
    if (next >= 0) select(next, true);
  } else if (key === "+" || key === "=") { setZoom(1.5); draw(); }
  else if (key === "-") { setZoom(1 / 1.5); draw(); }
  else if (key === "0") { setZoom(0); draw(); }
  else if (key === "t" && tip.frames) trackSelected();
  else if (tip.frames && key === "arrowright") showFrame(frame + 1);
  else if (tip.frames && key === "arrowleft") showFrame(frame - 1);
});
window.addEventListener("resize", () => { if (!zoom && tip?.size) { layout(); draw(); } });

load();

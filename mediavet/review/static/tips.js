// The list of tips, worst first, refreshed while the background work goes on.
import {getJSON, h, makeCopies, resultLine} from "/static/common.js";

const body = document.querySelector("#tips tbody");
const progress = document.getElementById("progress");
const results = document.getElementById("results");
const apply = document.getElementById("apply");
const pictures = new Map();  // tip number -> true once its picture is shown

function row(tip) {
  const verdict = tip.verdict ? h("span", {class: `badge v-${tip.verdict}`}, tip.verdict)
    : h("span", {class: "note"}, tip.state);
  const picture = tip.state === "ready"
    ? h("img", {src: `/api/tip/${tip.number}/picture`, alt: `tip ${tip.number}`, loading: "lazy"})
    : h("span", {class: "note"}, tip.state === "error" ? "no picture" : "working…");
  const found = tip.findings.length ? h("ul", {}, tip.findings.map((f) => h("li", {}, f))) : "no findings";
  const matches = tip.matches.map((m, k) => h("p", {class: "match"},
    m.region ? h("img", {src: `/api/tip/${tip.number}/match/${k + 1}/part`, class: "archived",
                         alt: `the part of this picture that matches (${m.region[2]}×${m.region[3]} at ${m.region[0]},${m.region[1]})`}) : "",
    m.path ? h("img", {src: `/api/tip/${tip.number}/match/${k + 1}`, alt: "the archived picture", class: "archived"}) : "",
    `${m.region ? `a part (${m.region[2]}×${m.region[3]} at ${m.region[0]},${m.region[1]}) ` : ""}`
      + `${m.exact ? "identical to" : "matches"} archived "${m.label ?? "unlabelled"}" (added ${m.added ?? "?"})`,
    m.path ? ` — ${m.path}` : " — the archive did not keep the picture"));
  const redaction = tip.state !== "ready" ? (tip.error ? h("span", {class: "error"}, tip.error) : "")
    : [`${tip.regions} region${tip.regions === 1 ? "" : "s"}`,
       tip.undecided ? h("span", {class: "undecided"}, `, ${tip.undecided} to decide`) : "",
       tip.edited ? h("span", {class: "note"}, " (reviewed)") : ""];
  return h("tr", {"data-number": tip.number, "data-verdict": tip.verdict ?? ""},
    h("td", {}, picture),
    h("td", {}, h("a", {href: `/tip/${tip.number}`}, `${tip.number}. ${tip.name}`), tip.video ? " (clip)" : ""),
    h("td", {}, verdict), h("td", {}, found, matches), h("td", {}, tip.next ?? ""),
    h("td", {}, redaction), h("td", {class: tip.result?.status ?? ""}, resultLine(tip.result)));
}

async function refresh() {
  let data;
  try {
    data = await getJSON("/api/tips");
  } catch (error) {
    progress.textContent = `the review server stopped (${error.message})`;
    return;
  }
  const {done, total, busy} = data.progress;
  progress.textContent = done < total ? `verifying and detecting: ${done} of ${total} tips done`
    : `all ${total} tips ready${busy ? " · making safe copies…" : ""}`;
  body.replaceChildren(...data.tips.map(row));
  if (done < total || busy) setTimeout(refresh, 1000);
}

apply.addEventListener("click", async () => { await makeCopies(apply, results); refresh(); });
document.addEventListener("keydown", (event) => {
  if (event.key === "a" && !event.ctrlKey && !event.metaKey && document.activeElement === document.body) apply.click();
});
refresh();

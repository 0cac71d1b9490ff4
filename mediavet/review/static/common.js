// Shared by the review pages: requests with the CSRF token, and DOM building without HTML strings
// (every text from a file goes in as text, never as markup).
const csrf = document.querySelector('meta[name="csrf"]').content;

export async function getJSON(url) {
  const response = await fetch(url, {credentials: "same-origin", cache: "no-store"});
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

export async function postJSON(url, body) {
  const response = await fetch(url, {
    method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
    body: JSON.stringify(body ?? {}),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error((data.problems || [response.statusText]).join("; "));
  return data;
}

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") element.className = value;
    else if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else element.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === null || value === undefined) continue;
    if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else element.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export function resultLine(result) {
  if (!result) return "";
  if (result.status === "written") return `written: ${result.copy} (audit: ${result.audit})`;
  if (result.status === "unchanged") return `unchanged: ${result.copy}, made earlier with this plan (audit: ${result.audit})`;
  return `${result.status}: ${result.message}`;
}

export async function makeCopies(button, target) {
  button.disabled = true;
  const label = button.textContent;
  button.textContent = "making safe copies…";
  try {
    const data = await postJSON("/api/apply", {});
    target.replaceChildren(
      h("h2", {}, `Safe copies in ${data.outdir}`),
      h("ul", {}, data.results.map((r) => h("li", {class: r.status},
        r.copy ? h("img", {src: `/api/tip/${r.number}/copy?t=${Date.now()}`, alt: `safe copy of tip ${r.number}`,
          class: "copy"}) : "",
        h("a", {href: `/tip/${r.number}`}, `tip ${r.number}`), " — ", resultLine(r),
        r.status === "refused" ? " (open the tip: what the check found is marked to decide)" : ""))));
    target.hidden = false;
    return data;
  } catch (error) {
    target.replaceChildren(h("p", {class: "error"}, `could not make copies: ${error.message}`));
    target.hidden = false;
  } finally {
    button.disabled = false;
    button.textContent = label;
  }
}

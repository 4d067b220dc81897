"""``genesys profile --html FILE``: one self-contained HTML page (no network: inline CSS and JS).

The profile's data (``report.profile_data``, the ``--output json`` shape) is embedded as JSON in
``<script type="application/json" id="genesys-profile">`` (``<``, ``>`` and ``&`` escaped, so no
name from the function's files can end the block); the page draws from it a treemap of unzipped
sizes (zip, then package), an icicle chart of the cold start's imports and the figures as tables.
Every name reaches the page as text (``textContent``), never as markup. Written atomically.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..paths import write_text_atomic

DATA_ID = "genesys-profile"

_STYLE = """
body{font:14px system-ui,sans-serif;margin:24px;color:#1d232a;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
.muted{color:#5b6673}table{border-collapse:collapse;margin:4px 0}
td,th{padding:2px 10px 2px 0;text-align:left;vertical-align:top}td.n{text-align:right;font-variant-numeric:tabular-nums}
#treemap,#icicle{position:relative;width:100%;border:1px solid #ccd3da;background:#f6f8fa}
#treemap{height:420px}.box{position:absolute;box-sizing:border-box;border:1px solid #fff;overflow:hidden;
font-size:11px;padding:2px 3px;color:#0b1620;white-space:nowrap;text-overflow:ellipsis}
.bar{position:absolute;box-sizing:border-box;height:22px;border:1px solid #fff;overflow:hidden;font-size:11px;
padding:3px;white-space:nowrap;text-overflow:ellipsis;color:#0b1620}
.legend span{display:inline-block;padding:1px 6px;margin-right:6px;border-radius:3px;font-size:12px}
"""

_SCRIPT = r"""
const data = JSON.parse(document.getElementById("genesys-profile").textContent);
const COLORS = {"function": "#8fd19e", "layer": "#9cc3f0", "runtime SDK": "#f3c98b",
  "runtime client": "#d7d7d7", "interpreter": "#e6e0f5", "": "#eeeeee"};
const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls; return e; };
const mb = (b) => b >= 1048576 ? (b / 1048576).toFixed(1) + " MB" : b >= 1024 ? (b / 1024).toFixed(1) + " KB" : b + " B";
const ms = (v) => v === null || v === undefined ? "-" : v.toFixed(1) + " ms";

function table(parent, head, rows) {
  const t = el("table"); const h = el("tr"); head.forEach((c) => h.appendChild(el("th", c))); t.appendChild(h);
  rows.forEach((r) => { const tr = el("tr"); r.forEach((c) => tr.appendChild(el("td", String(c), /^[\d.]+( ms| MB| KB| B)?$|^-$/.test(String(c)) ? "n" : ""))); t.appendChild(tr); });
  parent.appendChild(t);
}

document.getElementById("title").textContent = `${data.function}: profile`;
document.getElementById("about").textContent = `${data.runtime}, ${data.architecture}, ${data.memory_mb} MB, ` +
  `runtime client ${data.client}, measured ${data.measured_at} on the machine that ran genesys profile`;

const cold = data.cold, warm = data.warm, bytes = data.bytes;
const row = (label, s) => [label, ms(s && s.p50), ms(s && s.min), ms(s && s.max)];
table(document.getElementById("cold"), ["cold start (" + cold.runs + " runs)", "p50", "min", "max"],
  [row("init", cold.init_ms), row("runtime start", cold.runtime_start_ms),
   row("function imports", cold.function_imports_ms), row("first invoke", cold.first_invoke_ms)]);
if (warm.duration_ms) table(document.getElementById("warm"),
  ["warm (" + warm.invocations + " invocations)", "p50", "p95", "p99", "max memory"],
  [["duration", ms(warm.duration_ms.p50), ms(warm.duration_ms.p95), ms(warm.duration_ms.p99), warm.max_memory_mb + " MB"]]);
table(document.getElementById("slowest"), ["package", "origin", "cumulative", "self", "modules"],
  cold.imports.packages.filter((p) => ["function", "layer", "runtime SDK"].includes(p.origin)).slice(0, 10).map((p) => [p.package, p.origin, ms(p.cumulative_ms), ms(p.self_ms), p.modules]));

// squarified treemap of the zips' packages
function squarify(items, x, y, w, h, out) {
  items = items.filter((i) => i.value > 0); if (!items.length) return;
  const total = items.reduce((s, i) => s + i.value, 0);
  let row = [], rest = items.slice(), side = Math.min(w, h);
  const worst = (r, s) => { const sum = r.reduce((a, i) => a + i.area, 0); const mx = Math.max(...r.map((i) => i.area));
    const mn = Math.min(...r.map((i) => i.area)); return Math.max(side * side * mx / (sum * sum), sum * sum / (side * side * mn)); };
  rest.forEach((i) => i.area = i.value / total * w * h);
  while (rest.length) {
    const next = rest[0];
    if (!row.length || worst(row.concat([next])) <= worst(row)) { row.push(rest.shift()); continue; }
    [x, y, w, h] = lay(row, x, y, w, h, out); row = []; side = Math.min(w, h);
  }
  if (row.length) lay(row, x, y, w, h, out);
}
function lay(row, x, y, w, h, out) {
  const sum = row.reduce((a, i) => a + i.area, 0);
  if (w >= h) { const cw = sum / h; let cy = y; row.forEach((i) => { const ch = i.area / cw; out.push([i, x, cy, cw, ch]); cy += ch; });
    return [x + cw, y, w - cw, h]; }
  const rh = sum / w; let cx = x; row.forEach((i) => { const iw = i.area / rh; out.push([i, cx, y, iw, rh]); cx += iw; });
  return [x, y + rh, w, h - rh];
}
const tm = document.getElementById("treemap"), W = tm.clientWidth, H = tm.clientHeight;
const zips = bytes.zips.map((z) => ({label: z.kind, value: z.unzipped_bytes,
  children: bytes.packages.filter((p) => p.zip === z.kind).map((p) => ({label: p.package, value: p.bytes, zip: z.kind}))}));
const outer = []; squarify(zips.slice().sort((a, b) => b.value - a.value), 0, 0, W, H, outer);
outer.forEach(([z, x, y, w, h]) => {
  const inner = []; squarify(z.children.sort((a, b) => b.value - a.value), x, y + 16, w, Math.max(h - 16, 0), inner);
  const head = el("div", `${z.label} ${mb(z.value)}`, "box"); Object.assign(head.style, {left: x + "px", top: y + "px",
    width: w + "px", height: h + "px", background: "#c9d3dd", fontWeight: "bold"}); tm.appendChild(head);
  inner.forEach(([p, px, py, pw, ph]) => { const b = el("div", `${p.label} ${mb(p.value)}`, "box");
    b.title = `${p.label} (${p.zip}): ${mb(p.value)}`;
    Object.assign(b.style, {left: px + "px", top: py + "px", width: pw + "px", height: ph + "px",
      background: p.zip === "function" ? COLORS.function : COLORS.layer}); tm.appendChild(b); });
});
document.getElementById("bytes-about").textContent = `${mb(bytes.unzipped_bytes)} unzipped, ` +
  `${(bytes.share_of_limit * 100).toFixed(1)}% of Lambda's ${mb(bytes.limit_bytes)} for the function and its layers`;
table(document.getElementById("files"), ["biggest files", "zip", "size"], bytes.biggest_files.map((f) => [f.path, f.zip, mb(f.bytes)]));
table(document.getElementById("removable"), ["could go (" + mb(bytes.removable.bytes) + ")", "zip", "why", "size"],
  bytes.removable.items.slice(0, 25).map((r) => [r.package, r.zip, r.reason, mb(r.bytes)]));

// icicle chart of the typical cold start's imports: one row a nesting level, widths by cumulative time
const ic = document.getElementById("icicle"), tree = cold.imports.tree;
if (tree && tree.ms > 0) {
  let depth = 0;
  const place = (node, x, width, level) => {
    depth = Math.max(depth, level);
    const b = el("div", `${node.name} ${ms(node.ms)}`, "bar"); b.title = `${node.name} (${node.origin || "total"}): ${ms(node.ms)}`;
    Object.assign(b.style, {left: x + "%", width: width + "%", top: level * 22 + "px", background: COLORS[node.origin] || "#eee"});
    ic.appendChild(b);
    let cx = x; (node.children || []).forEach((c) => { const cw = width * c.ms / Math.max(node.ms, 1e-9); place(c, cx, cw, level + 1); cx += cw; });
  };
  place(tree, 0, 100, 0); ic.style.height = (depth + 1) * 22 + "px";
} else { ic.appendChild(el("p", "imports were not timed for this runtime", "muted")); }
const legend = document.getElementById("legend");
Object.entries(COLORS).filter(([k]) => k).forEach(([k, c]) => { const s = el("span", k); s.style.background = c; legend.appendChild(s); });
"""


def render(data: dict) -> str:
    """The page for ``data`` (the profile's JSON shape)."""
    embedded = json.dumps(data, sort_keys=True).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "script-src 'unsafe-inline'\">"
            "<title>genesys profile</title>"
            f"<style>{_STYLE}</style></head><body>\n"
            "<h1 id=\"title\"></h1><div id=\"about\" class=\"muted\"></div>\n"
            "<h2>Cold start</h2><div id=\"cold\"></div><h3>Slowest imports</h3><div id=\"slowest\"></div>\n"
            "<h2>Imports of a typical cold start</h2><div class=\"legend\" id=\"legend\"></div><div id=\"icicle\"></div>\n"
            "<h2>Warm</h2><div id=\"warm\"></div>\n"
            "<h2>Bytes</h2><div id=\"bytes-about\" class=\"muted\"></div><div id=\"treemap\"></div>\n"
            "<div id=\"files\"></div><div id=\"removable\"></div>\n"
            f"<script type=\"application/json\" id=\"{DATA_ID}\">{embedded}</script>\n"
            f"<script>{_SCRIPT}</script>\n</body></html>\n")


def write_page(path: Path, data: dict) -> None:
    write_text_atomic(path, render(data))


def embedded_data(html: str) -> dict:
    """The profile data a page carries (what tests and scripts read back)."""
    start = html.index(f'<script type="application/json" id="{DATA_ID}">')
    start = html.index(">", start) + 1
    return json.loads(html[start:html.index("</script>", start)])

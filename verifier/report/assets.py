"""The review report's stylesheet, inlined into every report (no network, no external fonts).

Colours match the graphs (``verifier.graph.render``): green / amber / red for
recommend / consider / avoid and for proved / unknown / refuted, blue for
structure. System fonts only, so the file looks the same offline.
"""

CSS = """
:root {
  --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --paper: #ffffff; --wash: #f8fafc;
  --blue: #1d4ed8; --blue-wash: #eff6ff;
  --ok: #2e7d32; --ok-wash: #d8f0d2;
  --warn: #b26a00; --warn-wash: #fff1c7;
  --bad: #c62828; --bad-wash: #fbd9d7;
  --grey-wash: #eef0f3;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--wash); color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.9em; }
a { color: var(--blue); text-decoration: none; }
a:hover { text-decoration: underline; }
header.top {
  background: #0f172a; color: #f8fafc; padding: 28px 0 22px;
}
header.top .wrap { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-end; justify-content: space-between; }
header.top h1 { margin: 0; font-size: 28px; font-weight: 650; letter-spacing: -0.01em; }
header.top .sub { color: #cbd5e1; margin-top: 4px; }
.wrap { max-width: 1240px; margin: 0 auto; padding: 0 24px; }
nav.toc { position: sticky; top: 0; z-index: 5; background: rgba(255,255,255,0.96); border-bottom: 1px solid var(--line); }
nav.toc .wrap { display: flex; flex-wrap: wrap; gap: 4px 18px; padding-top: 9px; padding-bottom: 9px; font-size: 14px; }
main { padding: 22px 0 40px; }
section.card {
  background: var(--paper); border: 1px solid var(--line); border-radius: 10px;
  padding: 20px 24px; margin: 0 0 22px; box-shadow: 0 1px 2px rgba(15,23,42,0.04);
}
section.card > h2 { margin: 0 0 4px; font-size: 21px; }
section.card > p.lead { margin: 0 0 16px; color: var(--muted); }
h3 { font-size: 16px; margin: 20px 0 8px; }
.verdict { border-radius: 10px; padding: 10px 16px; font-weight: 600; font-size: 16px; }
.verdict.ok { background: var(--ok-wash); color: #14532d; }
.verdict.bad { background: var(--bad-wash); color: #7f1d1d; }
.verdict.warn { background: var(--warn-wash); color: #713f12; }
.counts { display: flex; flex-wrap: wrap; gap: 10px; margin: 14px 0 0; }
.count { background: var(--wash); border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 110px; }
.count b { display: block; font-size: 22px; line-height: 1.2; }
.count span { color: var(--muted); font-size: 13px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 6px 10px; border-bottom: 1px solid var(--line); }
th { font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); font-weight: 600; }
tr.group th { background: var(--wash); color: var(--ink); font-size: 13px; text-transform: none; letter-spacing: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.pill {
  display: inline-block; border-radius: 999px; padding: 1px 10px; font-size: 12px; font-weight: 650;
  border: 1px solid transparent; white-space: nowrap;
}
.pill.proved, .pill.recommend, .pill.covered { background: var(--ok-wash); color: var(--ok); border-color: #a7d7a0; }
.pill.unknown, .pill.consider { background: var(--warn-wash); color: var(--warn); border-color: #f0cf7a; }
.pill.refuted, .pill.avoid, .pill.gap { background: var(--bad-wash); color: var(--bad); border-color: #f1aaa5; }
.pill.excluded, .pill.cat { background: var(--grey-wash); color: #374151; border-color: #d1d5db; }
.muted { color: var(--muted); }
.small { font-size: 13px; }
details { margin: 6px 0 0; }
details > summary { cursor: pointer; color: var(--blue); font-size: 13px; }
.record { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 2px 18px; margin: 8px 0; font-size: 13px; }
.record div { border-bottom: 1px dotted var(--line); padding: 1px 0; display: flex; justify-content: space-between; gap: 10px; }
.record div span:last-child { font-weight: 600; }
/* Generated cases: inputs away from a typical patient, one example case per purpose. */
.record div.hi { background: var(--warn-wash); }
.case { border-top: 1px solid var(--line); padding: 6px 0 2px; }
.case h4 { margin: 8px 0 2px; font-size: 14px; }
.case p { margin: 4px 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.matrix { width: auto; margin: 6px 0 10px; }
.matrix th, .matrix td { border: 1px solid var(--line); text-align: center; padding: 6px 10px; }
.matrix th { text-transform: none; letter-spacing: 0; font-size: 13px; color: var(--ink); }
.matrix th.rowkey { text-align: left; background: var(--wash); text-transform: none; letter-spacing: 0; color: var(--ink); font-size: 13px; }
.matrix td.cell { min-width: 104px; font-size: 13px; }
.matrix td.covered { background: var(--ok-wash); color: #14532d; }
.matrix td.excluded { background: repeating-linear-gradient(135deg, #f3f4f6 0 6px, #e9ebef 6px 12px); color: var(--muted); }
.matrix td.gap { background: var(--bad-wash); color: var(--bad); font-weight: 700; }
.matrix td.unknown { background: var(--warn-wash); color: var(--warn); }
.legend { display: flex; flex-wrap: wrap; gap: 8px 16px; font-size: 13px; color: var(--muted); align-items: center; }
.swatch { display: inline-block; width: 14px; height: 14px; border-radius: 3px; vertical-align: -2px; margin-right: 5px; border: 1px solid #d1d5db; }
figure { margin: 14px 0 20px; }
figure figcaption { font-weight: 600; margin: 0 0 6px; }
figure figcaption .muted { font-weight: 400; }
.graph { overflow: auto; max-height: 78vh; border: 1px solid var(--line); border-radius: 8px; background: #fff; padding: 6px; }
.graph svg { display: block; max-width: none; height: auto; }
.graph.fit svg, .fit-toggle:checked ~ .graph svg { max-width: 100%; }
.fit-toggle { margin: 0 4px 6px 0; vertical-align: middle; }
.fit-label { font-size: 13px; color: var(--muted); cursor: pointer; vertical-align: middle; }
.rules-phase { margin: 18px 0 6px; font-size: 17px; }
.rule { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; margin: 0 0 10px; background: #fff; }
.rule h4 { margin: 0; font-size: 15px; display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: baseline; }
.rule h4 code { font-size: 14px; }
.rule .where { color: var(--muted); font-size: 12px; font-weight: 400; }
.rule .cond { background: var(--wash); border-radius: 6px; padding: 6px 10px; margin: 8px 0; font-size: 13px; white-space: pre-wrap; }
.rule ul { margin: 6px 0; padding-left: 0; list-style: none; }
.rule li { margin: 3px 0; }
.rule .why { color: #374151; font-style: italic; margin: 6px 0 0; font-size: 14px; }
.note { background: var(--blue-wash); border: 1px solid #bfdbfe; border-radius: 8px; padding: 10px 14px; color: #1e3a8a; }
.note.bad { background: var(--bad-wash); border-color: #f1aaa5; color: #7f1d1d; }
ol.sources li { margin: 0 0 6px; }
footer { color: var(--muted); font-size: 13px; padding: 0 0 30px; }
@media print {
  nav.toc { display: none; }
  .graph { max-height: none; overflow: visible; }
  section.card { break-inside: avoid-page; box-shadow: none; }
}
"""

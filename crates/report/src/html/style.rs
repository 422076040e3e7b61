//! The page skeleton and its inline style sheet: large type and strong
//! contrast for a projector, colour never the only carrier of a verdict
//! (every status is also written out), and nothing loaded from elsewhere.

use super::escape::esc;

const CSS: &str = r#"
:root { --pass:#1a7f37; --fail:#c62828; --unsup:#9a6700; --error:#7b1fa2;
  --ink:#1b1f24; --muted:#57606a; --line:#d0d7de; --soft:#f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 18px/1.45 system-ui, "DejaVu Sans", Arial, sans-serif; color: var(--ink); background: #fff; }
article.run { max-width: 1280px; margin: 0 auto; padding: 24px 32px 48px; }
article.run + article.run { border-top: 6px solid var(--line); break-before: page; }
h1 { font-size: 2em; margin: 0 0 .2em; }
h2 { font-size: 1.6em; margin: 1.6em 0 .2em; border-bottom: 3px solid var(--line); padding-bottom: .15em; }
h3 { font-size: 1.3em; margin: 1.4em 0 .3em; }
h4 { font-size: 1.05em; margin: 1em 0 .3em; }
.meta, .muted { color: var(--muted); }
.score { font-size: 1.3em; font-weight: 700; padding: .3em .6em; border-radius: 6px; display: inline-block; }
.score.pass { background: #dafbe1; color: var(--pass); }
.score.fail { background: #ffebe9; color: var(--fail); }
table { border-collapse: collapse; width: 100%; margin: .4em 0 1em; }
th, td { border: 1px solid var(--line); padding: .35em .55em; vertical-align: top; text-align: left; }
th { background: var(--soft); }
td.measured { white-space: pre-wrap; }
.barbox { display: inline-block; width: 8em; background: var(--soft); border: 1px solid var(--line); vertical-align: middle; }
.barbox .bar { display: block; height: .8em; background: var(--pass); }
table.rates td { white-space: nowrap; } table.rates td:first-child { white-space: normal; }
pre.output { background: var(--soft); border: 1px solid var(--line); padding: .4em .7em; font-size: .85em; white-space: pre-wrap; overflow-wrap: anywhere; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.status { font-weight: 700; white-space: nowrap; }
.status.pass { color: var(--pass); } .status.fail { color: var(--fail); }
.status.unsupported, .status.timeout { color: var(--unsup); } .status.crash { color: var(--fail); }
.status.infra_error { color: var(--error); }
tr.check.pass td:first-child { border-left: 6px solid var(--pass); }
tr.check.fail td:first-child { border-left: 6px solid var(--fail); }
tr.check.unsupported td:first-child, tr.check.timeout td:first-child { border-left: 6px solid var(--unsup); }
tr.check.crash td:first-child { border-left: 6px solid var(--fail); }
tr.check.infra_error td:first-child { border-left: 6px solid var(--error); }
.explain { font-size: .92em; }
.explain.contradiction { color: var(--fail); font-weight: 600; }
.box { border-left: 6px solid var(--error); background: #f8efff; padding: .5em .8em; margin: .6em 0; }
pre.wire { background: #f6f8fa; border: 1px solid #d0d7de; padding: .5em .8em; font-size: .85em; overflow-x: auto; white-space: pre; }
.note { border-left: 6px solid var(--unsup); background: #fff8e5; padding: .4em .8em; margin: .4em 0; }
.plots { display: flex; flex-wrap: wrap; gap: 16px; margin: .6em 0; }
figure { margin: 0; flex: 1 1 540px; }
figcaption { font-weight: 600; margin-bottom: .2em; }
svg { width: 100%; height: auto; background: #fff; border: 1px solid var(--line); }
svg text { font: 15px system-ui, "DejaVu Sans", Arial, sans-serif; fill: var(--ink); }
svg .axis line, svg .grid line { stroke: var(--line); }
svg .axis path { stroke: var(--muted); }
table.matrix { table-layout: fixed; }
table.matrix td.case { font-weight: 600; }
table.matrix th:first-child { width: 16%; }
.cited { font-size: .85em; margin-top: .5em; padding: .3em .5em; border: 1px dashed var(--line); background: #fafbfc; }
.cited .label { font-style: italic; color: var(--muted); }
.cited ul { margin: .2em 0; padding-left: 1.2em; }
.cited-legend { font-size: .85em; color: var(--muted); }
td.cell.pass { background: #f3fbf5; } td.cell.fail { background: #fff4f3; }
td.cell.unsupported, td.cell.timeout { background: #fffbea; } td.cell.crash { background: #fff4f3; }
td.cell.infra_error { background: #fbf4ff; }
.saw { font-size: 1.15em; font-weight: 700; }
.after { color: var(--muted); }
.why { font-size: .9em; margin-top: .3em; }
code { font-family: "DejaVu Sans Mono", monospace; }
@media print { body { font-size: 12pt; } article.run { padding: 0; } }
"#;

/// A complete document around `body`.
pub fn document(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"netlab {}\">\n<title>{}</title>\n<style>{CSS}</style>\n\
         </head>\n<body>\n{body}</body>\n</html>\n",
        crate::NETLAB_VERSION,
        esc(title)
    )
}

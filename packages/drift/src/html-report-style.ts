/**
 * The report's stylesheet (inline, no external assets). Chip classes: `ctx` context (mask 0), `gen` sampled
 * (mask 1), `drift` sampled token that changes on re-encoding, `rw` rewritten by the next prompt, `reenc`
 * what re-encoding gives, `diverge` from here the next prompt differs, `eos` the stripped end token, `fold`
 * folded context. The legend shows every one of them.
 */
export const REPORT_CSS = `
:root{--ctx:#e8ecf3;--ctx-b:#c5cedd;--gen:#d9f2e3;--gen-b:#8fd1a8;--reenc:#efe5fb;--reenc-b:#c6a8ef;--drift:#ffd6d6;--drift-b:#d93a3a;--rw:#ffe2c2;--rw-b:#e07b00;--div-b:#d99b00;--fg:#1d2330;--mute:#5b6475;--line:#e3e7ee}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;max-width:1240px;padding:24px;color:var(--fg);background:#fafbfd}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px}h3{font-size:14px;margin:14px 0 6px}
.verdict{border-radius:10px;padding:16px 20px;border:1px solid}.verdict.bad{background:#fff3f3;border-color:#f0b4b4}.verdict.good{background:#f1fbf4;border-color:#a9dcb9}.verdict.none{background:#f4f6fa;border-color:#cfd6e3}
.headline{font-size:16px;font-weight:600;margin:8px 0}.meta{color:var(--mute);margin:2px 0}.verdict ul{margin:6px 0 0;padding-left:20px}.demo-note{color:var(--mute);font-style:italic}
.legend{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:6px 18px;margin:14px 0;color:var(--mute);align-items:center;background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 14px}
.legend p{grid-column:1/-1;margin:4px 0 0;font-size:13px}
.overview{display:grid;grid-template-columns:minmax(320px,1fr) minmax(300px,1fr);gap:18px;align-items:start}
.charts{display:grid;gap:12px}.chart{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 12px}.chart h3{margin:0 0 6px;font-size:13px}.chart svg{display:block;width:100%;height:auto}
.strip{display:flex;flex-wrap:wrap;gap:3px;margin:4px 0 8px;align-items:flex-start}.strip .nl{flex-basis:100%;height:0}
.tok{display:inline-block;font:12px/1.3 ui-monospace,Menlo,Consolas,monospace;padding:2px 5px;border-radius:4px;border:1px solid;white-space:pre;cursor:default}
.tok.ctx{background:var(--ctx);border-color:var(--ctx-b);color:#49536a}.tok.gen{background:var(--gen);border-color:var(--gen-b)}.tok.reenc{background:var(--reenc);border-color:var(--reenc-b)}
.tok.gen.rw{background:var(--rw);border-color:var(--rw-b)}.tok.ctx.rw{border:2px dashed var(--rw-b)}
.tok.drift{background:var(--drift);border:2px solid var(--drift-b);font-weight:700}.tok.drift.rw{outline:2px dashed var(--rw-b);outline-offset:1px}
.tok.diverge{border:2px dashed var(--div-b);box-shadow:0 0 0 1px #fff1c7}.tok.eos{opacity:.6;font-style:italic}
.tok.fold{background:#fff;border:1px dotted #8a93a6;color:var(--mute);cursor:pointer;font-style:italic}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid var(--line)}th{font-size:12px;color:var(--mute);font-weight:600;position:sticky;top:0;background:#fafbfd}
.num{text-align:right;font-variant-numeric:tabular-nums}.summary{background:#fff;border:1px solid var(--line);border-radius:8px}
details.section{margin:18px 0}details.section>summary{font-size:17px;font-weight:600;cursor:pointer;margin:10px 0}
details.traj{background:#fff;border:1px solid var(--line);border-radius:8px;margin:8px 0}details.traj>summary{cursor:pointer;padding:8px 12px;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}
details.traj[open]>summary{border-bottom:1px solid var(--line)}.traj-body{padding:8px 14px 12px}
.badge{display:inline-block;border-radius:9px;padding:0 7px;margin-left:6px;font-size:11.5px;font-family:system-ui,sans-serif}.badge.drift{background:var(--drift);color:#8c1d1d}.badge.rw{background:var(--rw);color:#7a4300}.badge.split{background:#fff1c7;color:#6b4d00}.badge.ok{background:var(--gen);color:#1f5f3a}
.controls{display:flex;gap:14px;align-items:center;margin:6px 0 10px;color:var(--mute)}
.calls td,.calls th{font-size:12.5px;white-space:nowrap}.calls td.wrap{white-space:normal}.calls tr.problem td:first-child{box-shadow:inset 3px 0 0 var(--drift-b)}
.label{margin:6px 0 0;font-size:12px;color:var(--mute)}.ok{color:#1f7a45}.warn{color:#a66300;font-weight:600}.bad-text{color:#b42323;font-weight:600}.hint{color:#8a93a6;font-size:12px}
.cases td{vertical-align:middle}.arrow{color:#8a93a6;font-size:18px}.note{color:var(--mute);font-size:13px}
code{font:12px ui-monospace,Menlo,Consolas,monospace;background:#eef1f6;padding:1px 4px;border-radius:3px}.cause{background:#fff1c7}
a{color:#2756b3}
`

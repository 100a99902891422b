// The reachability self-test (/admin/reach): this browser tries to load a
// small icon from each messenger's website and reports reachable or
// blocked. A page cannot read why a cross-site load failed, only whether
// and when, so a failure is judged by its timing: a name the DNS does not
// know, or a connection the firewall refuses, fails at once; a real server
// that answers with something other than a picture takes round trips.
//
// Nothing is requested until the person presses Run the check: the server
// renders every address the check may load (and the page's CSP allows only
// those), so opening the page tells no outside company anything.
"use strict";

const TIMEOUT_MS = 8000; // silence this long: dropped by a firewall
const PARALLEL = 4; // few at a time, so the timings stay meaningful
const MIN_FAST_MS = 150; // a failure faster than this is a refusal

const table = document.getElementById("reach-table");
const summary = document.getElementById("reach-summary");
const button = document.getElementById("reach-run");

const words = {
  checking: ["Checking…", "reach-checking"],
  ok: ["Reachable", "reach-ok"],
  maybe: ["Probably reachable", "reach-maybe"],
  blocked: ["Blocked", "reach-blocked"],
  silent: ["No answer (blocked)", "reach-blocked"],
};

// probe loads url (an https address the server rendered) and resolves to
// how it went and how long it took.
function probe(url) {
  return new Promise((resolve) => {
    const img = new Image();
    img.referrerPolicy = "no-referrer";
    const start = performance.now();
    let done = false;
    const finish = (how) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      img.onload = img.onerror = null;
      img.src = "";
      resolve({ how, ms: performance.now() - start });
    };
    const timer = setTimeout(() => finish("silent"), TIMEOUT_MS);
    img.onload = () => finish("load");
    img.onerror = () => finish("error");
    // A fresh query each time: a cached icon would prove nothing.
    img.src = url + "?inhouse-check=" + Date.now();
  });
}

function show(row, state, ms) {
  const cell = row.querySelector(".reach-result");
  const [text, cls] = words[state];
  const span = document.createElement("span");
  span.className = cls;
  span.textContent = text;
  cell.replaceChildren(span);
  if (ms !== undefined) {
    const t = document.createElement("span");
    t.className = "muted";
    t.textContent = " · " + Math.round(ms) + " ms";
    cell.append(t);
  }
  row.dataset.state = state;
}

async function run() {
  const rows = [...table.tBodies[0].rows].filter((r) => isProbe(r.dataset.url));
  if (rows.length === 0) {
    summary.textContent = "There are no messengers to check.";
    return;
  }
  button.disabled = true;
  summary.textContent = "Checking " + rows.length + " messengers…";
  for (const r of rows) show(r, "checking");
  // How fast does a name that cannot exist fail here? A blocked name
  // fails about as fast; a real server takes longer.
  const base = isProbe(table.dataset.baseline) ? await probe(table.dataset.baseline) : { how: "none", ms: 0 };
  const fast = Math.max(MIN_FAST_MS, base.how === "error" ? 2 * base.ms : 0);
  const queue = rows.slice();
  const worker = async () => {
    for (let row = queue.shift(); row; row = queue.shift()) {
      const r = await probe(row.dataset.url);
      let state = "silent";
      if (r.how === "load") state = "ok";
      else if (r.how === "error") state = r.ms < fast ? "blocked" : "maybe";
      show(row, state, r.ms);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  const open = rows.filter((r) => r.dataset.state === "ok" || r.dataset.state === "maybe").length;
  summary.textContent = open === 0
    ? "All " + rows.length + " messengers are blocked from this computer."
    : open + " of " + rows.length + " messengers can be reached from this computer.";
  button.disabled = false;
  button.textContent = "Check again";
}

// isProbe accepts only the shape the server renders: https, a plain host
// name, the icon's path.
function isProbe(url) {
  return /^https:\/\/[a-z0-9.-]+\/favicon\.ico$/i.test(url || "");
}

if (table && summary && button) {
  button.hidden = false;
  summary.textContent = "Not checked yet. Press Run the check when you are ready.";
  button.addEventListener("click", run);
}

// Progressive enhancement for the admin console. Every page works without
// this file; it only filters tables and checkbox lists as one types, and
// shows times in the browser's own locale.
"use strict";

// Tables: the search box above a table (data-filter=table id) hides the
// rows that do not match while typing. Submitting still searches on the
// server.
for (const input of document.querySelectorAll("input[data-filter]")) {
  const table = document.getElementById(input.dataset.filter);
  if (!table) continue;
  input.addEventListener("input", () => {
    const q = input.value.trim().toLowerCase();
    for (const row of table.tBodies[0]?.rows ?? []) {
      row.hidden = q !== "" && !row.textContent.toLowerCase().includes(q);
    }
  });
}

// Checkbox lists (people, messengers): a filter box above long lists.
for (const box of document.querySelectorAll("[data-picker]")) {
  const items = box.querySelectorAll("li");
  if (items.length < 8) continue;
  const filter = document.createElement("input");
  filter.type = "search";
  filter.placeholder = "Filter the list";
  filter.className = "picker-filter";
  filter.setAttribute("aria-label", "Filter the list");
  box.querySelector("ul")?.before(filter);
  filter.addEventListener("input", () => {
    const q = filter.value.trim().toLowerCase();
    for (const li of items) {
      li.hidden = q !== "" && !li.textContent.toLowerCase().includes(q);
    }
  });
  // Enter in the filter must not submit the form.
  filter.addEventListener("keydown", (e) => { if (e.key === "Enter") e.preventDefault(); });
}

// Times: show them as the browser's locale writes dates and times.
const fmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
for (const t of document.querySelectorAll("time[datetime]")) {
  const d = new Date(t.getAttribute("datetime"));
  if (!isNaN(d)) {
    t.title = t.textContent;
    t.textContent = fmt.format(d);
  }
}

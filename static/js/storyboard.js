// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to a form's error summary so keyboard and screen-reader users hear it first.
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
  enhanceNomineeSearch();
  keepTyping();
});

// What is typed into a story is kept in this tab's sessionStorage until it is saved, so a
// session that ends while someone writes (or a form sent from an expired page) loses nothing:
// after signing in again, the empty form is filled back in. Closing the tab forgets it.
function keepTyping() {
  const saved = document.body.dataset.savedForm;
  if (saved) sessionStorage.removeItem(`storyboard-typing:${saved}`);
  const form = document.querySelector("form[data-keep-typing]");
  if (!form) return;
  const key = `storyboard-typing:${form.dataset.keepTyping}`;
  const fields = [...form.querySelectorAll("textarea, input[type=text], input[type=date], input:not([type])")]
    .filter((field) => field.name && field.name !== "nominee_query");
  const kept = JSON.parse(sessionStorage.getItem(key) || "null");
  const fresh = fields.every((field) => field.type === "date" || !field.value);
  if (kept && fresh) {
    const restored = fields.filter((field) => kept[field.name] && kept[field.name] !== field.value);
    if (restored.length) {
      for (const field of restored) field.value = kept[field.name];
      const note = document.createElement("p");
      note.className = "flash flash-info";
      note.setAttribute("role", "status");
      note.textContent = "What you were writing has been filled back in. Check it, then save.";
      form.prepend(note);
    }
  }
  let timer = null;
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const values = Object.fromEntries(fields.map((field) => [field.name, field.value]));
      sessionStorage.setItem(key, JSON.stringify(values));
    }, 300);
  });
}

// Show matching colleagues while typing, as the same checkboxes the Find button produces.
function enhanceNomineeSearch() {
  const input = document.getElementById("nominee_query");
  const results = document.querySelector(".live-results");
  if (!input || !results) return;
  let timer = null;
  let latest = 0;
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.preventDefault();  // don't submit the story while searching
  });
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const query = input.value.trim();
      const request = ++latest;
      if (query.length < 2) { results.replaceChildren(); return; }
      const response = await fetch(`${results.dataset.lookup}?q=${encodeURIComponent(query)}`,
                                   { headers: { Accept: "application/json" } });
      if (!response.ok || request !== latest) return;
      showMatches(results, await response.json());
    }, 200);
  });
}

// Ticked results move up to the chosen list first, so a new search never drops them.
function keepTicked(container) {
  const ticked = [...container.querySelectorAll('input[name="nominees"]:checked')];
  if (!ticked.length) return;
  let chosen = document.querySelector(".nominee-picker .chosen");
  if (!chosen) {
    chosen = document.createElement("ul");
    chosen.className = "choices chosen";
    chosen.setAttribute("aria-label", "Chosen colleagues");
    document.querySelector(".nominee-picker .finder").before(chosen);
  }
  for (const box of ticked) chosen.append(box.closest("li"));
}

function showMatches(container, people) {
  keepTicked(container);
  const chosen = new Set([...document.querySelectorAll('input[name="nominees"]:checked')].map((box) => box.value));
  const list = document.createElement("ul");
  list.className = "choices results";
  list.setAttribute("aria-label", "Matching colleagues");
  for (const person of people) {
    if (chosen.has(String(person.id))) continue;
    const item = document.createElement("li");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = "nominees";
    box.value = person.id;
    box.id = `result-${person.id}`;
    const label = document.createElement("label");
    label.htmlFor = box.id;
    label.append(`${person.name} `);
    const detail = document.createElement("span");
    detail.className = "muted";
    detail.textContent = [person.job_title, person.department].filter(Boolean).join(", ");
    label.append(detail);
    item.append(box, " ", label);
    list.append(item);
  }
  const note = document.createElement("p");
  note.className = "hint";
  note.textContent = people.length ? "Tick the people to add." : "Nobody matches that name or email.";
  container.replaceChildren(list, note);
}

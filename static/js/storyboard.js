// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to a form's error summary so keyboard and screen-reader users hear it first.
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
  enhanceNomineeSearch();
  keepTyping();
  enhanceMenus();
  dismissableFlashes();
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
  const search = async () => {
    const query = input.value.trim();
    const request = ++latest;
    if (query.length < 2) { results.replaceChildren(); return; }
    const response = await fetch(`${results.dataset.lookup}?q=${encodeURIComponent(query)}`,
                                 { headers: { Accept: "application/json" } });
    if (!response.ok || request !== latest) return;
    showMatches(results, await response.json());
  };
  // Enter in the search box searches now rather than sending the story: someone typing a
  // name and pressing Enter means "find them". Enter in any other field sends the story.
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    clearTimeout(timer);
    search();
  });
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, 200);
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

// The header's <details> menus work without this; with it, one is open at a time and a click
// elsewhere or Escape closes them (Escape returns focus to the menu's button).
function enhanceMenus() {
  const menus = [...document.querySelectorAll("details.menu")];
  for (const menu of menus) {
    menu.addEventListener("toggle", () => {
      if (!menu.open) return;
      for (const other of menus) if (other !== menu && !other.contains(menu)) other.open = false;
      const search = menu.querySelector("input[type=search]");
      if (search) search.focus();
    });
  }
  document.addEventListener("click", (event) => {
    for (const menu of menus) if (menu.open && !menu.contains(event.target)) menu.open = false;
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const open = menus.filter((menu) => menu.open && menu.contains(document.activeElement));
    for (const menu of open) { menu.open = false; menu.querySelector("summary").focus(); }
  });
}

// A flash message gets a close button; the message is gone on the next page anyway.
function dismissableFlashes() {
  for (const flash of document.querySelectorAll(".flashes .flash")) {
    const close = document.createElement("button");
    close.type = "button";
    close.className = "icon-button flash-close";
    close.setAttribute("aria-label", "Dismiss this message");
    close.textContent = "×";
    close.addEventListener("click", () => {
      const flashes = flash.parentElement;
      flash.remove();
      if (!flashes.children.length) flashes.remove();
      document.getElementById("main").focus({ preventScroll: true });
    });
    flash.append(close);
  }
}

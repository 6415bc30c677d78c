// The story editor's enhancements (issue 14), on the nomination form and the thank-you form:
// a Markdown toolbar, character counts and "@" suggestions of colleagues (the live preview and
// autosave are in drafts.js). Progressive enhancement only: both forms work fully without
// this file. What the forms' data- attributes ask for:
//   data-editor="body_md"      fields that get the toolbar and "@" suggestions
//   data-count="title body_md" fields that count characters up to their maxlength
//   data-mentions=URL          the colleague lookup (people.lookup, JSON)
// No HTML is ever built from what people type: everything is set as text.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-editor], form[data-count]")) {
    const fields = (names) => (names || "").split(/\s+/).filter(Boolean)
      .map((name) => form.elements.namedItem(name)).filter((field) => field instanceof HTMLElement);
    for (const field of fields(form.dataset.count)) countCharacters(field);
    for (const area of fields(form.dataset.editor)) {
      addToolbar(area);
      if (form.dataset.mentions) suggestColleagues(area, form.dataset.mentions);
    }
  }
});

const numbers = new Intl.NumberFormat("en");

// After a change made by script, the same event typing sends, so the count, the preview and
// autosave (drafts.js) and the kept copy (storyboard.js) all hear of it.
function changed(area) {
  area.dispatchEvent(new Event("input", { bubbles: true }));
}

function describedBy(field, id) {
  const ids = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
  field.setAttribute("aria-describedby", [...ids, id].join(" "));
}

function politeStatus(className) {
  const status = document.createElement("p");
  status.className = className;
  status.setAttribute("role", "status");
  return status;
}

// Character counts

const NEAR_LIMIT = 0.9;

function countCharacters(field) {
  const max = Number(field.getAttribute("maxlength"));
  if (!max) return;
  const counter = document.createElement("p");
  counter.className = "char-count";
  counter.id = `${field.id}-count`;
  // Announced only when the count crosses a threshold; the count itself is read with the field.
  const announce = politeStatus("visually-hidden");
  field.after(counter, announce);
  describedBy(field, counter.id);
  // The server counts characters (code points), as Python's len() does, not UTF-16 units.
  const levelOf = (count) => (count > max ? "over" : count >= max * NEAR_LIMIT ? "near" : "ok");
  let level = null;
  const update = () => {
    const count = [...field.value].length;
    const now = levelOf(count);
    let words = `${numbers.format(count)} of ${numbers.format(max)} characters`;
    if (now === "over") words += `: ${numbers.format(count - max)} too many. Shorten it before saving.`;
    counter.textContent = words;
    counter.classList.toggle("char-count-near", now === "near");
    counter.classList.toggle("char-count-over", now === "over");
    if (level !== null && now !== level) {
      announce.textContent = now === "over" ? `Too long by ${numbers.format(count - max)} characters.`
        : now === "near" ? `Nearly at the limit: ${numbers.format(max - count)} characters left.`
        : "Back within the limit.";
    }
    level = now;
  };
  field.addEventListener("input", update);
  update();
}

// The Markdown toolbar

const FORMATS = [
  { name: "Bold", key: "b", wrap: "**", placeholder: "bold text" },
  { name: "Italic", key: "i", wrap: "*", placeholder: "italic text" },
  { name: "Heading", prefix: "## ", placeholder: "Heading" },
  { name: "Bulleted list", text: "List", prefix: "- ", every: true, placeholder: "List item" },
  { name: "Quote", prefix: "> ", every: true, placeholder: "Quoted words" },
  { name: "Link", link: true, placeholder: "link text" },
];
const MAC = /Mac|iPhone|iPad/.test(navigator.platform);

function addToolbar(area) {
  const bar = document.createElement("div");
  bar.className = "editor-toolbar";
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", "Formatting");
  bar.setAttribute("aria-controls", area.id);
  for (const format of FORMATS) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = `editor-button editor-${format.name.toLowerCase().replace(/\W+/g, "-")}`;
    button.textContent = format.text || format.name;
    if (format.text) button.setAttribute("aria-label", format.name);
    if (format.key) {
      const key = format.key.toUpperCase();
      button.title = `${format.name} (${MAC ? "⌘" : "Ctrl+"}${key})`;
      button.setAttribute("aria-keyshortcuts", `Control+${key} Meta+${key}`);
    }
    button.tabIndex = bar.children.length ? -1 : 0; // one tab stop; arrow keys move inside
    button.addEventListener("click", () => { applyFormat(area, format); area.focus(); });
    bar.append(button);
  }
  bar.addEventListener("keydown", (event) => moveInToolbar(bar, event));
  area.before(bar);
  area.addEventListener("keydown", (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
    const format = FORMATS.find((each) => each.key === event.key.toLowerCase());
    if (!format) return;
    event.preventDefault();
    applyFormat(area, format);
  });
}

function moveInToolbar(bar, event) {
  const buttons = [...bar.querySelectorAll("button")];
  const here = buttons.indexOf(document.activeElement);
  const next = { ArrowRight: here + 1, ArrowLeft: here - 1, Home: 0, End: buttons.length - 1 }[event.key];
  if (next === undefined || here < 0) return;
  event.preventDefault();
  const target = buttons[(next + buttons.length) % buttons.length];
  for (const button of buttons) button.tabIndex = button === target ? 0 : -1;
  target.focus();
}

function applyFormat(area, format) {
  if (format.wrap) wrapSelection(area, format.wrap, format.wrap, format.placeholder);
  else if (format.link) insertLink(area, format.placeholder);
  else prefixLines(area, format);
  changed(area);
}

// Markers go round the words, not round spaces a double click also picked up: "** word**"
// is no bold in Markdown.
function wrapSelection(area, before, after, placeholder) {
  const { selectionStart, selectionEnd, value } = area;
  const picked = value.slice(selectionStart, selectionEnd);
  const start = selectionStart + (picked.length - picked.trimStart().length);
  const end = selectionEnd - (picked.length - picked.trimEnd().length);
  const words = value.slice(start, end) || placeholder;
  if (end <= start) {
    area.setRangeText(before + words + after, selectionStart, selectionEnd);
    area.setSelectionRange(selectionStart + before.length, selectionStart + before.length + words.length);
    return;
  }
  area.setRangeText(before + words + after, start, end);
  area.setSelectionRange(start + before.length, start + before.length + words.length);
}

function insertLink(area, placeholder) {
  const { selectionStart: start, selectionEnd: end, value } = area;
  const picked = value.slice(start, end).trim();
  if (/^https?:\/\/\S+$/i.test(picked)) { // a pasted address: ask for the words to show
    area.setRangeText(`[${placeholder}](${picked})`, start, end);
    area.setSelectionRange(start + 1, start + 1 + placeholder.length);
    return;
  }
  const words = picked || placeholder;
  const address = "https://";
  area.setRangeText(`[${words}](${address})`, start, end);
  const at = start + words.length + 3; // the address, selected: typing or pasting replaces it
  area.setSelectionRange(at, at + address.length);
}

// Headings, lists and quotes work on whole lines: each line the selection touches (the first
// only, for a heading). A list needs a blank line above it, or Markdown reads it as text.
function prefixLines(area, format) {
  const { selectionStart, selectionEnd, value } = area;
  const start = value.lastIndexOf("\n", selectionStart - 1) + 1;
  let end = value.indexOf("\n", Math.max(selectionEnd - (selectionEnd > selectionStart ? 1 : 0), start));
  if (end === -1) end = value.length;
  const lines = value.slice(start, end).split("\n");
  const above = value.slice(0, Math.max(start - 1, 0)).split("\n").pop();
  const gap = start > 0 && above.trim() && !above.startsWith(format.prefix) && format.prefix === "- " ? "\n" : "";
  if (!lines.join("").trim()) {
    area.setRangeText(gap + format.prefix + format.placeholder, start, end);
    const at = start + gap.length + format.prefix.length;
    area.setSelectionRange(at, at + format.placeholder.length);
    return;
  }
  const marked = lines.map((line, index) => {
    if (!line.trim() || (!format.every && index > 0)) return line;
    const bare = format.prefix === "## " ? line.replace(/^#+\s*/, "") : line;
    return bare.startsWith(format.prefix) ? bare : format.prefix + bare;
  }).join("\n");
  area.setRangeText(gap + marked, start, end);
  area.setSelectionRange(start + gap.length, start + gap.length + marked.length);
}

// "@" suggestions: "@da" offers the colleagues whose name or email holds "da"; picking one
// puts their full name in place of "@da", as plain text (Markdown has no mentions).

const MENTION = /(?:^|[\s(])@(\p{L}[\p{L}\p{M}'’.-]*(?: \p{L}[\p{L}\p{M}'’.-]*)?)$/u;

function suggestColleagues(area, lookupUrl) {
  const list = document.createElement("ul");
  list.id = `${area.id}-suggestions`;
  list.className = "mention-list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Suggested colleagues");
  list.hidden = true;
  const status = politeStatus("visually-hidden");
  area.after(list, status);
  // A textbox may not carry aria-expanded (axe: aria-allowed-attr); aria-autocomplete says
  // suggestions may appear, aria-controls and aria-activedescendant follow the open list.
  area.setAttribute("aria-autocomplete", "list");
  let people = [];
  let active = -1;
  let mention = null;
  let latest = 0;
  let timer = null;

  const open = () => list.hidden === false;
  const close = () => {
    if (!open()) return;
    list.hidden = true;
    list.replaceChildren();
    area.removeAttribute("aria-activedescendant");
    area.removeAttribute("aria-controls");
    people = [];
    active = -1;
  };
  const highlight = (index) => {
    active = (index + people.length) % people.length;
    for (const [at, option] of [...list.children].entries()) option.setAttribute("aria-selected", String(at === active));
    const option = list.children[active];
    area.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({ block: "nearest" });
  };
  const pick = (index) => {
    const person = people[index];
    area.setRangeText(person.name, mention.start, mention.end, "end");
    close();
    status.textContent = `${person.name} inserted.`;
    changed(area);
  };
  const show = (found) => {
    people = found;
    if (!people.length) { close(); return; }
    list.replaceChildren(...people.map((person, index) => {
      const option = document.createElement("li");
      option.id = `${list.id}-${index}`;
      option.setAttribute("role", "option");
      option.append(person.name);
      const detail = [person.job_title, person.department].filter(Boolean).join(", ");
      if (detail) {
        const muted = document.createElement("span");
        muted.className = "muted";
        muted.textContent = ` ${detail}`;
        option.append(muted);
      }
      option.addEventListener("mousedown", (event) => event.preventDefault()); // the field keeps focus
      option.addEventListener("click", () => pick(index));
      return option;
    }));
    list.hidden = false;
    area.setAttribute("aria-controls", list.id);
    highlight(0);
    const count = people.length === 1 ? "1 colleague" : `${people.length} colleagues`;
    status.textContent = `${count} suggested: arrow keys to choose, Enter to insert, Escape to close.`;
  };
  const lookup = async (query) => {
    const request = ++latest;
    let found = [];
    try {
      const response = await fetch(`${lookupUrl}?q=${encodeURIComponent(query)}`,
                                   { headers: { Accept: "application/json" }, redirect: "manual" });
      if (response.ok) found = await response.json();
    } catch { /* offline or signed out: no suggestions, typing goes on */ }
    if (request === latest && mention && mention.query === query) show(found);
  };

  area.addEventListener("input", () => {
    clearTimeout(timer);
    const caret = area.selectionStart;
    const typed = area.selectionEnd === caret ? MENTION.exec(area.value.slice(0, caret)) : null;
    if (!typed || typed[1].replace(/[^\p{L}]/gu, "").length < 2) { mention = null; latest++; close(); return; }
    mention = { start: caret - typed[1].length - 1, end: caret, query: typed[1] };
    timer = setTimeout(() => lookup(typed[1]), 150);
  });
  // While the list is open, these keys belong to it: Enter picks (no new line, no submit).
  area.addEventListener("keydown", (event) => {
    if (!open()) return;
    const moves = { ArrowDown: active + 1, ArrowUp: active - 1 };
    if (event.key in moves) highlight(moves[event.key]);
    else if (event.key === "Enter" || event.key === "Tab") pick(active);
    else if (event.key === "Escape") { mention = null; close(); }
    else return;
    event.preventDefault();
    event.stopPropagation();
  });
  area.addEventListener("blur", () => { mention = null; close(); });
  area.addEventListener("click", close);
}

// The nomination form's live preview and autosave of drafts (issue 14); the toolbar, counts
// and "@" suggestions are in editor.js. Progressive enhancement only: without this file the
// Preview and Save draft buttons do the same through the server. What the form asks for:
//   data-preview-url=URL  renders the story's Markdown (stories.preview_markdown)
//   data-autosave=URL     saves the draft (stories.autosave_new, then stories.autosave_draft)
// The preview shows the server's sanitised fragment; nothing else here builds HTML.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-preview-url], form[data-autosave]");
  if (!form) return;
  if (form.dataset.previewUrl) livePreview(form);
  if (form.dataset.autosave) autosave(form);
});

// The live preview: the story's Markdown, rendered by the server ~400 ms after typing stops,
// in the same section the Preview button fills. No live region reads it out on every pause.

const PREVIEW_AFTER = 400;

function previewSection(form) {
  let section = form.querySelector("#preview");
  if (!section) {
    section = document.createElement("section");
    section.className = "preview";
    section.id = "preview";
    section.setAttribute("aria-labelledby", "preview-heading");
    const heading = document.createElement("h2");
    heading.id = "preview-heading";
    heading.textContent = "Preview";
    const prose = document.createElement("div");
    prose.className = "prose";
    section.append(heading, prose);
    form.querySelector(".actions").before(section);
    form.classList.add("with-preview"); // beside the fields on a wide screen, as after Preview
  }
  if (!section.querySelector(".preview-note")) {
    const note = document.createElement("p");
    note.className = "hint preview-note";
    section.querySelector("h2").after(note);
  }
  return section;
}

function livePreview(form) {
  const area = form.elements.namedItem("body_md");
  const token = form.elements.namedItem("csrf_token");
  if (!(area instanceof HTMLTextAreaElement) || !token) return;
  let timer = null;
  let latest = 0;
  const update = async () => {
    const request = ++latest;
    if (!area.value.trim() && !form.querySelector("#preview")) return;
    const body = new FormData();
    body.append("csrf_token", token.value);
    body.append("body_md", area.value);
    let response = null;
    try {
      response = await fetch(form.dataset.previewUrl, { method: "POST", body, redirect: "manual" });
    } catch { /* offline: the note below says so */ }
    const fragment = response && (response.ok || response.status === 413) ? await response.text() : null;
    if (request !== latest) return; // a later keystroke's preview is on its way
    const section = previewSection(form);
    const note = section.querySelector(".preview-note");
    if (response && response.ok) {
      section.querySelector(".prose").innerHTML = fragment; // sanitised by storyboard/markdown.py
      note.textContent = fragment ? "Updates as you type." : "Nothing to preview yet.";
    } else {
      // 413 is the story's own "too long" message (text from the server, shown as text).
      note.textContent = fragment ? `Not updated: ${fragment}`
        : "Not updated: reload the page or use the Preview button.";
    }
  };
  area.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(update, PREVIEW_AFTER);
  });
}

// Autosave: ~20 s after changes stop, and when the page is hidden, the form is saved as a
// draft through the same rules as "Save draft". The first save of a new nomination creates
// the draft; from then on the form (Submit, Preview, later saves) goes to that draft's edit
// address, so the story is never saved twice.

const AUTOSAVE_AFTER = 20000;

function autosave(form) {
  const status = document.createElement("p");
  status.className = "autosave-status";
  status.setAttribute("role", "status");
  form.querySelector(".actions").append(status);
  const keptKey = `storyboard-typing:${form.dataset.keepTyping}`; // storyboard.js keepTyping
  let dirty = false;
  let timer = null;
  let saving = null;
  let stopped = false;
  let submitting = false;
  let moved = false;

  const time = () => new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  // Once the server has the draft, the copy kept in this tab is not needed. After a new
  // nomination moved to its draft, keepTyping still writes under /nominate (300 ms after
  // typing); that copy is dropped again, or the next new nomination would be filled with it.
  const forgetKeptCopy = () => sessionStorage.removeItem(keptKey);
  const adopt = (answer) => {
    const before = new URL(form.action, location.href).pathname;
    form.action = answer.edit_url;
    for (const button of form.querySelectorAll("button[formaction]")) {
      const target = new URL(button.formAction, location.href);
      if (target.pathname === before) button.setAttribute("formaction", answer.edit_url + target.hash);
    }
    form.dataset.autosave = answer.autosave_url;
    if (location.pathname !== answer.edit_url) history.replaceState(history.state, "", answer.edit_url);
    moved = true;
  };
  const send = async (keepalive) => {
    const body = new FormData(form);
    let response = null;
    let answer = null;
    try {
      const options = { method: "POST", body, redirect: "manual", headers: { Accept: "application/json" } };
      try {
        response = await fetch(form.dataset.autosave, { ...options, keepalive });
      } catch (error) { // keepalive refuses bodies over 64 kB: try once more without it
        if (!keepalive) throw error;
        response = await fetch(form.dataset.autosave, options);
      }
      if ((response.headers.get("Content-Type") || "").startsWith("application/json")) answer = await response.json();
    } catch { /* offline: said below */ }
    if (!answer) {
      dirty = true;
      status.textContent = "Not saved automatically: you may be offline or signed out. Use Save draft to keep your story.";
      return;
    }
    if (answer.saved) {
      if (answer.edit_url && new URL(form.action, location.href).pathname !== answer.edit_url) adopt(answer);
      forgetKeptCopy();
      status.textContent = `Draft saved at ${time()}`;
      return;
    }
    status.textContent = answer.message;
    if (answer.stop) stopped = true;
  };
  const save = (keepalive = false) => {
    clearTimeout(timer);
    if (stopped || submitting) return Promise.resolve();
    if (saving) { // one save at a time; what changed meanwhile goes in the next
      saving.then(() => { if (dirty) schedule(); });
      return saving;
    }
    dirty = false;
    saving = send(keepalive).finally(() => { saving = null; });
    return saving;
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(save, AUTOSAVE_AFTER);
  };
  const edited = (event) => {
    if (!event.target.name || event.target.name === "nominee_query" || stopped) return;
    dirty = true;
    schedule();
    if (moved) setTimeout(forgetKeptCopy, 400);
  };
  form.addEventListener("input", edited);
  form.addEventListener("change", edited);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden" && dirty) save(true);
  });
  // A button pressed while a save is on its way waits for it: the first save may be creating
  // the draft this submit must go to, and two saves of one draft at once would clash.
  form.addEventListener("submit", (event) => {
    clearTimeout(timer);
    if (saving) {
      event.preventDefault();
      const submitter = event.submitter;
      saving.then(() => form.requestSubmit(submitter || undefined));
      return;
    }
    submitting = true; // leaving the page (visibilitychange) must not save a second copy
  });
  window.addEventListener("pageshow", (event) => { if (event.persisted) submitting = false; });
}

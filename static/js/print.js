// The break room's sheet (templates/breakroom/sheet.html): the page says how to print it; with
// JavaScript, a button does it too. Without this file the instruction alone is enough.
document.addEventListener("DOMContentLoaded", () => {
  const hint = document.querySelector(".print-hint");
  if (!hint || typeof window.print !== "function") return;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button button-primary";
  button.textContent = "Print this page";
  button.addEventListener("click", () => window.print());
  hint.prepend(button);
});

// Enhancements only: every page works without this script.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Copy buttons (hidden until this script shows them): copy the text of the element they name.
  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.hidden = false;
    button.addEventListener("click", async () => {
      const source = document.getElementById(button.dataset.copy);
      try {
        await navigator.clipboard.writeText(source.value || source.textContent);
        button.textContent = "Copied";
      } catch {
        source.select();
        button.textContent = "Press Ctrl+C to copy";
      }
      setTimeout(() => { button.textContent = "Copy citation"; }, 2000);
    });
  }

  // The search form: changing the order or the page size searches again.
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }

  // Empty fields and default choices stay out of the URL, so a shared link holds only what was asked.
  const search = document.querySelector("form.search");
  if (search) {
    search.addEventListener("submit", () => {
      for (const field of search.querySelectorAll("input, select")) {
        if (!field.value || field.value === field.dataset.default) field.disabled = true;
      }
      setTimeout(() => { for (const field of search.querySelectorAll(":disabled")) field.disabled = false; }, 0);
    });
  }

  // Document pages: n and p go to the next and previous page.
  const pages = [...document.querySelectorAll("section.page")];
  if (pages.length > 1) {
    document.addEventListener("keydown", (event) => {
      if (event.target.closest("input, textarea, select") || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key !== "n" && event.key !== "p") return;
      const current = Math.max(0, pages.findLastIndex((page) => page.getBoundingClientRect().top <= 8));
      const next = event.key === "n" ? Math.min(pages.length - 1, current + 1) : Math.max(0, current - 1);
      location.hash = pages[next].id;
    });
  }
});

// procore-qb pages: progressive enhancement only. Every page works without this script:
// forms post, the server checks everything and answers with a redirect.
//
//   <button data-confirm="Reject 3 projects?">  asks in a <dialog> before submitting
//   <input type="checkbox" data-select-all="ids">  checks every box named "ids" in its form
//   <div data-poll="/fragment/url" data-poll-seconds="5">  reloads its content from the URL
//       until the answer carries the header "X-Poll-Done: 1" (aria-live is the template's);
//       an answer that was redirected (signed out) reloads the whole page instead
//   <details data-dialog><summary>Reject</summary>…</details>  opens its content in a modal
//       <dialog> (without script it unfolds in place); the content stays in its form
"use strict";

(function () {
  function confirmDialog(question, confirmLabel, onConfirm, opener) {
    const dialog = document.createElement("dialog");
    dialog.className = "confirm";
    dialog.setAttribute("aria-labelledby", "confirm-question");
    const text = document.createElement("p");
    text.id = "confirm-question";
    text.textContent = question;
    const buttons = document.createElement("div");
    buttons.className = "buttons";
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "secondary";
    cancel.textContent = "Cancel";
    const ok = document.createElement("button");
    ok.type = "button";
    ok.textContent = confirmLabel;
    buttons.append(cancel, ok);
    dialog.append(text, buttons);
    document.body.append(dialog);
    const close = function () {
      dialog.close();
      dialog.remove();
      if (opener) { opener.focus(); }
    };
    cancel.addEventListener("click", close);
    dialog.addEventListener("cancel", function (event) { event.preventDefault(); close(); });
    ok.addEventListener("click", function () { dialog.close(); dialog.remove(); onConfirm(); });
    dialog.showModal();
    cancel.focus();
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    const submitter = event.submitter;
    if (!(form instanceof HTMLFormElement) || !submitter || !submitter.dataset.confirm) {
      return;
    }
    if (form.dataset.confirmed === "yes") {
      delete form.dataset.confirmed;
      return;
    }
    if (typeof HTMLDialogElement !== "function") {
      return; // no <dialog>: the form goes as it is
    }
    event.preventDefault();
    confirmDialog(submitter.dataset.confirm, submitter.textContent.trim() || "Confirm", function () {
      form.dataset.confirmed = "yes";
      form.requestSubmit(submitter);
    }, submitter);
  });

  function boxes(control) {
    // A form's elements include those tied to it with the form="…" attribute.
    const pool = control.form
      ? Array.from(control.form.elements)
      : Array.from(document.querySelectorAll("input[type=checkbox]"));
    return pool.filter(function (box) {
      return box instanceof HTMLInputElement && box.type === "checkbox" &&
        box.name === control.dataset.selectAll;
    });
  }

  function syncSelectAll(control) {
    const all = boxes(control);
    const checked = all.filter(function (box) { return box.checked; }).length;
    control.checked = all.length > 0 && checked === all.length;
    control.indeterminate = checked > 0 && checked < all.length;
  }

  document.addEventListener("change", function (event) {
    const target = event.target;
    if (!(target instanceof HTMLInputElement) || target.type !== "checkbox") {
      return;
    }
    if (target.dataset.selectAll) {
      boxes(target).forEach(function (box) { box.checked = target.checked; });
      return;
    }
    document.querySelectorAll("input[data-select-all]").forEach(function (control) {
      if (control.dataset.selectAll === target.name) { syncSelectAll(control); }
    });
  });

  let dialogs = 0;

  function openAsDialog(details) {
    const summary = details.querySelector(":scope > summary");
    const dialog = document.createElement("dialog");
    dialog.className = "confirm details-dialog";
    dialogs += 1;
    const title = document.createElement("h2");
    title.id = "details-dialog-" + dialogs;
    title.textContent = summary.textContent.trim();
    dialog.setAttribute("aria-labelledby", title.id);
    const moved = Array.from(details.childNodes).filter(function (node) { return node !== summary; });
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "secondary";
    cancel.textContent = "Cancel";
    dialog.append(title);
    moved.forEach(function (node) { dialog.append(node); });
    const buttons = document.createElement("div");
    buttons.className = "buttons";
    buttons.append(cancel);
    dialog.append(buttons);
    // Beside the <details>, so the content keeps the form it belongs to.
    details.after(dialog);
    const close = function () {
      moved.forEach(function (node) { details.append(node); });
      dialog.close();
      dialog.remove();
      summary.focus();
    };
    cancel.addEventListener("click", close);
    dialog.addEventListener("cancel", function (event) { event.preventDefault(); close(); });
    dialog.showModal();
    const first = dialog.querySelector("textarea, input:not([type=hidden]), select");
    if (first) { first.focus(); }
  }

  document.addEventListener("click", function (event) {
    const target = event.target instanceof Element ? event.target : null;
    const summary = target ? target.closest("details[data-dialog] > summary") : null;
    if (!summary || typeof HTMLDialogElement !== "function") {
      return;
    }
    event.preventDefault();
    openAsDialog(summary.parentElement);
  });

  function poll(element) {
    const url = element.dataset.poll;
    const seconds = Math.min(Math.max(Number(element.dataset.pollSeconds) || 5, 1), 300);
    if (!url || !url.startsWith("/") || url.startsWith("//")) {
      return;
    }
    const tick = function () {
      if (document.hidden) {
        window.setTimeout(tick, seconds * 1000);
        return;
      }
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (answer) {
          if (answer.redirected) {
            // Signed out meanwhile (sent to sign in): load the page itself, which says so.
            window.location.reload();
            return null;
          }
          if (!answer.ok) { throw new Error(String(answer.status)); }
          const done = answer.headers.get("X-Poll-Done") === "1";
          return answer.text().then(function (html) { return { html: html, done: done }; });
        })
        .then(function (result) {
          if (result === null) { return; }
          element.innerHTML = result.html;
          if (!result.done) { window.setTimeout(tick, seconds * 1000); }
        })
        .catch(function () { window.setTimeout(tick, seconds * 4000); });
    };
    window.setTimeout(tick, seconds * 1000);
  }

  function start() {
    document.querySelectorAll("[data-poll]").forEach(poll);
    document.querySelectorAll("input[data-select-all]").forEach(syncSelectAll);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

// Where the focus goes after an answer (issue 12), as GOV.UK's design system does it: to the error
// summary when a form failed, after an htmx swap as after a full page load; and to the status message
// when the element the person was on went away (a removed token's confirmation). No JavaScript: the
// pages work the same, the summary is simply at the top of the form.
(function () {
  "use strict";

  function focusErrorSummary(root) {
    var summary = root.matches && root.matches("[data-error-summary]") ? root : root.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
    return Boolean(summary);
  }

  // htmx:load fires for the body once htmx starts and for each piece of content it swaps in.
  document.addEventListener("htmx:load", function (event) {
    focusErrorSummary(event.target);
  });

  // A link in the summary puts the focus in the field it names (a plain link only scrolls to it).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".error-summary-list a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (field) {
      event.preventDefault();
      field.focus();
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    var active = document.activeElement;
    if (active && active !== document.body && document.documentElement.contains(active)) {
      return;
    }
    var messages = document.getElementById("messages");
    if (messages && messages.textContent.trim()) {
      messages.setAttribute("tabindex", "-1");
      messages.focus();
    }
  });
})();

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

  // Code entry paused (templates/core/code_pause.html): count down to the <time datetime> it names,
  // then give the form back (its fieldset enabled, the button its own label). Without JavaScript the
  // page states the time, and the form comes back on the next visit.
  function startCountdowns(root) {
    var times = root.querySelectorAll ? root.querySelectorAll("[data-code-pause] time[data-countdown]") : [];
    Array.prototype.forEach.call(times, function (time) {
      var until = Date.parse(time.getAttribute("datetime"));
      var pause = time.closest("[data-code-pause]");
      var left = pause.querySelector("[data-countdown-left]");
      var form = pause.closest("form");
      if (isNaN(until) || !left || time.dataset.counting) {
        return;
      }
      time.dataset.counting = "1";
      function tick() {
        var seconds = Math.max(0, Math.ceil((until - Date.now()) / 1000));
        if (seconds === 0) {
          clearInterval(timer);
          left.hidden = true;
          pause.querySelector("[data-countdown-open]").hidden = false;
          if (form) {
            Array.prototype.forEach.call(form.querySelectorAll("fieldset[disabled]"), function (fieldset) {
              fieldset.disabled = false;
            });
            Array.prototype.forEach.call(form.querySelectorAll("button[data-label]"), function (button) {
              button.textContent = button.dataset.label;
            });
          }
          return;
        }
        var minutes = Math.floor(seconds / 60);
        var rest = seconds % 60;
        left.textContent = left.dataset.label + " " + (minutes >= 60 ? Math.floor(minutes / 60) + ":" + String(minutes % 60).padStart(2, "0") : minutes) + ":" + String(rest).padStart(2, "0");
        left.hidden = false;
      }
      var timer = setInterval(tick, 1000);
      tick();
    });
  }

  document.addEventListener("htmx:load", function (event) {
    startCountdowns(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () {
    startCountdowns(document);
  });
})();

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

  // The stock type-ahead (templates/tokenadmin/_stock_field.html): a text field whose list box htmx
  // fills with matching tokens. This makes the pair an ARIA 1.2 combobox: Down/Up move through the
  // suggestions, Enter or Tab takes the one marked, Escape closes the list, a click takes one too.
  // Without JavaScript the field is a plain text field and the server resolves the typed serial.
  function comboboxParts(input) {
    return { input: input, list: document.getElementById(input.getAttribute("data-stock-combobox")) };
  }

  function comboboxOptions(list) {
    return list && !list.hidden ? Array.prototype.slice.call(list.querySelectorAll("[role=option]")) : [];
  }

  function comboboxMark(parts, option) {
    var all = parts.list ? parts.list.querySelectorAll("[role=option]") : [];
    Array.prototype.forEach.call(all, function (each) {
      each.setAttribute("aria-selected", each === option ? "true" : "false");
    });
    if (option) {
      parts.input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      parts.input.removeAttribute("aria-activedescendant");
    }
  }

  function comboboxShow(parts, open) {
    if (parts.list) {
      parts.list.hidden = !open || parts.list.querySelectorAll("[role=option]").length === 0;
    }
    parts.input.setAttribute("aria-expanded", parts.list && !parts.list.hidden ? "true" : "false");
    if (!open) {
      comboboxMark(parts, null);
    }
  }

  function comboboxTake(parts, option) {
    parts.input.value = option.getAttribute("data-value");
    comboboxShow(parts, false);
  }

  function comboboxSetUp(root) {
    var inputs = root.querySelectorAll ? root.querySelectorAll("[data-stock-combobox]") : [];
    Array.prototype.forEach.call(inputs, function (input) {
      input.setAttribute("role", "combobox");
      input.setAttribute("aria-autocomplete", "list");
      input.setAttribute("aria-controls", input.getAttribute("data-stock-combobox"));
      comboboxShow(comboboxParts(input), false);
    });
  }

  document.addEventListener("htmx:load", function (event) {
    startCountdowns(event.target);
    comboboxSetUp(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () {
    startCountdowns(document);
  });

  // New suggestions arrived: show them (nothing marked yet), or close an empty list.
  document.addEventListener("htmx:afterSwap", function (event) {
    var input = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (input && input.hasAttribute && input.hasAttribute("data-stock-combobox")) {
      comboboxShow(comboboxParts(input), document.activeElement === input);
    }
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.hasAttribute || !input.hasAttribute("data-stock-combobox")) {
      return;
    }
    var parts = comboboxParts(input);
    var options = comboboxOptions(parts.list);
    var current = parts.list && !parts.list.hidden ? parts.list.querySelector("[aria-selected=true]") : null;
    var index = options.indexOf(current);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (parts.list && parts.list.hidden) {
        comboboxShow(parts, true);
        options = comboboxOptions(parts.list);
      }
      if (options.length) {
        event.preventDefault();
        var step = event.key === "ArrowDown" ? 1 : -1;
        comboboxMark(parts, options[(index + step + options.length) % options.length]);
      }
    } else if (event.key === "Enter" && current) {
      event.preventDefault(); // take the suggestion; the next Enter sends the form
      comboboxTake(parts, current);
    } else if (event.key === "Tab" && current) {
      comboboxTake(parts, current); // and the focus moves on as usual
    } else if (event.key === "Escape" && parts.list && !parts.list.hidden) {
      event.preventDefault();
      comboboxShow(parts, false);
    }
  });

  document.addEventListener("mousedown", function (event) {
    var option = event.target.closest && event.target.closest(".stock-options [role=option]");
    var input = option && document.querySelector("[data-stock-combobox='" + option.parentNode.id + "']");
    if (input) {
      event.preventDefault(); // keep the focus in the field
      comboboxTake(comboboxParts(input), option);
    }
  });

  document.addEventListener("focusout", function (event) {
    var input = event.target;
    if (input.hasAttribute && input.hasAttribute("data-stock-combobox")) {
      comboboxShow(comboboxParts(input), false);
    }
  });
})();

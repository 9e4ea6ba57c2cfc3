// Behaviour shared by every page, kept out of the markup so the content security policy
// needs no inline script.
(function () {
  // A <select data-autosubmit> sends its form as soon as a choice is made.
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("select[data-autosubmit]") && field.form) {
      field.form.submit();
    }
  });
})();

// Live updates: the header badges and a campaign's progress are fetched again when the
// server's event stream says something changed (htmx listens for the "ic-…" events fired on
// the body). While the stream is down, "ic-poll" fires at once and then every two seconds
// instead, as often as the campaign page polled before there was a stream.
(function () {
  var body = document.body;
  var url = body && body.getAttribute("data-live-url");
  var POLL_MS = 2000;
  var COALESCE_MS = 300;
  var poller = null;
  var pending = {};

  function fire(name) {
    body.dispatchEvent(new CustomEvent(name, { bubbles: true }));
  }
  // A burst of events (a campaign's chunks) refreshes once, shortly after the last.
  function fireSoon(name) {
    if (pending[name]) {
      return;
    }
    pending[name] = setTimeout(function () {
      delete pending[name];
      fire(name);
    }, COALESCE_MS);
  }
  function startPolling() {
    if (poller === null) {
      fire("ic-poll");
      poller = setInterval(function () { fire("ic-poll"); }, POLL_MS);
    }
  }
  function stopPolling() {
    if (poller !== null) {
      clearInterval(poller);
      poller = null;
    }
  }

  if (!url) {
    return;
  }
  if (!window.EventSource) {
    startPolling();
    return;
  }
  var source = new EventSource(url);
  var opened = false;
  source.addEventListener("open", function () {
    stopPolling();
    // After a reconnect, catch up on what the stream missed.
    if (opened) {
      fire("ic-poll");
    }
    opened = true;
    body.setAttribute("data-live", "on");
  });
  source.addEventListener("error", function () {
    body.setAttribute("data-live", "off");
    startPolling();
  });
  source.addEventListener("notifications", function () { fireSoon("ic-notifications"); });
  source.addEventListener("messages", function () { fireSoon("ic-messages"); });
  source.addEventListener("campaign", function (event) {
    var data = JSON.parse(event.data);
    fireSoon("ic-campaign-" + data.campaign);
  });
})();

// The design system's behaviour: tables that stack on phones, badges mirrored into the tab
// bar, toasts for htmx results, and a confirmation dialog in place of window.confirm.
(function () {
  var body = document.body;

  // A data table becomes a column of cards on a phone (site.css); each cell is labelled with
  // its column's header, which the cell itself does not repeat.
  function stackTables(root) {
    var tables = root.querySelectorAll("main table");
    Array.prototype.forEach.call(tables, function (table) {
      // A table wider than the column scrolls inside it instead of spilling over the next one.
      if (!table.parentElement.classList.contains("table-scroll")) {
        var wrapper = document.createElement("div");
        wrapper.className = "table-scroll";
        table.parentElement.insertBefore(wrapper, table);
        wrapper.appendChild(table);
      }
      if (table.classList.contains("no-stack") || !table.tHead) {
        return;
      }
      var headerRow = table.tHead.rows[table.tHead.rows.length - 1];
      if (!headerRow) {
        return;
      }
      var labels = [];
      Array.prototype.forEach.call(headerRow.cells, function (cell) {
        var span = cell.colSpan || 1;
        for (var i = 0; i < span; i++) {
          labels.push(cell.textContent.trim());
        }
      });
      Array.prototype.forEach.call(table.tBodies, function (tbody) {
        Array.prototype.forEach.call(tbody.rows, function (row) {
          var column = 0;
          Array.prototype.forEach.call(row.cells, function (cell) {
            if (labels[column] && !cell.hasAttribute("data-label")) {
              cell.setAttribute("data-label", labels[column]);
            }
            column += cell.colSpan || 1;
          });
        });
      });
      table.classList.add("stacked");
    });
  }

  // The side navigation's badges are fetched by htmx; the tab bar shows the same count.
  function mirrorBadges(source) {
    var name = source.getAttribute("data-badge-source");
    var mirrors = document.querySelectorAll('[data-badge-mirror="' + name + '"]');
    Array.prototype.forEach.call(mirrors, function (mirror) {
      mirror.innerHTML = source.innerHTML;
      // The copy is a picture of the count: ids and test ids stay with the original.
      Array.prototype.forEach.call(mirror.querySelectorAll("[id], [data-testid]"), function (el) {
        el.removeAttribute("id");
        el.removeAttribute("data-testid");
      });
    });
  }

  var toasts = document.getElementById("toasts");
  function toast(message, level) {
    if (!toasts || !message) {
      return;
    }
    var item = document.createElement("div");
    item.className = "toast" + (level === "error" ? " toast-error" : "");
    item.textContent = message;
    toasts.appendChild(item);
    setTimeout(function () { item.remove(); }, 4000);
  }
  window.icToast = toast;
  // A response's HX-Trigger: {"ic-toast": "Saved."} or {"ic-toast": {"message": …, "level": …}}.
  body.addEventListener("ic-toast", function (event) {
    var detail = event.detail || {};
    var value = detail.value !== undefined ? detail.value : detail;
    if (typeof value === "string") {
      toast(value);
    } else {
      toast(value.message, value.level);
    }
  });

  // hx-confirm asks in the page's own dialog: keyboard-usable, styled, and translated.
  function confirmDialog(question, onOk) {
    var dialog = document.createElement("dialog");
    dialog.className = "confirm";
    var form = document.createElement("form");
    form.method = "dialog";
    var text = document.createElement("p");
    text.id = "confirm-dialog-text";
    text.textContent = question;
    dialog.setAttribute("aria-labelledby", text.id);
    var buttons = document.createElement("div");
    buttons.className = "dialog-buttons";
    var cancel = document.createElement("button");
    cancel.className = "secondary";
    cancel.value = "cancel";
    cancel.textContent = body.getAttribute("data-confirm-cancel") || "Cancel";
    var ok = document.createElement("button");
    ok.value = "ok";
    ok.textContent = body.getAttribute("data-confirm-ok") || "OK";
    buttons.appendChild(cancel);
    buttons.appendChild(ok);
    form.appendChild(text);
    form.appendChild(buttons);
    dialog.appendChild(form);
    body.appendChild(dialog);
    dialog.addEventListener("close", function () {
      var confirmed = dialog.returnValue === "ok";
      dialog.remove();
      if (confirmed) {
        onOk();
      }
    });
    dialog.showModal();
    cancel.focus();
  }
  body.addEventListener("htmx:confirm", function (event) {
    var question = event.detail.question;
    if (!question || !window.HTMLDialogElement) {
      return;
    }
    event.preventDefault();
    confirmDialog(question, function () { event.detail.issueRequest(true); });
  });

  // A plain form with data-confirm asks the same way before it is sent.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (!question || form.hasAttribute("data-confirmed") || !window.HTMLDialogElement) {
      return;
    }
    event.preventDefault();
    var submitter = event.submitter;
    confirmDialog(question, function () {
      form.setAttribute("data-confirmed", "");
      form.requestSubmit(submitter || undefined);
    });
  });

  body.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.hasAttribute && target.hasAttribute("data-badge-source")) {
      mirrorBadges(target);
    }
  });
  body.addEventListener("htmx:afterSettle", function () { stackTables(document); });
  stackTables(document);
})();

// Share: the phone's own share sheet where there is one, else the link is copied.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-share]");
  if (!button) {
    return;
  }
  var url = new URL(button.getAttribute("data-share"), window.location.href).href;
  if (navigator.share) {
    navigator.share({ url: url }).catch(function () {});
  } else if (navigator.clipboard) {
    navigator.clipboard.writeText(url).then(function () {
      if (window.icToast) {
        window.icToast(button.getAttribute("data-copied"));
      }
    });
  }
});

// The compose box opens fully once the person starts writing, and stays open; "Write a post"
// (#compose) brings the person to it.
(function () {
  var compose = document.getElementById("compose");
  if (!compose) {
    return;
  }
  // Only a field opens it: a tap on Post must not move Post away from under the finger.
  compose.addEventListener("focusin", function (event) {
    if (event.target.matches("textarea, input, select")) {
      compose.classList.add("is-open");
    }
  });
  function arrive() {
    if (window.location.hash === "#compose") {
      var field = compose.querySelector("textarea");
      if (field) {
        field.focus();
      }
    }
  }
  window.addEventListener("hashchange", arrive);
  arrive();
})();

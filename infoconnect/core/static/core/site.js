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

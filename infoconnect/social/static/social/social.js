(function () {
  if (window.socialPageReady) { return; }
  window.socialPageReady = true;
  function errorBox(node) {
    // The nearest element holding an error box as a direct child: the form or the post.
    while (node && node.querySelector) {
      var box = node.querySelector(":scope > .htmx-errors");
      if (box) { return box; }
      node = node.parentElement;
    }
    return null;
  }
  function updateCount(field) {
    var counter = document.getElementById(field.id + "-count");
    if (counter) { counter.textContent = Array.from(field.value).length + " / " + field.dataset.charCount; }
  }
  // A 4xx answer carries a message for the person: show it beside the control they used.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status < 400 || status >= 500) { return; }
    var box = errorBox(event.detail.requestConfig && event.detail.requestConfig.elt);
    if (!box) { return; }
    event.detail.target = box;
    event.detail.shouldSwap = true;
    event.detail.isError = false;
    event.detail.swapOverride = "innerHTML";
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    // Checked by status: a 4xx shown as a message above counts as "successful" to htmx.
    var status = event.detail.xhr.status;
    if (status < 200 || status >= 400 || !elt || !elt.isConnected) { return; }
    var box = errorBox(elt);
    if (box) { box.innerHTML = ""; }
    if (elt.hasAttribute("data-reset-on-success")) {
      elt.reset();
      elt.querySelectorAll("textarea[data-char-count]").forEach(updateCount);
    }
  });
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-char-count]")) { updateCount(event.target); }
  });
})();

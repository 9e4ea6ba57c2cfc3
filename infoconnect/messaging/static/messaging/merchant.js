// The merchant's campaign pages.

// The campaign form's live estimate: an audience that cannot be counted (a refusal, 422) says
// why in the estimate's place instead of leaving the last figures there.
document.addEventListener("htmx:beforeSwap", function (event) {
  var target = event.detail.target;
  if (event.detail.xhr.status === 422 && target && target.hasAttribute("data-swap-refusals")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// "Send now"'s question, drawn open by the server (so it works without script), is shown as
// a modal dialog above the whole page: nothing else can be clicked until it is answered.
document.addEventListener("DOMContentLoaded", function () {
  var dialog = document.querySelector("dialog[open][data-modal]");
  if (dialog && dialog.showModal) {
    dialog.close();
    dialog.showModal();
  }
});

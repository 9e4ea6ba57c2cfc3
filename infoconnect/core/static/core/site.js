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

(function () {
  var main = document.getElementById("gallery-main"), link = document.getElementById("gallery-main-link");
  document.querySelectorAll("[data-testid=gallery-thumb]").forEach(function (thumb) {
    thumb.addEventListener("click", function (event) {
      event.preventDefault();
      main.src = link.href = thumb.dataset.full;
      document.querySelectorAll("[data-testid=gallery-thumb]").forEach(function (other) { other.removeAttribute("aria-current"); });
      thumb.setAttribute("aria-current", "true");
    });
  });
  var form = document.getElementById("buy-form");
  if (!form) return;
  var quantity = form.querySelector("#quantity"), price = document.getElementById("product-price");
  function clamp() {
    var most = Number(quantity.max) || 1, value = Math.round(Number(quantity.value) || 1);
    quantity.value = Math.min(Math.max(value, 1), most);
  }
  form.querySelectorAll("input[name=sku]").forEach(function (choice) {
    var chip = choice.closest("label");
    choice.addEventListener("change", function () {
      if (price) price.textContent = chip.dataset.price;
      if (quantity) { quantity.max = chip.dataset.most; clamp(); }
    });
  });
  form.querySelectorAll("[data-step]").forEach(function (button) {
    button.addEventListener("click", function () {
      quantity.value = (Number(quantity.value) || 1) + Number(button.dataset.step);
      clamp();
    });
  });
})();

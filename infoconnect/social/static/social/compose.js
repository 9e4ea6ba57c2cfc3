// The compose box's pictures: picked, dropped or pasted, each is uploaded at once to
// /api/v2/media (the session's cookie and CSRF token) and shown with a remove button; the form
// then sends their ids in order. Without this script the file input sends the pictures itself.
(function () {
  if (window.composeMediaReady) { return; }
  window.composeMediaReady = true;

  function setup(box) {
    var form = box.closest("form");
    var input = box.querySelector("input[type=file]");
    var list = box.querySelector("[data-media-previews]");
    var status = box.querySelector("[data-media-status]");
    var submit = form.querySelector("button[type=submit]");
    var max = parseInt(input.dataset.mediaInput, 10) || 9;
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    // The script sends the pictures: the form must not send them a second time.
    input.removeAttribute("name");
    input.multiple = true;

    function say(text) { status.textContent = text || ""; }
    function busy() { submit.disabled = list.querySelector(".uploading") !== null; }

    // A picture removed from the post is removed from the server too.
    function forget(id) {
      fetch(box.dataset.mediaUrl + id, {
        method: "DELETE", credentials: "same-origin", headers: {"X-CSRFToken": token}
      });
    }

    function preview(file) {
      var item = document.createElement("li");
      item.className = "media-preview uploading";
      var img = document.createElement("img");
      img.src = URL.createObjectURL(file);
      img.alt = file.name;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "×";
      remove.setAttribute("aria-label", box.dataset.removeLabel + " " + file.name);
      remove.addEventListener("click", function () {
        var id = item.dataset.mediaId;
        item.remove();
        URL.revokeObjectURL(img.src);
        busy();
        say("");
        if (id) { forget(id); }
      });
      item.append(img, remove);
      list.append(item);
      return item;
    }

    // One upload at a time: each picture is re-encoded on the server while it waits.
    var queue = Promise.resolve();

    function upload(file) {
      var item = preview(file);
      busy();
      queue = queue.then(function () { return send(file, item); });
    }

    function send(file, item) {
      if (!item.isConnected) { return null; }
      var body = new FormData();
      body.append("file", file);
      return fetch(box.dataset.uploadUrl, {
        method: "POST", body: body, credentials: "same-origin", headers: {"X-CSRFToken": token}
      }).then(function (response) {
        return response.json().then(function (data) { return {ok: response.ok, data: data}; });
      }).then(function (answer) {
        if (!answer.ok) { throw new Error(answer.data.error || box.dataset.failed); }
        if (!item.isConnected) { forget(answer.data.id); return; }
        item.classList.remove("uploading");
        item.dataset.mediaId = answer.data.id;
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = "media_ids";
        hidden.value = answer.data.id;
        item.append(hidden);
      }).catch(function (error) {
        item.remove();
        // A network failure (TypeError) has no message for a person; the server's refusal has.
        say(error instanceof TypeError ? box.dataset.failed : error.message);
      }).then(busy);
    }

    function add(files) {
      Array.from(files || []).forEach(function (file) {
        if (!file.type || file.type.indexOf("image/") !== 0) { return; }
        if (list.children.length >= max) { say(box.dataset.tooMany); return; }
        upload(file);
      });
      input.value = "";
    }

    input.addEventListener("change", function () { add(input.files); });
    box.addEventListener("dragover", function (event) {
      event.preventDefault();
      box.classList.add("dragging");
    });
    box.addEventListener("dragleave", function () { box.classList.remove("dragging"); });
    box.addEventListener("drop", function (event) {
      event.preventDefault();
      box.classList.remove("dragging");
      add(event.dataTransfer && event.dataTransfer.files);
    });
    form.addEventListener("paste", function (event) {
      var files = event.clipboardData && event.clipboardData.files;
      if (files && files.length) {
        event.preventDefault();
        add(files);
      }
    });
    // After a post is published the form is reset: its pictures went with it.
    form.addEventListener("reset", function () {
      list.querySelectorAll("img").forEach(function (img) { URL.revokeObjectURL(img.src); });
      list.innerHTML = "";
      say("");
      busy();
    });
  }

  document.querySelectorAll("[data-media-drop]").forEach(setup);
})();

// The compose box and every post textarea on the page (comments, reposts with a comment):
// - a counter that counts as the server does (code points of the text with its line breaks as
//   one character and its surrounding white space left out), says what is left near the
//   limit, and past it turns red and disables the form's submit button;
// - @-mention and #topic# suggestions from the API as one types, an ARIA combobox;
// - the compose box's Topic and Emoji pickers, which insert at the cursor;
// - the compose box's pictures: picked, dropped or pasted, each is uploaded at once to
//   /api/v2/media (the session's cookie and CSRF token) and shown with a remove button; the
//   form then sends their ids in order. Without this script the file input sends them itself.
// Its words come translated from the data- attributes of the script element.
(function () {
  if (window.composeReady) { return; }
  window.composeReady = true;

  var script = document.currentScript;
  var words = (script && script.dataset) || {};
  var ACCOUNTS_URL = "/api/v1/accounts/search";
  var TAGS_URL = "/api/v2/search";
  var TRENDS_URL = "/api/v1/trends/tags";
  var DEBOUNCE_MS = 150;
  var SUGGESTIONS = 5;
  // Below this many characters left, the counter says how many are left.
  var NEAR_LIMIT = 100;

  function say(template, count) { return (template || "%(count)s").replace("%(count)s", count); }

  // Python's str.strip() white space: the server strips exactly these around a post.
  var EDGE_SPACE = /^[\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

  // What the server counts: code points, so an emoji or a Chinese character is one.
  function countable(text) {
    return Array.from(text.replace(/\r\n?/g, "\n").replace(EDGE_SPACE, "")).length;
  }

  function submitButtons(form) { return form.querySelectorAll("button[type=submit], button:not([type])"); }

  // A form waits while a picture uploads, and refuses a text over the limit.
  function blocked(form) {
    return form.querySelector(".media-preview.uploading, textarea.composer-over") !== null;
  }

  function refreshSubmit(form) {
    var stop = blocked(form);
    submitButtons(form).forEach(function (button) { button.disabled = stop; });
  }

  document.addEventListener("submit", function (event) {
    if (event.target.matches && event.target.matches("form") && blocked(event.target)) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  // Text inserted as if typed: the browser's undo keeps it, and "input" listeners hear it.
  function insertText(field, text, start, end) {
    field.focus();
    field.setSelectionRange(start, end);
    var typed = false;
    try { typed = document.execCommand("insertText", false, text); } catch (error) { typed = false; }
    if (!typed || field.value.slice(start, start + text.length) !== text) {
      field.setRangeText(text, start, end, "end");
      field.dispatchEvent(new Event("input", {bubbles: true}));
    }
  }

  function getJSON(url, signal) {
    return fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}, signal: signal})
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      });
  }

  // The counter ---------------------------------------------------------------------------

  function setupCounter(field) {
    var max = parseInt(field.dataset.composerMax, 10);
    var counter = document.getElementById(field.id + "-count");
    if (counter) {
      var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (described.indexOf(counter.id) < 0) { described.push(counter.id); }
      field.setAttribute("aria-describedby", described.join(" "));
    }

    function update() {
      var left = max - countable(field.value);
      var over = left < 0;
      field.classList.toggle("composer-over", over);
      if (over) { field.setAttribute("aria-invalid", "true"); } else { field.removeAttribute("aria-invalid"); }
      if (counter) {
        if (over) {
          counter.textContent = say(words.countOver, -left);
        } else if (left <= NEAR_LIMIT) {
          counter.textContent = say(words.countLeft, left);
        } else {
          counter.textContent = (max - left) + " / " + max;
        }
        counter.classList.toggle("composer-count-near", !over && left <= NEAR_LIMIT);
        counter.classList.toggle("composer-count-over", over);
        // Read out only near the limit, not at every key.
        if (left <= NEAR_LIMIT) { counter.setAttribute("aria-live", "polite"); } else { counter.removeAttribute("aria-live"); }
      }
      if (field.form) { refreshSubmit(field.form); }
    }

    field.addEventListener("input", update);
    if (field.form) {
      // The reset event comes before the fields are emptied.
      field.form.addEventListener("reset", function () { setTimeout(update, 0); });
    }
    update();
  }

  // Suggestions: @accounts and #topics# -----------------------------------------------------

  // The server's rules (social/text.py): a mention is @ and 3 to 30 letters, digits or _ not
  // after a letter, digit, _ or @; a topic is #name# with no white space, #, \, ? or %.
  var MENTION_BEFORE = /(?:^|[^\p{L}\p{N}_@])@([A-Za-z0-9_]{2,30})$/u;
  var TOPIC_CHARS = /^[^#\s\\?%]{1,50}$/u;

  function tokenAt(field) {
    if (field.selectionStart !== field.selectionEnd) { return null; }
    var caret = field.selectionStart;
    var before = field.value.slice(0, caret);
    var mention = before.match(MENTION_BEFORE);
    if (mention) {
      return {kind: "mention", query: mention[1], start: caret - mention[1].length - 1, end: caret};
    }
    // A # opens a topic when the word it is in holds an odd number of them: "#茶#咖" is the
    // topic 茶 and then plain text, "#茶# #咖" opens a second topic.
    var word = before.slice(before.search(/\S*$/u));
    var hash = word.lastIndexOf("#");
    if (hash < 0 || word.indexOf("://") >= 0) { return null; }
    var query = word.slice(hash + 1);
    if ((word.match(/#/g) || []).length % 2 === 1 && TOPIC_CHARS.test(query)) {
      return {kind: "topic", query: query, start: caret - query.length - 1, end: caret};
    }
    return null;
  }

  function setupSuggestions(field) {
    var list = document.createElement("ul");
    list.id = field.id + "-suggestions";
    list.className = "composer-suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    field.insertAdjacentElement("afterend", list);
    field.setAttribute("role", "combobox");
    field.setAttribute("aria-autocomplete", "list");
    field.setAttribute("aria-controls", list.id);
    field.setAttribute("aria-expanded", "false");

    var token = null;
    var options = [];
    var active = -1;
    var timer = null;
    var asked = 0;
    var inFlight = null;
    var cache = {};

    function close() {
      clearTimeout(timer);
      if (inFlight) { inFlight.abort(); inFlight = null; }
      asked += 1;
      token = null;
      options = [];
      active = -1;
      list.hidden = true;
      list.textContent = "";
      field.setAttribute("aria-expanded", "false");
      field.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      active = index;
      Array.from(list.children).forEach(function (item, i) {
        item.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0) {
        field.setAttribute("aria-activedescendant", list.children[index].id);
        list.children[index].scrollIntoView({block: "nearest"});
      } else {
        field.removeAttribute("aria-activedescendant");
      }
    }

    function place() {
      // Under the field, as wide as it.
      list.style.top = (field.offsetTop + field.offsetHeight) + "px";
      list.style.left = field.offsetLeft + "px";
      list.style.width = field.offsetWidth + "px";
    }

    function show(found, kind) {
      options = found;
      list.textContent = "";
      if (!found.length) { close(); return; }
      list.setAttribute("aria-label", kind === "mention" ? words.mentionList || "" : words.topicList || "");
      found.forEach(function (option, i) {
        var item = document.createElement("li");
        item.id = list.id + "-" + i;
        item.setAttribute("role", "option");
        item.className = "composer-option";
        if (option.avatar) {
          var img = document.createElement("img");
          img.src = option.avatar;
          img.alt = "";
          img.className = "composer-option-avatar";
          img.width = 28;
          img.height = 28;
          item.append(img);
        }
        var name = document.createElement("span");
        name.className = "composer-option-name";
        name.textContent = option.label;
        item.append(name);
        if (option.detail) {
          item.append(" ");
          var detail = document.createElement("span");
          detail.className = "composer-option-detail muted";
          detail.textContent = option.detail;
          item.append(detail);
        }
        // Pressing keeps the focus in the field; the click then picks.
        item.addEventListener("mousedown", function (event) { event.preventDefault(); });
        item.addEventListener("click", function () { pick(i); });
        list.append(item);
      });
      place();
      list.hidden = false;
      field.setAttribute("aria-expanded", "true");
      highlight(0);
    }

    function pick(index) {
      var option = options[index];
      var at = token;
      if (!option || !at) { return; }
      close();
      var text = option.insert;
      var end = at.end;
      // A topic typed between the two # of a new topic ("#|#") closes with the # already there.
      if (at.kind === "topic" && field.value.charAt(end) === "#") { end += 1; }
      // One space after it: the one already there, or a new one.
      var spaced = /^\s/.test(field.value.slice(end));
      insertText(field, spaced ? text : text + " ", at.start, end);
      if (spaced) { field.setSelectionRange(at.start + text.length + 1, at.start + text.length + 1); }
    }

    function accounts(data) {
      return data.map(function (account) {
        return {
          avatar: account.avatar,
          label: account.display_name || account.username,
          detail: "@" + account.username,
          insert: "@" + account.username
        };
      });
    }

    function topics(data) {
      return (data.hashtags || []).map(function (tag) {
        return {label: "#" + tag.name + "#", insert: "#" + tag.name + "#"};
      });
    }

    function current(wanted) {
      return token !== null && token.kind === wanted.kind && token.query === wanted.query;
    }

    function ask(wanted) {
      var key = wanted.kind + ":" + wanted.query.toLowerCase();
      if (cache[key]) { show(cache[key], wanted.kind); return; }
      if (inFlight) { inFlight.abort(); }
      inFlight = window.AbortController ? new AbortController() : null;
      var mine = ++asked;
      var url = wanted.kind === "mention"
        ? ACCOUNTS_URL + "?q=" + encodeURIComponent(wanted.query) + "&limit=" + SUGGESTIONS
        : TAGS_URL + "?type=hashtags&q=" + encodeURIComponent(wanted.query) + "&limit=" + SUGGESTIONS;
      getJSON(url, inFlight && inFlight.signal).then(function (data) {
        var found = wanted.kind === "mention" ? accounts(data) : topics(data);
        cache[key] = found;
        // A late answer to an earlier query is dropped: the field has moved on.
        if (mine !== asked || !current(wanted)) { return; }
        inFlight = null;
        show(found, wanted.kind);
      }).catch(function () {
        if (mine === asked && current(wanted)) { close(); }
      });
    }

    function changed() {
      var now = tokenAt(field);
      clearTimeout(timer);
      if (!now) { close(); return; }
      token = now;
      timer = setTimeout(function () { ask(now); }, DEBOUNCE_MS);
    }

    field.addEventListener("input", function (event) {
      // While an input method composes, the field holds its spelling (pinyin), not the text.
      if (!event.isComposing) { changed(); }
    });
    field.addEventListener("compositionend", changed);
    field.addEventListener("click", changed);
    field.addEventListener("blur", close);
    field.addEventListener("keydown", function (event) {
      // An input method's own keys (choosing characters) are not ours.
      if (event.isComposing || event.keyCode === 229 || list.hidden || !options.length) { return; }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var step = event.key === "ArrowDown" ? 1 : -1;
        highlight((active + step + options.length) % options.length);
      } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0 && !event.shiftKey) {
        event.preventDefault();
        pick(active);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    field.addEventListener("keyup", function (event) {
      if (event.key === "ArrowLeft" || event.key === "ArrowRight" || event.key === "Home" || event.key === "End") { changed(); }
    });
    if (field.form) { field.form.addEventListener("reset", close); }
  }

  // A textarea that takes posts gets the counter and the suggestions once, when the page
  // loads or when it is first focused (a repost form that came later with htmx).
  function enhance(field) {
    if (field.dataset.composerMax) { return; }
    // The limit moves to the script's own attribute: social.js's plain counter stands down,
    // and the browser's maxlength (which counts an emoji as two) makes way for the counter.
    field.dataset.composerMax = field.dataset.charCount;
    field.removeAttribute("data-char-count");
    field.removeAttribute("maxlength");
    setupCounter(field);
    setupSuggestions(field);
  }

  document.querySelectorAll("textarea[data-char-count]").forEach(enhance);
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-char-count]")) { enhance(event.target); }
  });

  // The Topic and Emoji pickers ---------------------------------------------------------------

  var EMOJI = [
    "😀", "😂", "🤣", "😊", "😍", "🥰", "😘", "😎", "🤔", "😅",
    "😭", "😡", "😱", "🥳", "😴", "🙄", "😏", "🤗", "🙏", "👍",
    "👎", "👏", "💪", "🤝", "👌", "🙌", "💖", "💔", "🔥", "✨",
    "🎉", "🎁", "🌹", "☕", "🍵", "🍰", "🧧", "🏮", "💰", "🛒"
  ];

  function setupPickers(tools) {
    var form = tools.closest("form");
    var field = form.querySelector("textarea[name=text]");
    var buttons = tools.querySelectorAll("[data-picker]");
    var trendsLoaded = false;
    tools.hidden = false;

    function panelOf(button) { return document.getElementById(button.getAttribute("aria-controls")); }

    function closeAll(except) {
      buttons.forEach(function (button) {
        if (button === except) { return; }
        button.setAttribute("aria-expanded", "false");
        panelOf(button).hidden = true;
      });
    }

    // At the cursor, or where the cursor was when the field lost the focus.
    function insertAtCursor(text, caretBack) {
      var start = field.selectionStart, end = field.selectionEnd;
      insertText(field, text, start, end);
      if (caretBack) {
        var at = start + text.length - caretBack;
        field.setSelectionRange(at, at);
      }
    }

    function choice(label, onPick) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "chip";
      button.textContent = label;
      button.addEventListener("click", function () { closeAll(); onPick(); });
      item.append(button);
      return item;
    }

    function fillTopics(panel) {
      var list = panel.querySelector("[data-topic-list]");
      var note = panel.querySelector("[data-topic-note]");
      getJSON(TRENDS_URL + "?limit=10").then(function (tags) {
        list.textContent = "";
        list.append(choice(panel.dataset.newTopic, function () { insertAtCursor("##", 1); }));
        tags.forEach(function (tag) {
          list.append(choice("#" + tag.name + "#", function () { insertAtCursor("#" + tag.name + "#"); }));
        });
        note.textContent = tags.length ? "" : panel.dataset.noTopics;
        trendsLoaded = true;
      }).catch(function () {
        note.textContent = panel.dataset.failed;
      });
    }

    function fillEmoji(panel) {
      var grid = panel.querySelector("[data-emoji-grid]");
      if (grid.children.length) { return; }
      EMOJI.forEach(function (emoji) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "composer-emoji";
        button.textContent = emoji;
        button.addEventListener("click", function () { closeAll(); insertAtCursor(emoji); });
        item.append(button);
        grid.append(item);
      });
    }

    buttons.forEach(function (button) {
      var panel = panelOf(button);
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") === "true";
        closeAll(button);
        button.setAttribute("aria-expanded", open ? "false" : "true");
        panel.hidden = open;
        if (open) { return; }
        if (button.dataset.picker === "topics" && !trendsLoaded) { fillTopics(panel); }
        if (button.dataset.picker === "emoji") { fillEmoji(panel); }
        var first = panel.querySelector("button");
        if (first) { first.focus(); }
      });
      panel.addEventListener("keydown", function (event) {
        if (event.key === "Escape") {
          event.preventDefault();
          closeAll();
          button.focus();
          return;
        }
        // The arrows move through the choices, up and down by a row of the grid.
        var choices = Array.from(panel.querySelectorAll("button"));
        var at = choices.indexOf(document.activeElement);
        if (at < 0) { return; }
        var row = choices.filter(function (c) { return c.offsetTop === choices[0].offsetTop; }).length;
        var step = {ArrowRight: 1, ArrowLeft: -1, ArrowDown: row, ArrowUp: -row}[event.key];
        if (!step) { return; }
        event.preventDefault();
        choices[Math.min(Math.max(at + step, 0), choices.length - 1)].focus();
      });
    });
    document.addEventListener("click", function (event) {
      if (!tools.contains(event.target)) { closeAll(); }
    });
  }

  document.querySelectorAll("[data-composer-tools]").forEach(setupPickers);

  // Pictures ---------------------------------------------------------------------------------

  function setupMedia(box) {
    var form = box.closest("form");
    var input = box.querySelector("input[type=file]");
    var list = box.querySelector("[data-media-previews]");
    var status = box.querySelector("[data-media-status]");
    var max = parseInt(input.dataset.mediaInput, 10) || 9;
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    // The script sends the pictures: the form must not send them a second time.
    input.removeAttribute("name");
    input.multiple = true;

    function tell(text) { status.textContent = text || ""; }
    function busy() { refreshSubmit(form); }

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
        tell("");
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
        tell(error instanceof TypeError ? box.dataset.failed : error.message);
      }).then(busy);
    }

    function add(files) {
      Array.from(files || []).forEach(function (file) {
        if (!file.type || file.type.indexOf("image/") !== 0) { return; }
        if (list.children.length >= max) { tell(box.dataset.tooMany); return; }
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
      tell("");
      busy();
    });
  }

  document.querySelectorAll("[data-media-drop]").forEach(setupMedia);
})();

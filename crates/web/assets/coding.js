// Sankore transcript coding: turns the browser's selection into UTF-16
// offsets of the document (each segment carries its own offset in data-u),
// and posts them with the chosen codes. The server converts to Unicode
// scalar offsets. No framework, no inline script (strict CSP).
(function () {
  "use strict";
  var root = document.getElementById("transcript");
  var form = document.getElementById("apply");
  if (!root || !form) return;
  var message = document.getElementById("apply-message");

  function segmentStart(seg) { return parseInt(seg.getAttribute("data-u"), 10); }
  function segmentEnd(seg) { return segmentStart(seg) + seg.textContent.length; }
  function segments() { return Array.prototype.slice.call(root.querySelectorAll(".seg")); }

  // Document offset (UTF-16 units) of a DOM boundary point. Inside a
  // segment's text it is exact; on an element boundary (a selection that
  // starts or ends between lines) it snaps to the nearest segment inside
  // the selection.
  function offsetOf(node, offset, isEnd) {
    if (node.nodeType === Node.TEXT_NODE) {
      var seg = node.parentElement && node.parentElement.closest(".seg");
      if (seg) return segmentStart(seg) + offset;
    }
    var point = document.createRange();
    point.setStart(node, offset);
    point.collapse(true);
    var all = segments();
    var i, text;
    if (isEnd) {
      var result = 0;
      for (i = 0; i < all.length; i++) {
        text = all[i].firstChild;
        if (!text) continue;
        if (point.comparePoint(text, text.length) <= 0) result = segmentEnd(all[i]); else break;
      }
      return result;
    }
    for (i = 0; i < all.length; i++) {
      text = all[i].firstChild;
      if (text && point.comparePoint(text, 0) >= 0) return segmentStart(all[i]);
    }
    return all.length ? segmentEnd(all[all.length - 1]) : 0;
  }

  var filter = document.getElementById("code-filter");
  var select = document.getElementById("codes");
  function fold(text) { return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); }
  if (filter && select) {
    filter.addEventListener("input", function () {
      var wanted = fold(filter.value);
      Array.prototype.forEach.call(select.options, function (option) {
        option.hidden = wanted !== "" && fold(option.textContent).indexOf(wanted) < 0;
      });
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed || !root.contains(selection.anchorNode)) {
      message.textContent = form.getAttribute("data-select-first");
      return;
    }
    var range = selection.getRangeAt(0);
    var start = offsetOf(range.startContainer, range.startOffset, false);
    var end = offsetOf(range.endContainer, range.endOffset, true);
    var codes = Array.prototype.filter.call(select.options, function (o) { return o.selected; })
      .map(function (o) { return o.value; });
    var memo = form.querySelector("textarea[name=memo]").value;
    fetch(form.getAttribute("action"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": form.getAttribute("data-csrf") },
      body: JSON.stringify({ start_utf16: start, end_utf16: end, codes: codes, memo: memo || null })
    }).then(function (response) {
      if (response.ok) { window.location.reload(); return null; }
      return response.json().then(function (body) { message.textContent = body.error || response.statusText; });
    }).catch(function (error) { message.textContent = String(error); });
  });
})();

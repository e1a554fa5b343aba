// Live total and grade on the score form, as the person types. The server recomputes both on
// save and never trusts these figures; this only saves a round trip while typing.
(function () {
  "use strict";
  var form = document.getElementById("score-form");
  if (!form) { return; }
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input.score-input"));
  var totalOut = document.getElementById("live-total");
  var gradeOut = document.getElementById("live-grade");
  // Lower bounds of 優, 甲, 乙, 丙 in tenths of a point; 丁 is everything below. The grades'
  // names come in the reader's language (優 ... 丁, or Excellent ... D).
  var bands = (form.getAttribute("data-bands") || "900,800,700,600").split(",").map(tenths);
  var grades = (form.getAttribute("data-grades") || "優,甲,乙,丙,丁").split(",");

  // "115.5" -> 1155; null when not a number with at most one decimal.
  function tenths(text) {
    var t = String(text).normalize("NFKC").trim();
    if (!/^\d+(\.\d)?$/.test(t)) { return null; }
    var parts = t.split(".");
    return parseInt(parts[0], 10) * 10 + (parts[1] ? parseInt(parts[1], 10) : 0);
  }

  function gradeOf(total) {
    for (var i = 0; i < bands.length; i++) {
      if (total >= bands[i]) { return grades[i]; }
    }
    return grades[4];
  }

  function show(total) {
    var whole = Math.floor(total / 10);
    var tenth = total % 10;
    return tenth ? whole + "." + tenth : String(whole);
  }

  // Recompute the total; when `typed` is the input just edited, refresh its hint and drop the
  // server's (now stale) message for it. On load (typed null) only fields without a server
  // message get a hint, so nothing is said twice.
  function update(typed) {
    var total = 0;
    var ok = true;
    inputs.forEach(function (input) {
      var value = tenths(input.value);
      var max = tenths(input.getAttribute("data-max"));
      var bad = value === null || value > max;
      if (bad) { ok = false; } else { total += value; }
      var number = input.id.replace("id_score_", "");
      var served = document.getElementById(input.id + "_error");
      if (typed === null ? served : input !== typed) { return; }
      var hint = document.getElementById("hint-" + number);
      if (served) { served.hidden = true; }
      input.setAttribute("aria-invalid", bad ? "true" : "false");
      if (hint) {
        hint.textContent = bad && input.value.trim() !== ""
          ? input.getAttribute("data-dimension") + "的分數必須介於 0 與 " + input.getAttribute("data-max") + " 分之間"
          : "";
      }
    });
    totalOut.textContent = ok ? show(total) : "—";
    gradeOut.textContent = ok ? gradeOf(total) : "—";
  }

  inputs.forEach(function (input) {
    input.addEventListener("input", function () { update(input); });
  });
  update(null);
})();

// Live total and grade on the score form, as the person types. The server recomputes both on
// save and never trusts these figures; this only saves a round trip while typing.
(function () {
  "use strict";
  var form = document.getElementById("score-form");
  if (!form) { return; }
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input.score-input"));
  var totalOut = document.getElementById("live-total");
  var gradeOut = document.getElementById("live-grade");
  // Lower bounds of 優, 甲, 乙, 丙 in tenths of a point; 丁 is everything below.
  var bands = (form.getAttribute("data-bands") || "900,800,700,600").split(",").map(tenths);
  var grades = ["優", "甲", "乙", "丙"];

  // "115.5" -> 1155; null when not a number with at most one decimal.
  function tenths(text) {
    var t = String(text).trim();
    if (!/^\d+(\.\d)?$/.test(t)) { return null; }
    var parts = t.split(".");
    return parseInt(parts[0], 10) * 10 + (parts[1] ? parseInt(parts[1], 10) : 0);
  }

  function gradeOf(total) {
    for (var i = 0; i < bands.length; i++) {
      if (total >= bands[i]) { return grades[i]; }
    }
    return "丁";
  }

  function show(total) {
    var whole = Math.floor(total / 10);
    var tenth = total % 10;
    return tenth ? whole + "." + tenth : String(whole);
  }

  function update() {
    var total = 0;
    var ok = true;
    inputs.forEach(function (input) {
      var value = tenths(input.value);
      var max = tenths(input.getAttribute("data-max"));
      var hint = document.getElementById("hint-" + input.id.replace("id_score_", ""));
      var bad = value === null || value > max;
      input.setAttribute("aria-invalid", bad ? "true" : "false");
      if (hint) {
        hint.textContent = bad && input.value.trim() !== ""
          ? input.getAttribute("data-dimension") + "的分數必須介於 0 與 " + input.getAttribute("data-max") + " 分之間"
          : "";
      }
      if (bad) { ok = false; } else { total += value; }
    });
    totalOut.textContent = ok ? show(total) : "—";
    gradeOut.textContent = ok ? gradeOf(total) : "—";
  }

  inputs.forEach(function (input) { input.addEventListener("input", update); });
  update();
})();

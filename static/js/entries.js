// Entry form helpers: a live character count for the narrative, and a confirmation before
// returning an entry without a reason. The server checks everything again.
(function () {
  "use strict";
  document.querySelectorAll(".counter[data-for]").forEach(function (counter) {
    var field = document.getElementById(counter.dataset.for);
    var max = parseInt(counter.dataset.max, 10);
    // The words come translated from the page: "（{n} / {max} 字）", " ({n} / {max} characters)".
    var format = counter.dataset.format || "{n} / {max}";
    if (!field || !max) { return; }
    var update = function () {
      var n = field.value.length;
      counter.textContent = format.replace("{n}", n).replace("{max}", max);
      counter.classList.toggle("short", n > max);
    };
    field.addEventListener("input", update);
    update();
  });
  var returnButton = document.getElementById("return-entry");
  if (returnButton) {
    returnButton.addEventListener("click", function (event) {
      var reason = document.getElementById("id_reason");
      if (reason && !reason.value.trim()) {
        event.preventDefault();
        reason.focus();
        reason.setAttribute("aria-invalid", "true");
      }
    });
  }
})();

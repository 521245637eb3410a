// The simulated app: a full swipe approves (the form is sent once); the request's time counts
// down; and while nobody is typing or swiping, the page looks again every few seconds, so a
// newer request (which replaces the shown one) or an ended one shows without a reload.
(function () {
  var busy = false;
  document.querySelectorAll("form.approve").forEach(function (form) {
    // "input" and "change" both fire at the end of a swipe: send the answer once.
    var swipe = form.querySelector(".swipe"), sent = false;
    function done() {
      if (Number(swipe.value) > 0) { busy = true; }
      if (sent || Number(swipe.value) < Number(swipe.max)) { return; }
      if (!form.reportValidity()) { swipe.value = 0; return; }
      sent = true;
      var action = document.createElement("input");
      action.type = "hidden"; action.name = "action"; action.value = form.dataset.action || "approve";
      form.appendChild(action);
      form.submit();
    }
    swipe.addEventListener("change", done);
    swipe.addEventListener("input", done);
    form.querySelectorAll("input[name=code]").forEach(function (input) {
      input.addEventListener("input", function () { busy = input.value !== ""; });
    });
  });
  var counters = document.querySelectorAll(".countdown");
  var card = document.getElementById("sim-app");
  var every = Number(card && card.dataset.idleReload) || 0, ticks = 0;
  setInterval(function () {
    counters.forEach(function (c) {
      var left = Math.max(0, Number(c.dataset.secondsLeft) - 1);
      c.dataset.secondsLeft = left;
      c.textContent = left;
      if (left === 0) { busy = false; }
    });
    ticks += 1;
    if (every && counters.length && !busy && ticks % every === 0) { location.reload(); }
  }, 1000);
})();

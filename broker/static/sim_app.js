// The simulated app: a full swipe approves (the form is sent once).
document.querySelectorAll("form.approve").forEach(function (form) {
  // "input" and "change" both fire at the end of a swipe: send the answer once.
  var swipe = form.querySelector(".swipe"), sent = false;
  function done() {
    if (sent || Number(swipe.value) < Number(swipe.max)) { return; }
    if (!form.reportValidity()) { swipe.value = 0; return; }
    sent = true;
    var action = document.createElement("input");
    action.type = "hidden"; action.name = "action"; action.value = "approve";
    form.appendChild(action);
    form.submit();
  }
  swipe.addEventListener("change", done);
  swipe.addEventListener("input", done);
});

// The simulated code viewer and code reader: count down to the next code, then reload; the
// reader speaks its code.
(function () {
  var left = Number(document.currentScript.dataset.secondsLeft);
  var span = document.getElementById("seconds-left");
  setInterval(function () {
    left -= 1;
    if (left <= 0) { location.reload(); return; }
    span.textContent = left;
  }, 1000);
  var speak = document.getElementById("speak");
  if (speak && window.speechSynthesis) {
    speak.addEventListener("click", function () {
      var digits = document.getElementById("code").textContent.split("").join(" ");
      var said = new SpeechSynthesisUtterance(digits);
      said.lang = speak.dataset.lang || "da-DK";
      window.speechSynthesis.speak(said);
    });
  }
})();

// Front-channel logout: continue once every client's page has loaded, or after 3 seconds
// whatever they do.
(function () {
  var next = document.getElementById("continue");
  var frames = document.querySelectorAll("iframe.frontchannel-logout");
  var left = frames.length, gone = false;
  function go() { if (!gone && next) { gone = true; window.location.replace(next.href); } }
  frames.forEach(function (f) { f.addEventListener("load", function () { left -= 1; if (left <= 0) { go(); } }); });
  setTimeout(go, 3000);
})();

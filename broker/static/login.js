// The login screens that wait (the app, the chip): ask the broker whether the login moved on,
// and reload when it did. Values come from the script element's data attributes.
(function () {
  var me = document.currentScript;
  var rev = Number(me.dataset.rev), url = me.dataset.statusUrl;
  var left = document.getElementById("seconds-left");
  function poll() {
    fetch(url, {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
      if (s.status !== "pending" || s.rev !== rev) { location.replace(location.pathname); return; }
      if (left && typeof s.seconds_left === "number") { left.textContent = s.seconds_left; }
      setTimeout(poll, 1000);
    }).catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 1000);
})();

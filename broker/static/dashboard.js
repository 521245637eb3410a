// The dashboard's live updates (docs/dashboard.md). On the logins page the server sends the
// list's rows as HTML whenever they change (event "logins") and the page swaps them in; on a
// login's page it sends the login's fingerprint (event "changed") and the page reloads when
// it differs from the one it shows. EventSource reconnects by itself after a dropped stream.
(function () {
  var live = document.getElementById("live");
  var events = document.body.dataset.events;
  if (!live || !events || !window.EventSource) return;
  var rows = document.getElementById("login-rows");
  var shown = live.dataset.fingerprint;
  var login = live.dataset.login;
  var source = new EventSource(login ? events + "?login=" + encodeURIComponent(login) : events);
  source.addEventListener("open", function () {
    live.classList.add("on");
    live.textContent = live.dataset.on;
  });
  source.addEventListener("error", function () {
    live.classList.remove("on");
    live.textContent = live.dataset.off;
  });
  source.addEventListener("logins", function (e) {
    if (rows) {
      rows.innerHTML = e.data;
      rows.dataset.updates = String(Number(rows.dataset.updates || "0") + 1);
    }
  });
  source.addEventListener("changed", function (e) {
    if (shown && e.data !== shown) {
      source.close();
      location.reload();
    }
  });
})();

// Booth Samvad dashboard: reads the Mini App's init data and shows the overview figures.
// Init data comes from Telegram.WebApp.initData, or, without Telegram's script, from the
// tgWebAppData parameter of the URL fragment (as Telegram's clients pass it).
(function () {
  "use strict";

  var root = document.getElementById("dashboard");
  var api = root.dataset.api;
  var webApp = window.Telegram && window.Telegram.WebApp;

  function initData() {
    if (webApp && webApp.initData) {
      return webApp.initData;
    }
    var fragment = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    return fragment.get("tgWebAppData") || "";
  }

  var raw = initData();

  function show(id, text) {
    document.getElementById(id).textContent = text;
  }

  function status(text) {
    show("status", text);
  }

  function percent(value) {
    return value === null || value === undefined ? "–" : value + "%";
  }

  function errorText(response) {
    if (response.status === 401) { return root.dataset.errorUnauthorized; }
    if (response.status === 403) { return root.dataset.errorForbidden; }
    if (response.status === 429) { return root.dataset.errorRateLimited; }
    return root.dataset.errorFailed;
  }

  function call(path) {
    return fetch(api + path, { headers: { "Authorization": "tma " + raw }, credentials: "omit" })
      .then(function (response) {
        if (!response.ok) { throw new Error(errorText(response)); }
        return response.json();
      });
  }

  function areaText(area) {
    if (area.level === "person") { return root.dataset.areaOwn; }
    if (area.level === "state") { return area.charge ? root.dataset.areaCharge : root.dataset.areaState; }
    return area.name || "";
  }

  function render(view) {
    var totals = view.totals;
    show("area", areaText(view.area) + " · " + view.period.start + (view.period.days > 1 ? " – " + view.period.end : ""));
    show("conversations", totals.conversations + " / " + totals.assigned + " (" + percent(totals.conversation_percent) + ")");
    show("attempts", String(totals.not_connected));
    show("checked", String(totals.checked));
    show("confirmed", String(totals.confirmed));
    show("coverage", view.coverage ? percent(view.coverage.share_30) : "–");
    show("overdue", String(totals.overdue));
    document.getElementById("figures").hidden = false;
    status("");
  }

  function loadMap(period) {
    fetch(api + "/map.svg?period=" + encodeURIComponent(period),
          { headers: { "Authorization": "tma " + raw }, credentials: "omit" })
      .then(function (response) {
        if (!response.ok) { throw new Error(errorText(response)); }
        return response.text();
      })
      .then(function (svg) {
        var parsed = new DOMParser().parseFromString(svg, "image/svg+xml").documentElement;
        var figure = document.getElementById("map");
        figure.replaceChildren(document.importNode(parsed, true));
        document.getElementById("map-section").hidden = false;
      }, function () {
        document.getElementById("map-section").hidden = true;
      });
  }

  function load(period) {
    var buttons = document.querySelectorAll("#periods button");
    Array.prototype.forEach.call(buttons, function (button) {
      button.setAttribute("aria-pressed", button.dataset.period === period ? "true" : "false");
    });
    call("/overview?period=" + encodeURIComponent(period)).then(render, function (error) {
      status(error.message);
    });
    loadMap(period);
  }

  function start() {
    if (webApp) {
      webApp.ready();
      webApp.expand();
    }
    if (!raw) {
      status(root.dataset.noTelegram);
      return;
    }
    call("/me").then(function (me) {
      var wanted = me.language;
      if (wanted && wanted !== root.dataset.language && !new URLSearchParams(window.location.search).has("lang")) {
        window.location.replace(window.location.pathname + "?lang=" + encodeURIComponent(wanted) + window.location.hash);
        return;
      }
      show("who", me.name + " · " + me.role_label);
      document.getElementById("periods").addEventListener("click", function (event) {
        var period = event.target.dataset && event.target.dataset.period;
        if (period) { load(period); }
      });
      load("day");
    }, function (error) {
      status(error.message);
    });
  }

  start();
}());

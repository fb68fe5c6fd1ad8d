/* The dispatch console: draws the day on an offline Leaflet map (no tile server: Natural Earth
   countries from world-atlas and our postcode places), lets stops be dragged between and within
   the route lists, and posts every console form in the background, redrawing the page from the
   answer. Without JavaScript the same forms post normally. */
(function () {
  "use strict";
  var script = document.getElementById("console-script");
  var countriesUrl = script ? script.dataset.countries : null;
  var countries = null; // the basemap's GeoJSON, fetched once
  var map = null;

  function data() {
    var node = document.getElementById("console-map-data");
    return node ? JSON.parse(node.textContent) : null;
  }

  function time(iso) {
    var d = new Date(iso);
    return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  }

  function drawCountries(target) {
    if (!countriesUrl || typeof topojson === "undefined") return;
    var add = function (geo) {
      // In a pane of its own below the routes' (Leaflet's overlay pane is at z-index 400).
      L.geoJSON(geo, { pane: "basemap", style: { color: "#9aa59a", weight: 1, fillColor: "#f3f1ea", fillOpacity: 1 },
        interactive: false }).addTo(target);
    };
    if (countries) { add(countries); return; }
    fetch(countriesUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (topo) {
      countries = topojson.feature(topo, topo.objects.countries);
      add(countries);
    }).catch(function () { /* the routes still draw on the plain background */ });
  }

  function drawMap() {
    var box = document.getElementById("console-map");
    var day = data();
    if (!box || !day || typeof L === "undefined") return;
    if (map) { map.remove(); map = null; }
    box.innerHTML = "";
    map = L.map(box, { zoomSnap: 0.25, attributionControl: true });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Basemap: Natural Earth; postcodes: our own table");
    map.createPane("basemap").style.zIndex = 250;
    drawCountries(map);
    var bounds = [];
    day.places.forEach(function (p) {
      if (!p.at) return;
      L.circleMarker(p.at, { radius: 3, color: "#8899aa", weight: 1, fillOpacity: 0.4, interactive: false }).addTo(map);
      L.marker(p.at, { icon: L.divIcon({ className: "place-label", html: p.name.split(" ")[0], iconSize: [40, 12], iconAnchor: [-4, 6] }), interactive: false, keyboard: false }).addTo(map);
    });
    var centre = day.centre.at;
    if (centre) {
      bounds.push(centre);
      L.marker(centre, { icon: L.divIcon({ className: "centre-pin", iconSize: [16, 16] }), title: day.centre.name, zIndexOffset: 1000 })
        .bindTooltip(day.centre.name).addTo(map);
    }
    var signature = [];
    day.routes.forEach(function (route) {
      var line = centre ? [centre] : [];
      route.stops.forEach(function (stop) {
        if (!stop.at) return;
        line.push(stop.at);
        bounds.push(stop.at);
        signature.push(route.id + ":" + stop.delivery + "@" + stop.sequence + "=" + time(stop.arrival));
        var icon = L.divIcon({ className: "stop-pin" + (stop.locked ? " locked" : ""), html: String(stop.sequence), iconSize: [22, 22],
          iconAnchor: [11, 11] });
        var pin = L.marker(stop.at, { icon: icon, title: stop.order + " #" + stop.sequence, riseOnHover: true });
        pin.on("add", function () { var el = pin.getElement(); if (el) { el.style.background = route.colour; el.dataset.delivery = stop.delivery; } });
        pin.bindTooltip(route.number + " #" + stop.sequence + " " + stop.order + ", arrives " + time(stop.arrival) + (stop.locked ? " (locked)" : ""));
        pin.on("click", function () {
          var row = document.querySelector('li.stop[data-delivery="' + stop.delivery + '"]');
          if (row) { row.scrollIntoView({ block: "center" }); row.focus && row.focus(); }
        });
        pin.addTo(map);
      });
      if (centre) line.push(centre);
      if (line.length > 1) L.polyline(line, { color: route.colour, weight: 3, opacity: 0.85 }).addTo(map);
    });
    day.unassigned.forEach(function (u) {
      if (!u.at) return;
      bounds.push(u.at);
      L.circleMarker(u.at, { radius: 7, color: "#555", weight: 2, fill: false }).bindTooltip(u.order + ": " + u.reason).addTo(map);
    });
    if (bounds.length > 1) map.fitBounds(bounds, { padding: [24, 24] });
    else map.setView(centre || [46.6, 2.4], centre ? 12 : 5);
    box.dataset.drawn = "true";
    box.dataset.signature = signature.join(";");
  }

  // --- posting the forms in the background ------------------------------------------------------
  function replaceFrom(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.getElementById("console");
    var current = document.getElementById("console");
    if (!fresh || !current) { document.open(); document.write(html); document.close(); return; }
    current.replaceWith(fresh);
    init();
  }

  function post(form, submitter) {
    var root = document.getElementById("console");
    root.classList.add("busy");
    var body = new FormData(form);
    // The button pressed says which edit a stop's form makes (lock, remove, move): FormData leaves it out.
    if (submitter && submitter.name) body.append(submitter.name, submitter.value);
    return fetch(form.action, { method: "POST", body: body, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.text(); })
      .then(replaceFrom)
      .catch(function () {  // the network failed: post the plain way, with the button pressed
        if (submitter && submitter.name) {
          var pressed = document.createElement("input");
          pressed.type = "hidden"; pressed.name = submitter.name; pressed.value = submitter.value;
          form.appendChild(pressed);
        }
        form.submit();
      });
  }

  function onSubmit(event) {
    var form = event.target.closest("form.js-edit");
    if (!form) return;
    event.preventDefault();
    post(form, event.submitter);
  }

  // --- drag and drop ------------------------------------------------------------------------------
  var dragged = null;

  function clearMarks() {
    document.querySelectorAll(".drop-before").forEach(function (el) { el.classList.remove("drop-before"); });
    document.querySelectorAll(".drop-end").forEach(function (el) { el.classList.remove("drop-end"); });
  }

  function dropTarget(list, y) {
    var items = Array.prototype.filter.call(list.querySelectorAll("li.stop"), function (li) { return li !== dragged; });
    for (var i = 0; i < items.length; i++) {
      var box = items[i].getBoundingClientRect();
      if (y < box.top + box.height / 2) return { before: items[i], position: i + 1 };
    }
    return { before: null, position: items.length + 1 };
  }

  function wireDrag() {
    document.querySelectorAll(".stops.editable li.stop[draggable]").forEach(function (li) {
      li.addEventListener("dragstart", function (e) {
        dragged = li;
        li.classList.add("dragging");
        e.dataTransfer.effectAllowed = "move";
        e.dataTransfer.setData("text/plain", li.dataset.delivery);
      });
      li.addEventListener("dragend", function () { li.classList.remove("dragging"); clearMarks(); dragged = null; });
    });
    document.querySelectorAll(".stops.editable").forEach(function (list) {
      list.addEventListener("dragover", function (e) {
        if (!dragged) return;
        e.preventDefault();
        clearMarks();
        var target = dropTarget(list, e.clientY);
        if (target.before) target.before.classList.add("drop-before"); else list.classList.add("drop-end");
      });
      list.addEventListener("dragleave", function (e) { if (!list.contains(e.relatedTarget)) clearMarks(); });
      list.addEventListener("drop", function (e) {
        if (!dragged) return;
        e.preventDefault();
        var target = dropTarget(list, e.clientY);
        var form = document.getElementById("drag-move");
        form.elements.delivery.value = dragged.dataset.delivery;
        form.elements.route.value = list.dataset.route;
        form.elements.position.value = target.position;
        clearMarks();
        post(form);
      });
    });
  }

  function init() {
    drawMap();
    wireDrag();
  }

  document.addEventListener("submit", onSubmit);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();

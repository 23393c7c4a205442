// Maps for location questions and the public reports page. Everything they do can also be
// done without them: the address finder and the list of reports work with JavaScript off.
/* global L */
(function () {
  "use strict";
  if (!window.L) return;

  // The page gives the map its name and the zoom buttons' words, in the page's language.
  function baseMap(el, lat, lon, zoom) {
    el.hidden = false;
    el.setAttribute("role", "region");
    if (el.dataset.label) el.setAttribute("aria-label", el.dataset.label);
    const map = L.map(el, { keyboard: true, zoomControl: false }).setView([lat, lon], zoom);
    L.control.zoom({ zoomInTitle: el.dataset.zoomIn || "Zoom in", zoomOutTitle: el.dataset.zoomOut || "Zoom out" }).addTo(map);
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
    }
    fetch("/area.geojson")
      .then((r) => (r.ok ? r.json() : null))
      .then((area) => {
        if (area) L.geoJSON(area, { style: { color: "#1d70b8", weight: 2, fillOpacity: 0.03 }, interactive: false }).addTo(map);
      })
      .catch(() => {});
    return map;
  }

  function text(tag, content) {
    const node = document.createElement(tag);
    node.textContent = content;
    return node;
  }

  document.querySelectorAll("[data-location-map]").forEach((el) => {
    const latInput = document.getElementById(el.dataset.latInput);
    const lonInput = document.getElementById(el.dataset.lonInput);
    const chosen = latInput.value && lonInput.value;
    const map = baseMap(
      el,
      chosen ? Number(latInput.value) : Number(el.dataset.lat),
      chosen ? Number(lonInput.value) : Number(el.dataset.lon),
      chosen ? 17 : 13
    );
    const help = el.nextElementSibling;
    if (help && help.classList.contains("fd-map-help")) help.hidden = false;
    let marker = null;
    const put = (latlng) => {
      if (marker) marker.setLatLng(latlng);
      else marker = L.circleMarker(latlng, { radius: 9, color: "#d4351c", weight: 3 }).addTo(map);
      latInput.value = latlng.lat.toFixed(6);
      lonInput.value = latlng.lng.toFixed(6);
    };
    if (chosen) put(L.latLng(Number(latInput.value), Number(lonInput.value)));
    map.on("click", (e) => put(e.latlng));
    // Keyboard users move the map with the arrow keys (Leaflet's own) and choose the place
    // under the cross in the middle with Enter or Space; the choice is announced.
    const status = document.getElementById(el.id + "-status");
    el.addEventListener("keydown", (e) => {
      if (e.target !== el || (e.key !== "Enter" && e.key !== " ")) return;
      e.preventDefault();
      put(map.getCenter());
      if (status) status.textContent = el.dataset.chosen || "";
    });
  });

  document.querySelectorAll("[data-reports-map]").forEach((el) => {
    const map = baseMap(el, 0, 0, 13);
    fetch(el.dataset.geojson)
      .then((r) => r.json())
      .then((reports) => {
        const layer = L.geoJSON(reports, {
          pointToLayer: (feature, latlng) => L.circleMarker(latlng, { radius: 7, color: "#1d70b8", weight: 2 }),
          onEachFeature: (feature, marker) => {
            const p = feature.properties;
            const popup = document.createElement("div");
            popup.append(text("strong", p.service_name), text("p", (p.street || "") + " (" + (p.ward || "") + ")"), text("p", (el.dataset.referenceWord || "Reference") + " " + p.reference + ", " + (p.status_name || p.status)));
            marker.bindPopup(popup);
          },
        }).addTo(map);
        if (layer.getLayers().length) map.fitBounds(layer.getBounds().pad(0.2));
        else map.setView([Number(el.dataset.lat || 53), Number(el.dataset.lon || -1.5)], 12);
      })
      .catch(() => {});
  });
})();

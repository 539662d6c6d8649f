// Grid worker app: every report is first kept on the phone (IndexedDB) under an id made here,
// then sent; a report made without signal waits until the network returns. The server receives
// each id once, so sending again after a lost answer never makes a second report.
(function () {
  "use strict";
  var root = document.getElementById("grid-app");
  if (!root) { return; }
  var REPORT_URL = root.dataset.reportUrl;
  var MAX_SIDE = 1600, QUALITY = 0.72;
  var csrf = document.querySelector("meta[name=csrf-token]").content;
  var form = document.getElementById("report-form");
  var state = document.getElementById("net-state");
  var position = null, photo = null, sending = false, signedOut = null;

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.dataset.swUrl, {scope: root.dataset.scope});
  }

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("onedoor-grid", 1);
      request.onupgradeneeded = function () { request.result.createObjectStore("outbox", {keyPath: "external_id"}); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function store(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction("outbox", mode), result;
        var request = work(tx.objectStore("outbox"));
        if (request) { request.onsuccess = function () { result = request.result; }; }
        tx.oncomplete = function () { db.close(); resolve(result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }
  var queue = {
    all: function () { return store("readonly", function (s) { return s.getAll(); }); },
    put: function (item) { return store("readwrite", function (s) { return s.put(item); }); },
    remove: function (id) { return store("readwrite", function (s) { return s.delete(id); }); }
  };

  function show(message, error) {
    state.hidden = !message;
    state.textContent = message || "";
    state.classList.toggle("error", !!error);
  }

  function render() {
    return queue.all().then(function (items) {
      var list = document.getElementById("queue");
      list.textContent = "";
      items.forEach(function (item) {
        var li = document.createElement("li");
        li.className = "card queue-item" + (item.refused ? " refused" : "");
        li.dataset.externalId = item.external_id;
        li.textContent = item.fields.title + " · " + (item.refused || (item.photo ? "含照片，" : "") + "等待发送");
        list.appendChild(li);
      });
      document.getElementById("queue-count").textContent = String(items.length);
    });
  }

  // Camera photos are several MB: draw them smaller on a canvas and keep a JPEG.
  function compress(file) {
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", QUALITY); });
    });
  }

  function sendOne(item) {
    var body = new FormData();
    Object.keys(item.fields).forEach(function (key) { body.append(key, item.fields[key]); });
    body.append("external_id", item.external_id);
    if (item.photo) { body.append("photo", item.photo, item.external_id + ".jpg"); }
    return fetch(REPORT_URL, {method: "POST", body: body, credentials: "same-origin",
                              headers: {"X-CSRFToken": csrf, "Accept": "application/json"}})
      .then(function (response) {
        if (response.ok) { return queue.remove(item.external_id).then(function () { return "sent"; }); }
        return response.json().catch(function () { return {}; }).then(function (answer) {
          if (response.status === 401) { signedOut = answer.message || "请重新登录后再上报"; return "wait"; }
          if (response.status >= 500) { return "wait"; }
          item.refused = answer.message || "被拒收";  // refused for good: kept, shown, not resent
          return queue.put(item).then(function () { return "refused"; });
        });
      }, function () { return "wait"; });
  }

  function flush() {
    if (sending) { return Promise.resolve(); }
    sending = true;
    signedOut = null;
    return queue.all().then(function (items) {
      var pending = items.filter(function (item) { return !item.refused; });
      return pending.reduce(function (chain, item) {
        return chain.then(function () { return sendOne(item); });
      }, Promise.resolve());
    }).then(render).finally(function () {
      sending = false;
      // A lapsed or disabled account: the reports stay queued and the worker is told why.
      if (signedOut) { show(signedOut + "。上报已保存在手机上，登录后自动发送", true); }
      else if (navigator.onLine) { show(""); } else { show("当前无网络，上报已保存在手机上，联网后自动发送"); }
    });
  }

  function visibleFields() {
    var kind = form.elements.kind.value;
    form.querySelectorAll("[data-for]").forEach(function (el) { el.hidden = el.dataset.for !== kind; });
  }
  form.querySelectorAll("input[name=kind]").forEach(function (el) { el.addEventListener("change", visibleFields); });

  document.getElementById("g-photo").addEventListener("change", function (event) {
    var file = event.target.files[0];
    photo = null;
    if (!file) { return; }
    compress(file).then(function (blob) {
      photo = blob;
      var preview = document.getElementById("photo-preview");
      preview.src = URL.createObjectURL(blob);
      preview.hidden = false;
      preview.dataset.size = String(blob.size);
    }, function () { document.getElementById("report-error").hidden = false;
                     document.getElementById("report-error").textContent = "无法读取该照片，请重新拍摄"; });
  });

  document.getElementById("locate").addEventListener("click", function () {
    var label = document.getElementById("position");
    if (!navigator.geolocation) { label.textContent = "本机不支持定位"; return; }
    label.textContent = "定位中…";
    navigator.geolocation.getCurrentPosition(function (p) {
      position = p.coords;
      label.textContent = "已定位 " + p.coords.latitude.toFixed(5) + ", " + p.coords.longitude.toFixed(5);
    }, function () { label.textContent = "定位失败，可不带位置上报"; }, {enableHighAccuracy: true, timeout: 15000});
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var error = document.getElementById("report-error");
    error.hidden = true;
    if (!form.reportValidity()) { return; }
    var fields = {};
    ["kind", "grid_code", "title", "content", "department", "category", "party_name"].forEach(function (name) {
      var value = form.elements[name] ? form.elements[name].value : "";
      if (value && (name !== "department" || fields.kind === "hazard")) { fields[name] = value; }
    });
    if (position) {
      fields.latitude = position.latitude; fields.longitude = position.longitude; fields.accuracy_m = position.accuracy;
    }
    fields.captured_at = new Date().toISOString();
    var item = {external_id: "app-" + crypto.randomUUID(), fields: fields, photo: photo, refused: null};
    queue.put(item).then(function () {
      form.reset(); photo = null; position = null; visibleFields();
      document.getElementById("photo-preview").hidden = true;
      document.getElementById("position").textContent = "未定位";
      return render();
    }).then(flush);
  });

  window.addEventListener("online", flush);
  window.addEventListener("offline", function () { show("当前无网络，上报会保存在手机上，联网后自动发送"); });
  setInterval(function () { if (navigator.onLine) { flush(); } }, 15000);
  render().then(function () { if (navigator.onLine) { flush(); } });
})();

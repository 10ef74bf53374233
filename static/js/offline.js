// Offline recording (issue 16). With no network the contact form still opens (the service
// worker, /sw.js, keeps the case pages and forms the worker opened) and still saves: what is
// typed is kept in this browser's IndexedDB ("casework-offline") only until it is sent, and
// is deleted at sign-out. When the network returns, drafts and finished contacts are sent in
// the order they were made: drafts to the form's autosave, contacts to /api/contacts/ with an
// Idempotency-Key, so a contact sent twice is saved once. The bar under the header says
// whether the page is online, what waits to be sent and when it last synced.
(function () {
  "use strict";
  var body = document.body;
  var user = body.dataset.signedIn;
  if (!user || !window.indexedDB) { return; }
  var DB = "casework-offline";
  var bar = document.getElementById("offline-status");
  var form = document.querySelector("form#contact-form[data-autosave]");
  var pageKey = null;  // the IndexedDB key of what this page typed offline (a draft)
  var syncing = false;
  var stopped = "";  // why the last sync stopped early (signed out), shown in the bar
  var LEFT_FORM = "casework-left-form";  // sessionStorage: the form this tab just left (below)

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
      return (c ^ crypto.getRandomValues(new Uint8Array(1))[0] & 15 >> c / 4).toString(16);
    });
  }
  function csrfToken() {
    return JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  }

  // --- IndexedDB: one store of items waiting (or needing the worker), one of small facts ---
  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore("outbox", { keyPath: "key" });
        request.result.createObjectStore("meta");
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function run(store, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(store, mode);
        var request = work(transaction.objectStore(store));
        transaction.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
        transaction.onerror = function () { db.close(); reject(transaction.error); };
      });
    });
  }
  function allItems() {
    return run("outbox", "readonly", function (s) { return s.getAll(); }).then(function (items) {
      return items.sort(function (a, b) { return a.seq - b.seq; });
    });
  }
  function put(item) { return run("outbox", "readwrite", function (s) { return s.put(item); }); }
  function remove(key) { return run("outbox", "readwrite", function (s) { return s.delete(key); }); }
  function getMeta(name) { return run("meta", "readonly", function (s) { return s.get(name); }); }
  function setMeta(name, value) { return run("meta", "readwrite", function (s) { return s.put(value, name); }); }

  var sequence = 0;
  function nextSeq() { sequence += 1; return Date.now() * 1000 + sequence; }

  // --- The contact form -------------------------------------------------------------
  function fields() {
    var entries = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && typeof value === "string") { entries.push([name, value]); }
    });
    return entries;
  }
  function fill(entries) {
    var values = {};
    entries.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.name === "draft") { return; }
      var wanted = values[el.name] || [];
      if (el.type === "checkbox" || el.type === "radio") { el.checked = wanted.indexOf(el.value) !== -1; }
      else if (wanted.length && el.type !== "file") { el.value = wanted[0]; }
    });
    // Not "change": that would also start an autosave racing the sync of the same draft.
    form.dispatchEvent(new CustomEvent("casework:restored"));
  }
  function number(value) {
    var parsed = parseInt(value, 10);
    return String(parsed) === value ? parsed : value;  // what is not a number is the server's to refuse
  }
  // The form's fields as the contacts API takes them (contacts/api/serializers.py).
  function apiBody() {
    var data = new FormData(form);
    var one = function (name) { return (data.get(name) || "").toString().trim(); };
    var body = { case: form.dataset.case, kind: one("kind") };
    ["mode", "location", "purpose", "observations", "assessment", "safety_concerns", "safety_actions",
     "location_details", "other_party_name", "other_party_organisation", "provider_worker"].forEach(function (name) {
      if (data.has(name)) { body[name] = one(name); }
    });
    if (one("occurred_on") && one("start_time")) { body.occurred_at = one("occurred_on") + "T" + one("start_time"); }
    ["duration_minutes", "made_by", "provider", "location_person"].forEach(function (name) {
      if (one(name)) { body[name] = number(one(name)); }
    });
    if (!one("made_by") && one("provider")) { body.made_by = null; }
    if (data.has("announced")) { body.announced = one("announced") !== "no"; }
    body.interpreter_used = data.has("interpreter_used");
    if (one("next_visit_on")) { body.next_visit_on = one("next_visit_on"); }
    var alone = data.getAll("seen_alone");
    body.participants = data.getAll("participants").map(function (id) {
      return { member: number(id), seen_alone: alone.indexOf(id) !== -1 };
    });
    return body;
  }
  function draftField() { return form.querySelector("input[name=draft]"); }
  var TYPED = ["purpose", "observations", "assessment", "safety_concerns", "safety_actions", "location_details",
               "other_party_name", "other_party_organisation", "provider_worker"];
  function typedSomething() {
    return TYPED.some(function (name) { var el = form.elements[name]; return el && el.value && el.value.trim(); });
  }
  // One key per typing on this form, sent with every autosave, beacon and sync of its draft:
  // the server keeps one draft for it however many of them arrive without the draft's id.
  function draftKey() {
    var field = form.querySelector("input[name=draft_key]");
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = "draft_key";
      field.value = uuid();
      form.appendChild(field);
    }
    return field;
  }
  function saveDraftHere() {
    // An empty form is not a draft (and a late autosave after an offline save must not make one).
    if (!form || !typedSomething()) { return Promise.resolve(); }
    pageKey = pageKey || draftKey().value;
    return put({ key: pageKey, seq: nextSeq(), user: user, kind: "draft", state: "waiting", case: form.dataset.case,
                 page: location.pathname, url: form.getAttribute("hx-post"), draft: draftField().value,
                 fields: fields(), at: new Date().toISOString() }).then(render);
  }
  function saveContactHere() {
    var item = { key: uuid(), seq: nextSeq(), user: user, kind: "contact", state: "waiting", case: form.dataset.case,
                 page: location.pathname, draft: draftField().value, body: apiBody(), fields: fields(),
                 at: new Date().toISOString() };
    return put(item).then(function () { return pageKey ? remove(pageKey) : null; }).then(function () {
      pageKey = null;
      form.reset();
      draftField().value = "";
      draftKey().value = uuid();  // what is typed next is another contact
      var status = document.getElementById("draft-status");
      if (status) {
        status.textContent = "Saved on this device at " + clock(item.at) + ": it will be sent when the network returns.";
      }
      window.scrollTo(0, 0);
      return render();
    });
  }
  if (form) {
    draftKey();
    ["input", "change"].forEach(function (type) {
      form.addEventListener(type, function () { if (!navigator.onLine) { saveDraftHere(); } });
    });
    // Online by the browser's account, but the autosave did not reach the server.
    form.addEventListener("htmx:sendError", function () { saveDraftHere(); });
    // Left with typing not yet saved (contacts.js sends a beacon): the tab keeps a copy until
    // the next page has sent it too. sessionStorage, as IndexedDB may not finish as the page goes.
    form.addEventListener("casework:leaving", function () {
      if (!typedSomething()) { return; }
      try {
        sessionStorage.setItem(LEFT_FORM, JSON.stringify({
          key: draftKey().value, user: user, kind: "draft", state: "waiting", case: form.dataset.case,
          page: location.pathname, url: form.getAttribute("hx-post"), draft: draftField().value,
          fields: fields(), at: new Date().toISOString() }));
      } catch (e) { /* storage full or refused: the beacon alone */ }
    });
    form.addEventListener("submit", function (event) {
      if (navigator.onLine) { return; }
      event.preventDefault();
      saveContactHere();
    });
  }

  // --- Sending, in order --------------------------------------------------------------
  function detailOf(data) {
    if (!data || typeof data !== "object") { return "The server refused it."; }
    if (typeof data.detail === "string") { return data.detail; }
    var parts = [];
    Object.keys(data).forEach(function (name) {
      if (name === "draft") { return; }
      var value = data[name];
      parts.push((Array.isArray(value) ? value.join(" ") : typeof value === "string" ? value : JSON.stringify(value)));
    });
    return parts.join(" ") || "The server refused it.";
  }
  function answer(response) {
    return response.text().then(function (text) {
      var data = null;
      try { data = JSON.parse(text); } catch (e) { data = null; }
      return { status: response.status, data: data, text: text };
    });
  }
  function signedOut(result) {
    return result.status === 401 || (result.status === 403 && result.data && /credentials/i.test(result.data.detail || ""));
  }
  // "sent", "stop" (try again later), or a refusal kept for the worker.
  function send(item) {
    var request;
    if (item.kind === "contact") {
      request = fetch(body.dataset.contactsApi, {
        method: "POST", credentials: "same-origin", body: JSON.stringify(item.body),
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), "Idempotency-Key": item.key,
                   "X-Casework-Background": "offline-sync", "Accept": "application/json" } });
    } else {
      var data = new URLSearchParams();
      item.fields.forEach(function (pair) { if (pair[0] !== "draft") { data.append(pair[0], pair[1]); } });
      if (item.draft) { data.append("draft", item.draft); }
      request = fetch(item.url, { method: "POST", credentials: "same-origin", body: data,
                                  headers: { "X-CSRFToken": csrfToken(), "X-Casework-Background": "autosave" } });
    }
    return request.then(answer).then(function (result) {
      if (signedOut(result)) { stopped = "Signed out: sign in again to send what is waiting."; return "stop"; }
      if (result.status >= 500) { return "stop"; }
      if (item.kind === "draft" && result.status === 200) {
        var id = /name="draft" id="draft-id" value="(\d+)"/.exec(result.text);
        if (id && item.key === pageKey && form) { draftField().value = id[1]; pageKey = null; }
        return remove(item.key).then(function () { return "sent"; });
      }
      if (item.kind === "contact" && (result.status === 200 || result.status === 201 ||
                                      (result.status === 409 && result.data && result.data.saved))) {
        return remove(item.key).then(function () { return discardServerDraft(item); }).then(function () { return "sent"; });
      }
      if (result.data && result.data.draft && result.data.draft.url) {
        // Refused, and the server kept the typed text as a draft: only a pointer stays here.
        return put({ key: item.key, seq: item.seq, user: user, kind: "notice", state: "attention", case: item.case,
                     message: "A contact for " + item.case + " was not saved: " + detailOf(result.data) +
                              " The server kept it as a draft for you to finish.",
                     link: result.data.draft.url }).then(function () { return "refused"; });
      }
      item.state = "attention";
      item.message = (item.kind === "contact" ? "A contact" : "A draft") + " for " + item.case +
                     " could not be sent: " + (result.status === 404 ? "the case is no longer one you may record on."
                                                                     : detailOf(result.data));
      return put(item).then(function () { return "refused"; });
    }, function () { return "stop"; });
  }
  // A finished contact was typed into a form that had a draft on the server: that draft is done.
  function discardServerDraft(item) {
    if (!item.draft) { return null; }
    return fetch("/contacts/drafts/" + encodeURIComponent(item.draft) + "/discard/", {
      method: "POST", credentials: "same-origin", redirect: "manual",
      headers: { "X-CSRFToken": csrfToken(), "X-Casework-Background": "offline-sync" } }).catch(function () {});
  }
  function sync() {
    if (syncing || !navigator.onLine) { return Promise.resolve(); }
    syncing = true;
    stopped = "";
    return allItems().then(function (items) {
      var waiting = items.filter(function (i) { return i.user === user && i.state === "waiting"; });
      var step = Promise.resolve("sent");
      waiting.forEach(function (item) {
        step = step.then(function (last) { return last === "stop" ? "stop" : send(item); });
      });
      return step;
    }).then(function (last) {
      if (last !== "stop") { return setMeta("synced:" + user, new Date().toISOString()); }
    }).catch(function () {}).then(function () { syncing = false; return render(); });
  }

  // --- The bar --------------------------------------------------------------------------
  function clock(iso) {
    var when = new Date(iso);
    var time = when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    return when.toDateString() === new Date().toDateString() ? time : when.toLocaleDateString() + " " + time;
  }
  function text(name, value) { bar.querySelector("[data-offline=" + name + "]").textContent = value; }
  function render() {
    if (!bar) { return Promise.resolve(); }
    return Promise.all([allItems(), getMeta("synced:" + user)]).then(function (found) {
      var mine = found[0].filter(function (i) { return i.user === user; });
      var waiting = mine.filter(function (i) { return i.state === "waiting"; }).length;
      unsent = mine.filter(function (i) { return i.kind !== "notice"; }).length;
      bar.hidden = false;
      bar.classList.toggle("is-offline", !navigator.onLine);
      text("connection", navigator.onLine ? "Online" : "Offline");
      text("waiting", waiting ? waiting + " waiting to be sent" + (stopped ? " (" + stopped + ")" : "")
                              : "nothing waiting to be sent");
      text("synced", found[1] ? "last synced " + clock(found[1]) : "not synced yet on this device");
      showAttention(mine.filter(function (i) { return i.state === "attention"; }));
    });
  }
  function showAttention(items) {
    var box = bar.querySelector("[data-offline=attention]");
    box.hidden = !items.length;
    box.textContent = "";
    if (!items.length) { return; }
    var heading = document.createElement("p");
    heading.textContent = "Needs you:";
    var list = document.createElement("ul");
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.appendChild(document.createTextNode(item.message + " "));
      if (item.link) {
        var link = document.createElement("a");
        link.href = item.link;
        link.textContent = "Finish the draft";
        link.addEventListener("click", function () { remove(item.key); });
        li.appendChild(link);
        li.appendChild(document.createTextNode(" "));
      } else if (item.fields) {
        var details = document.createElement("details");
        var summary = document.createElement("summary");
        summary.textContent = "What was typed";
        details.appendChild(summary);
        item.fields.forEach(function (pair) {
          if (pair[1] && TYPED.indexOf(pair[0]) !== -1) {
            var p = document.createElement("p");
            p.textContent = pair[0].replace("_", " ") + ": " + pair[1];
            details.appendChild(p);
          }
        });
        li.appendChild(details);
      }
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "secondary";
      discard.textContent = item.link ? "Dismiss" : "Discard from this device";
      discard.addEventListener("click", function () { remove(item.key).then(render); });
      li.appendChild(discard);
      list.appendChild(li);
    });
    box.appendChild(heading);
    box.appendChild(list);
  }

  // --- Sign-out: nothing stays behind -----------------------------------------------------
  function forgetEverything() {
    var steps = [new Promise(function (resolve) {
      var request = indexedDB.deleteDatabase(DB);
      request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
    }), new Promise(function (resolve) {
      // Workbox's record of when each cached page was stored.
      var request = indexedDB.deleteDatabase("workbox-expiration");
      request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
    })];
    if (window.caches) {
      steps.push(caches.keys().then(function (names) {
        return Promise.all(names.map(function (name) { return caches.delete(name); }));
      }));
    }
    if (navigator.serviceWorker) {
      steps.push(navigator.serviceWorker.getRegistrations().then(function (registrations) {
        return Promise.all(registrations.map(function (r) { return r.unregister(); }));
      }));
    }
    return Promise.all(steps).catch(function () {});
  }
  // The server's answer to a sign-out (Clear-Site-Data) deletes everything; the page starts
  // deleting too, without holding the sign-out up. Asked first when something was not sent.
  var unsent = 0;
  document.querySelectorAll("header form[action$='/accounts/logout/']").forEach(function (signOut) {
    signOut.addEventListener("submit", function (event) {
      if (unsent && !window.confirm(unsent + " item(s) typed on this device have not been sent. Signing out " +
                                    "deletes them from this device. Sign out anyway?")) {
        event.preventDefault();
        return;
      }
      forgetEverything();
    });
  });

  // --- The service worker -----------------------------------------------------------------
  function ready() { document.documentElement.setAttribute("data-offline-ready", "true"); }
  if ("serviceWorker" in navigator && body.dataset.serviceWorker) {
    var controlled = !!navigator.serviceWorker.controller;
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "page-cached") { ready(); }
    });
    if (controlled) {
      ready();  // this page came through the worker, which kept it if it is a case page
    } else if (form) {
      // This contact form loaded before the worker took control: ask it to keep the form too
      // (it fetches it once more, a look of its own in the access log). Other pages are kept
      // the next time they are opened.
      navigator.serviceWorker.addEventListener("controllerchange", function () {
        navigator.serviceWorker.controller.postMessage({ type: "cache-page", url: location.href });
      });
    }
    navigator.serviceWorker.register(body.dataset.serviceWorker, { scope: "/" }).catch(function () {});
  }

  // --- Start ------------------------------------------------------------------------------
  // The contact form this tab left with typing not yet saved: sent again, in case its beacon
  // was lost (the same draft key: one draft on the server). Not sent, it waits on the device.
  function sendLeftForm() {
    var left = null;
    try {
      left = JSON.parse(sessionStorage.getItem(LEFT_FORM) || "null");
      sessionStorage.removeItem(LEFT_FORM);
    } catch (e) { left = null; }
    if (!left || left.user !== user) { return Promise.resolve(); }
    left.seq = nextSeq();
    if (!navigator.onLine) { return put(left); }
    return send(left).then(function (result) { return result === "stop" ? put(left) : null; });
  }
  // Another user's items on this browser (their session ended without signing out) are never
  // sent as this user's: they are deleted.
  sendLeftForm().catch(function () {}).then(allItems).then(function (items) {
    return Promise.all(items.filter(function (i) { return i.user !== user; }).map(function (i) { return remove(i.key); }))
      .then(function () {
        if (!form) { return; }
        var mine = items.filter(function (i) {
          return i.user === user && i.kind === "draft" && i.state === "waiting" && i.page === location.pathname;
        });
        if (mine.length) {  // what was typed offline on this form, back in the form
          var last = mine[mine.length - 1];
          fill(last.fields);
          draftKey().value = pageKey = last.key;
          if (last.draft) { draftField().value = last.draft; }
        }
      });
  }).catch(function () {}).then(function () { render(); return sync(); });
  window.addEventListener("online", function () { render(); sync(); });
  window.addEventListener("offline", render);
  setInterval(function () { if (navigator.onLine) { sync(); } }, 30000);
})();

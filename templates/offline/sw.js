{% autoescape off %}// Casework's service worker (issue 16: offline recording), built on Workbox, vendored in
// static/vendor/ and served by the app (never a CDN).
//
// What it keeps, in the browser's Cache Storage, until sign-out (Clear-Site-Data) or 12 hours:
// - the app's own static files (styles, scripts, icons), so the contact form works offline;
// - the case pages and contact forms the worker opened while online, network first (always the
//   server's current page when there is a network), the copy only when there is none. Nothing
//   about a case the worker did not open: no prefetching, no lists, no API answers.
// What is typed offline is kept by the page (static/js/offline.js, IndexedDB), not here.
var CONFIG = {{ config }};
importScripts(CONFIG.workboxSw);
workbox.setConfig({ debug: false, modulePathPrefix: CONFIG.modulePathPrefix });
CONFIG.workboxModules.forEach(function (name) { workbox.loadModule("workbox-" + name); });
var VERSION = CONFIG.cacheVersion;
var STATIC_CACHE = "casework-static-v" + VERSION;
var PAGES_CACHE = "casework-pages-v" + VERSION;
var STATIC_URL = CONFIG.staticUrl;
var OFFLINE_STATIC = CONFIG.offlineStatic;
var LOGIN_PATH = CONFIG.loginPath;
// A case's page and its new-contact form: the pages a worker needs at a home visit.
var CASE_PAGE = /^\/cases\/(?!new\/|access-report\/)[^/]+\/$/;
var CONTACT_FORM = /^\/contacts\/case\/[^/]+\/new\/$/;
var HALF_A_DAY = 12 * 60 * 60;

workbox.core.setCacheNameDetails({ prefix: "casework", suffix: "v" + VERSION });
workbox.core.skipWaiting();
workbox.core.clientsClaim();

function isCasePage(url) {
  return url.origin === self.location.origin && (CASE_PAGE.test(url.pathname) || CONTACT_FORM.test(url.pathname));
}

// A page that came back as the sign-in page (the session ended) is not the case page: never
// keep it under the case's address, and forget the pages kept for the session that ended.
var notSignedOut = {
  cacheWillUpdate: async function (param) {
    var response = param.response;
    if (response.redirected || response.type === "opaqueredirect") {
      if (new URL(response.url).pathname === LOGIN_PATH) { await caches.delete(PAGES_CACHE); }
      return null;
    }
    return response;
  }
};

var staticFiles = new workbox.strategies.StaleWhileRevalidate({
  cacheName: STATIC_CACHE,
  plugins: [new workbox.cacheableResponse.CacheableResponsePlugin({ statuses: [200] }),
            new workbox.expiration.ExpirationPlugin({ maxEntries: 80 })]
});
var casePages = new workbox.strategies.NetworkFirst({
  cacheName: PAGES_CACHE,
  // No network timeout: a slow network still shows the server's page; only none shows the copy.
  plugins: [notSignedOut,
            new workbox.cacheableResponse.CacheableResponsePlugin({ statuses: [200] }),
            new workbox.expiration.ExpirationPlugin({ maxEntries: 60, maxAgeSeconds: HALF_A_DAY })]
});

workbox.routing.registerRoute(function (options) {
  return options.url.origin === self.location.origin && options.url.pathname.indexOf(STATIC_URL) === 0;
}, staticFiles);
workbox.routing.registerRoute(function (options) {
  return options.request.method === "GET" && isCasePage(options.url);
}, casePages);

// The contact form's scripts and styles, so the form opens offline even if the worker never
// reloaded a page while online.
self.addEventListener("install", function (event) {
  event.waitUntil(Promise.all(OFFLINE_STATIC.map(function (url) {
    return staticFiles.handleAll({ event: event, request: new Request(url) })[1];
  })));
});

// Caches of an older version of this worker are deleted.
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("casework-") === 0 && name !== STATIC_CACHE && name !== PAGES_CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }));
});

// The page opened before this worker took control asks for itself to be kept ("cache-page").
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "cache-page") { return; }
  var url = new URL(data.url, self.location.href);
  if (!isCasePage(url)) { return; }
  var request = new Request(url.href, { credentials: "same-origin", headers: { "X-Casework-Background": "offline-cache" } });
  event.waitUntil(casePages.handle({ event: event, request: request }).then(function () {
    if (event.source) { event.source.postMessage({ type: "page-cached", url: url.href }); }
  }, function () {}));
});
{% endautoescape %}

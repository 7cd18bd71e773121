/* Micro-Conversions theme embed. Plain ES2017, shipped as is (uncommented to stay small): the why of each part is in blocks/micro-conversions.liquid. */
(function () {
  "use strict";
  var w = window, d = document, S = w.Shopify;
  if (w.__mcEmbed || (S && S.designMode)) return;
  w.__mcEmbed = 1;

  var cfg = {};
  try {
    cfg = JSON.parse(d.getElementById("mc-config").textContent) || {};
  } catch (e) {}
  var on = function (k) { return cfg[k] !== false; };
  var listen = function (type, fn, target) {
    (target || d).addEventListener(type, fn, { capture: !target, passive: true });
  };

  var queue = [], polls = 0;
  var drain = function () {
    var a = w.Shopify && w.Shopify.analytics;
    if (!a || typeof a.publish != "function") {
      if (polls++ < 40) setTimeout(drain, 250);
      else queue.length = 0;
      return;
    }
    while (queue.length) {
      var x = queue.shift();
      try { a.publish(x[0], x[1]); } catch (e) {}
    }
  };
  var beacon = function (name, data) {
    var P = w.Shopify && w.Shopify.customerPrivacy, c, id;
    try {
      c = JSON.parse(localStorage.getItem("mc:beacon"));
      if (!c || !P.analyticsProcessingAllowed()) return data;
      id = "mc-" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
      if (navigator.sendBeacon(c.u, JSON.stringify({ v: 1, shop: c.s, key: c.k, consent: { analytics: true }, events: [{ id: id, name: name, ts: new Date().toISOString(), seq: 0, clientId: c.c, path: location.pathname, props: data }] })))
        data = Object.assign({ _mcid: id }, data);
    } catch (e) {}
    return data;
  };
  var publish = function (name, data, now) {
    if (now) data = beacon("mc:" + name, data);
    if (queue.length < 50) queue.push(["mc:" + name, data]);
    if (queue.length == 1) drain();
  };
  var clean = function (u) { return u.origin + u.pathname; };
  var once = function (set, key) { return !set.has(key) && !!set.add(key); };

  if (on("scroll")) {
    var marks = [50, 75, 90], ticking = 0;
    var measure = function () {
      ticking = 0;
      var pct = ((w.scrollY + w.innerHeight) / Math.max(d.documentElement.scrollHeight, 1)) * 100;
      while (marks.length && pct >= marks[0]) publish("scroll_depth", { percent: marks.shift() });
      if (!marks.length) w.removeEventListener("scroll", onScroll);
    };
    var onScroll = function () {
      if (!ticking) ticking = requestAnimationFrame(measure);
    };
    listen("scroll", onScroll, w);
  }

  if (on("video")) {
    var played = new WeakSet();
    listen("play", function (e) {
      var v = e.target, src = "", provider = "html5";
      if (!(v instanceof HTMLVideoElement) || !once(played, v)) return;
      try {
        var u = new URL(v.currentSrc || v.src);
        src = u.pathname.split("/").pop();
        if (/(^|\.)shopify(cdn)?\.com$/.test(u.hostname)) provider = "shopify";
      } catch (err) {}
      publish("video_play", { provider: provider, src: src });
    });

    var frames = new Map(), started = new WeakSet();
    var say = function (f, msg) {
      try { f.contentWindow.postMessage(JSON.stringify(msg), new URL(f.src).origin); } catch (e) {}
    };
    var hello = function (f) {
      var i = frames.get(f.contentWindow);
      if (i) say(f, i.p == "youtube" ? { event: "listening", id: 1, channel: "widget" } : { method: "addEventListener", value: "play" });
    };
    var scan = function () {
      [].forEach.call(d.getElementsByTagName("iframe"), function (f) {
        var cw = f.contentWindow, m;
        if (!cw || frames.has(cw)) return;
        if ((m = /^https:\/\/(?:www\.)?youtube(?:-nocookie)?\.com\/embed\/([\w-]+)[^#]*[?&]enablejsapi=1/.exec(f.src)))
          frames.set(cw, { p: "youtube", id: m[1], f: f });
        else if ((m = /^https:\/\/player\.vimeo\.com\/video\/(\d+)/.exec(f.src))) frames.set(cw, { p: "vimeo", id: m[1], f: f });
        else return;
        f.addEventListener("load", function () { hello(f); });
        hello(f);
      });
    };
    w.addEventListener("message", function (e) {
      var info = frames.get(e.source), m = e.data;
      if (!info) return;
      try { if (typeof m == "string") m = JSON.parse(m); } catch (err) { return; }
      if (!m) return;
      if (m.event == "ready") hello(info.f);
      var playing = info.p == "vimeo" ? m.event == "play"
        : (m.event == "onStateChange" && m.info == 1) || (m.event == "infoDelivery" && m.info && m.info.playerState == 1);
      if (playing && once(started, info.f)) publish("video_play", { provider: info.p, src: info.id });
    });
    scan();
    listen("DOMContentLoaded", scan);
    listen("load", scan, w);
    listen("click", function () { setTimeout(scan, 500); });
  }

  var DL = /\.(pdf|zip|docx?|xlsx?|pptx?|csv|epub|txt|rtf|mp3|wav|mp4|mov|avi|7z|rar|gz|dmg|exe|key|odt|ods|odp)$/i;
  listen("click", function (e) {
    var t = e.target, sel = cfg.wishlistSelector, hit, a, u, ext;
    if (!(t instanceof Element)) return;
    if (sel && on("wishlist")) {
      try { hit = t.closest(sel); } catch (err) { cfg.wishlistSelector = ""; }
      if (hit) {
        hit = hit.closest("[data-product-id]");
        publish("wishlist_add", hit ? { productId: hit.getAttribute("data-product-id").slice(0, 128) } : {});
      }
    }
    if (!(a = t.closest("a[href]"))) return;
    try { u = new URL(a.href); } catch (err) { return; }
    if (!/^https?:$/.test(u.protocol)) return;
    if ((ext = DL.exec(u.pathname)) || a.hasAttribute("download")) {
      if (on("downloads")) publish("file_download", { url: clean(u), extension: ext ? ext[1].toLowerCase() : "" }, 1);
    } else if (u.host != location.host && on("outbound")) {
      publish("outbound_click", { url: clean(u), host: u.host }, 1);
    }
  });

  if (on("forms")) {
    var begun = new WeakSet();
    var describe = function (f) {
      if (!(f instanceof HTMLFormElement)) return null;
      var ti = f.querySelector("input[name=form_type]"), type = (ti && ti.value) || "custom";
      if (/^(product|localization|cart)$/.test(type) || /\/(search|cart|cart\/add)$/.test((f.getAttribute("action") || "").split("?")[0])) return null;
      return { formType: type.slice(0, 64), formId: (f.getAttribute("id") || f.getAttribute("name") || "").slice(0, 128) };
    };
    listen("input", function (e) {
      var f = e.target.form, info = f && !begun.has(f) && describe(f);
      if (info && once(begun, f)) publish("form_start", info);
    });
    listen("submit", function (e) {
      var info = describe(e.target);
      if (info) publish("form_submit", info, 1);
    });
  }
})();

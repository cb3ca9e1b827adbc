/*
 * Steward's consent banner and first-party analytics, for the console and Steward's public pages.
 * Served by Steward itself (no third party, no inline code: it runs under the console's strict CSP).
 *
 * - Do-Not-Track or Global Privacy Control: no banner, no request, nothing stored.
 * - Until the visitor accepts, nothing is sent. Declining sets no cookie; only the choice is remembered, in
 *   localStorage, so the banner does not come back on every page.
 * - Accepting asks Steward to set its analytics cookie (HttpOnly: this script never sees it), then page views
 *   (also in-app navigation) and downloads are posted to /analytics/collect. Paths only: never query strings.
 * - Any element with data-steward-consent reopens the banner; window.StewardConsent.open() does the same.
 */
(function () {
  'use strict';
  var w = window;
  var d = document;
  var n = navigator;
  if (w.StewardConsent) return;

  var KEY = 'steward.analytics.choice';
  var FILES = /\.(pdf|zip|gz|tgz|bz2|xz|tar|csv|json|txt|md|docx?|xlsx?|pptx?|odt|ods|dmg|exe|msi|iso|deb|rpm|apk)$/i;
  var started = false;
  var lastPath = null;
  var bannerEl = null;

  function optedOut() {
    return n.doNotTrack === '1' || w.doNotTrack === '1' || n.msDoNotTrack === '1' || n.globalPrivacyControl === true;
  }

  function choice() {
    try {
      return w.localStorage.getItem(KEY);
    } catch {
      return null;
    }
  }

  function remember(value) {
    try {
      w.localStorage.setItem(KEY, value);
    } catch {
      /* private mode: the banner simply asks again */
    }
  }

  function post(path, body) {
    return fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      keepalive: true,
      cache: 'no-store',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).catch(function () {
      return undefined;
    });
  }

  function pageview() {
    var path = w.location.pathname;
    if (path === lastPath) return;
    var first = lastPath === null;
    lastPath = path;
    post('/analytics/collect', {
      kind: 'pageview',
      path: path,
      referrer: first && d.referrer ? d.referrer : undefined,
      language: n.language,
    });
  }

  function onClick(event) {
    var a = event.target && event.target.closest ? event.target.closest('a[href]') : null;
    if (!a) return;
    var url;
    try {
      url = new URL(a.href, w.location.href);
    } catch {
      return;
    }
    if (!a.hasAttribute('download') && !FILES.test(url.pathname)) return;
    post('/analytics/collect', {
      kind: 'download',
      path: url.origin === w.location.origin ? url.pathname : url.origin + url.pathname,
      language: n.language,
    });
  }

  function start() {
    if (started) return;
    started = true;
    pageview();
    ['pushState', 'replaceState'].forEach(function (name) {
      var original = w.history[name];
      w.history[name] = function () {
        var result = original.apply(this, arguments);
        w.setTimeout(pageview, 0);
        return result;
      };
    });
    w.addEventListener('popstate', pageview);
    d.addEventListener('click', onClick, true);
  }

  function closeBanner() {
    if (bannerEl && bannerEl.parentNode) bannerEl.parentNode.removeChild(bannerEl);
    bannerEl = null;
  }

  function decide(accepted) {
    remember(accepted ? 'accepted' : 'declined');
    closeBanner();
    return post('/analytics/consent', { analytics: accepted }).then(function () {
      if (accepted) start();
    });
  }

  function el(tag, className, text) {
    var node = d.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function openBanner() {
    if (bannerEl || optedOut()) return;
    bannerEl = el('section', 'stw-consent');
    bannerEl.setAttribute('role', 'region');
    bannerEl.setAttribute('aria-label', 'Cookie consent');
    bannerEl.appendChild(el('h2', 'stw-consent__title', 'May Steward count your visit?'));
    var text = el(
      'p',
      'stw-consent__text',
      'With your consent Steward sets one first-party analytics cookie and records the pages you visit, downloads, your browser, language, operating system, referring site and IP address. Nothing goes to anyone else. Declining sets no cookie.',
    );
    var link = el('a', 'stw-consent__link', 'Privacy policy');
    link.href = '/legal/privacy';
    text.appendChild(d.createTextNode(' '));
    text.appendChild(link);
    bannerEl.appendChild(text);
    var actions = el('div', 'stw-consent__actions');
    var accept = el('button', 'stw-consent__button stw-consent__button--accept', 'Accept analytics');
    var decline = el('button', 'stw-consent__button', 'Decline');
    accept.type = 'button';
    decline.type = 'button';
    accept.setAttribute('data-choice', 'accept');
    decline.setAttribute('data-choice', 'decline');
    accept.addEventListener('click', function () {
      decide(true);
    });
    decline.addEventListener('click', function () {
      decide(false);
    });
    actions.appendChild(accept);
    actions.appendChild(decline);
    bannerEl.appendChild(actions);
    d.body.appendChild(bannerEl);
  }

  function ensureStyles() {
    if (d.querySelector('link[data-steward-consent-styles]')) return;
    var css = d.createElement('link');
    css.rel = 'stylesheet';
    css.href = '/analytics/steward.css';
    css.setAttribute('data-steward-consent-styles', '');
    d.head.appendChild(css);
  }

  function init() {
    ensureStyles();
    d.addEventListener('click', function (event) {
      var opener = event.target && event.target.closest ? event.target.closest('[data-steward-consent]') : null;
      if (opener) {
        event.preventDefault();
        openBanner();
      }
    });
    if (optedOut()) {
      // A choice made before the signal was turned on no longer counts: ask Steward to drop the cookie.
      if (choice() === 'accepted') post('/analytics/consent', { analytics: false });
      return;
    }
    var c = choice();
    if (c === 'accepted') start();
    else if (c !== 'declined') openBanner();
  }

  w.StewardConsent = {
    open: openBanner,
    choice: function () {
      return optedOut() ? 'opted-out' : choice() || 'unset';
    },
    withdraw: function () {
      return decide(false);
    },
  };

  if (d.readyState === 'loading') d.addEventListener('DOMContentLoaded', init);
  else init();
})();

/*
 * The browser check: a classic script in plain ES5, so that it runs in any browser however
 * old, placed at the end of the kiosk page's body so that it runs before the kiosk's module
 * (modules wait for the whole page). It tests what the kiosk needs; when something is
 * missing it shows, in the tablet's language, that the browser is too old and that nothing
 * was stored, and marks the page so that the kiosk does not start (src/main.tsx). It also
 * catches a kiosk module the browser cannot parse (newer syntax than it knows), which would
 * otherwise leave a blank page.
 *
 * The build (src/browser-check/vite-plugin.ts) fills MESSAGES in with the
 * texts of the kiosk's catalogs, and checks this file is ES5 (tests/build/bundle-target.test.ts).
 */
(function () {
  var MESSAGES = __FIELDSIGN_MESSAGES__;
  var root = document.documentElement;
  var shown = false;

  function has(test) {
    try {
      return !!test();
    } catch (e) {
      return false;
    }
  }

  /* What the kiosk uses without a fallback. The last two stand for the JavaScript the build emits for its browsers. */
  var REQUIRED = [
    ['JavaScript modules', function () { return 'noModule' in document.createElement('script'); }],
    ['IndexedDB', function () { return window.indexedDB; }],
    ['fetch', function () { return window.fetch && window.Promise; }],
    ['Intl.PluralRules, Intl.DisplayNames', function () { return window.Intl && Intl.PluralRules && Intl.DisplayNames; }],
    ['Pointer Events', function () { return window.PointerEvent; }],
    ['ResizeObserver', function () { return window.ResizeObserver; }],
    ['<dialog>', function () { return window.HTMLDialogElement && HTMLDialogElement.prototype.showModal; }],
    ['Array.prototype.findLast (JavaScript 2023)', function () { return Array.prototype.findLast; }],
    ['RegExp lookbehind (JavaScript of Safari 16.4)', function () { return new RegExp('(?<=a)b').test('ab'); }]
  ];
  /* Browsers offer these to secure pages only (https://, or localhost). */
  var SECURE_ONLY = [
    ['Web Crypto', function () { return window.crypto && crypto.subtle && crypto.randomUUID; }]
  ];

  function pickLanguage() {
    var wanted = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'en'];
    for (var i = 0; i < wanted.length; i++) {
      var lang = String(wanted[i]).toLowerCase().split('-')[0];
      if (MESSAGES.hasOwnProperty(lang)) return lang;
    }
    return 'en';
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.appendChild(document.createTextNode(text));
    return node;
  }

  /** Replace the page with the explanation; `kind` is 'old' or 'insecure'. */
  function show(kind, missing) {
    if (shown) return;
    shown = true;
    var lang = pickLanguage();
    var text = MESSAGES[lang];
    root.setAttribute('data-unsupported-browser', kind);
    root.setAttribute('lang', lang);
    root.setAttribute('dir', text.dir);
    document.title = kind === 'insecure' ? text.insecureTitle : text.title;
    var app = document.getElementById('app') || document.body;
    while (app.firstChild) app.removeChild(app.firstChild);
    var main = element('main', 'single');
    var card = element('section', 'card unsupported-browser');
    card.setAttribute('role', 'alert');
    card.appendChild(element('h1', '', document.title));
    card.appendChild(element('p', '', kind === 'insecure' ? text.insecureBody : text.body));
    if (missing.length) card.appendChild(element('p', 'hint', text.missing.replace('{features}', missing.join(', '))));
    main.appendChild(card);
    app.appendChild(main);
  }

  function lacking(list) {
    var missing = [];
    for (var i = 0; i < list.length; i++) if (!has(list[i][1])) missing.push(list[i][0]);
    return missing;
  }

  var missing = lacking(REQUIRED);
  if (missing.length) return show('old', missing);
  if (window.isSecureContext === false) return show('insecure', []);
  missing = lacking(SECURE_ONLY);
  if (missing.length) return show('old', missing);

  /* A module the browser cannot parse reports a SyntaxError before the kiosk starts. */
  window.addEventListener('error', function (event) {
    var error = event && event.error;
    if (error && error.name === 'SyntaxError' && !root.hasAttribute('data-kiosk-started')) show('old', []);
  });
})();

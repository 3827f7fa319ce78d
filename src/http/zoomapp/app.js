// Marquee's Zoom App: enhancements only (every page works without). With Zoom's SDK loaded
// inside the Zoom client, "Authorize in Zoom" runs zoomSdk.authorize with a plain PKCE
// challenge from /zoomapp/authorize and posts the code of onAuthorized back; the browser link
// opens in the system browser through zoomSdk.openUrl.
(function () {
  'use strict';
  var sdk = window.zoomSdk;
  if (!sdk) { return; }
  var button = document.getElementById('authorize-in-client');
  var external = document.getElementById('authorize-external');
  var status = document.getElementById('authorize-status');
  var csrf = button ? button.getAttribute('data-csrf') : '';
  function post(path, body) {
    return fetch(path, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(body || {})
    }).then(function (r) { return r.json(); });
  }
  sdk.config({ capabilities: ['authorize', 'onAuthorized', 'openUrl'] }).then(function () {
    if (external) {
      external.addEventListener('click', function (e) {
        e.preventDefault();
        sdk.openUrl({ url: external.href });
      });
    }
    if (!button) { return; }
    sdk.addEventListener('onAuthorized', function (evt) {
      post('/zoomapp/authorize/complete', { code: evt.code, state: evt.state }).then(function (answer) {
        if (answer.outcome) { window.location.assign('/zoomapp/home'); }
        else if (status) { status.textContent = answer.code || 'error'; }
      });
    });
    button.hidden = false;
    button.addEventListener('click', function () {
      post('/zoomapp/authorize').then(function (start) {
        return sdk.authorize({ state: start.state, codeChallenge: start.codeChallenge });
      });
    });
  }).catch(function () { /* outside the client: the page stays as it is */ });
}());

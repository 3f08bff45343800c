// The browser's time zone, for the portal to show times in (portal.web.middleware.PreferencesMiddleware
// reads the cookie and ignores anything that is not an IANA zone name). Without JavaScript, or until
// this has run once, the portal shows its own zone and says which one on every page.
(function () {
  "use strict";
  var script = document.currentScript;
  var name = script && script.getAttribute("data-cookie");
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  if (!name || !zone || !/^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone)) {
    return;
  }
  if (document.cookie.split("; ").indexOf(name + "=" + zone) === -1) {
    document.cookie = name + "=" + zone + "; path=/; max-age=31536000; samesite=lax" +
      (window.location.protocol === "https:" ? "; secure" : "");
  }
})();

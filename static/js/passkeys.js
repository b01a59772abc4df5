// After django-otp-webauthn registered a passkey, go on: to the page named by the page (after
// activation, the home page) or else reload (the overview then lists the new passkey).
document.addEventListener("otp_webauthn.register_complete", function () {
  var marker = document.getElementById("passkey-after-register");
  var next = marker && marker.dataset.next;
  if (next && next.charAt(0) === "/" && next.charAt(1) !== "/") {
    window.location.assign(next);
  } else {
    window.location.reload();
  }
});

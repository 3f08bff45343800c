// response_mode=form_post: hand the sign-in answer to the app the way Entra does, by submitting
// the page's form at once. Without JavaScript the visible button does the same.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("sbx-form-post");
  if (form) { form.submit(); }
});

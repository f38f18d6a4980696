// Import pages: show upload progress, then a "checking" state while the server validates.
(function () {
  "use strict";
  var status = document.getElementById("import-status");
  var bar = document.getElementById("import-progress");
  document.querySelectorAll("form[data-progress]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; }
      if (status) { status.classList.remove("d-none"); status.textContent = status.dataset.checking; }
      var file = form.querySelector("input[type=file]");
      if (!file || !window.XMLHttpRequest || !window.FormData || !bar) { return; }
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      bar.classList.remove("d-none");
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) { return; }
        var pct = Math.round(100 * e.loaded / e.total);
        bar.firstElementChild.style.width = pct + "%";
        status.textContent = status.dataset.uploading + " " + pct + "%";
        if (pct >= 100) { status.textContent = status.dataset.checking; }
      });
      xhr.addEventListener("load", function () {
        if (xhr.responseURL && xhr.responseURL !== window.location.href) {
          window.location.assign(xhr.responseURL);
        } else {
          document.open(); document.write(xhr.responseText); document.close();
        }
      });
      xhr.addEventListener("error", function () { form.submit(); });
      xhr.open("POST", form.action || window.location.href);
      xhr.send(new FormData(form));
    });
  });
})();

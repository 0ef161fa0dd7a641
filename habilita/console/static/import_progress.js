// The import page's progress bar: asks the console how far the import is, every second, and shows
// the report (a reload) once it is done. Served from the console itself, as its CSP allows.
(function () {
  var box = document.getElementById("import-progress");
  if (!box) { return; }
  var bar = document.getElementById("import-bar");
  function ask() {
    fetch(box.dataset.url, {credentials: "same-origin"}).then(function (answer) {
      return answer.json();
    }).then(function (state) {
      if (state.phase === "done" || state.phase === "failed") { window.location.reload(); return; }
      bar.style.width = state.percent + "%";
      bar.setAttribute("aria-valuenow", state.percent);
      bar.textContent = state.percent + " % (" + state.done + " / " + state.total + ")";
      window.setTimeout(ask, 1000);
    }).catch(function () { window.setTimeout(ask, 3000); });
  }
  ask();
})();

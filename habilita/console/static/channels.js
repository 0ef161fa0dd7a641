// The sales channel's page (P4). Served from the console itself, as its CSP allows; the page works without it.
// 1. The customer city: a DANE municipality, searched by name or code as the person types (a datalist
//    filled from the console's cities.json), its name shown under the field.
// 2. "If the SKU matches it shows by itself": for each order in error, the console asks the ERP (after the
//    page is shown) whether a product now has each unknown SKU's code, and fills the empty fields with it.
(function () {
  "use strict";

  function cityField() {
    var input = document.querySelector("input[data-cities-url]");
    if (!input) { return; }
    var list = document.getElementById(input.getAttribute("list"));
    var name = document.getElementById("city-name");
    var timer = null;
    var labels = {};
    function showName() {
      if (name && labels[input.value.trim()]) { name.textContent = labels[input.value.trim()]; }
    }
    function ask() {
      var text = input.value.trim();
      if (text.length < 2) { return; }
      var url = input.dataset.citiesUrl + "?q=" + encodeURIComponent(text);
      fetch(url, {credentials: "same-origin"}).then(function (answer) {
        return answer.ok ? answer.json() : {cities: []};
      }).then(function (found) {
        while (list.firstChild) { list.removeChild(list.firstChild); }
        found.cities.forEach(function (city) {
          var option = document.createElement("option");
          option.value = city.code;
          option.textContent = city.label;
          option.label = city.label;
          labels[city.code] = city.label;
          list.appendChild(option);
        });
        list.dataset.filled = String(found.cities.length);
        showName();
      }).catch(function () { /* the field still takes a code typed by hand */ });
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 200);
      showName();
    });
    input.addEventListener("change", showName);
  }

  function skuMatches() {
    var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-match-url]"));
    function next() {
      var form = forms.shift();
      if (!form) { return; }
      fetch(form.dataset.matchUrl, {credentials: "same-origin"}).then(function (answer) {
        return answer.ok ? answer.json() : {matches: {}};
      }).then(function (found) {
        Array.prototype.forEach.call(form.querySelectorAll("input.sku-code"), function (input) {
          var code = (found.matches || {})[input.dataset.sku];
          if (!code) { return; }
          if (!input.value.trim()) { input.value = code; }
          if (input.value.trim() === code) {
            input.classList.add("is-valid");
            var note = input.parentNode.querySelector(".sku-found");
            if (note) { note.hidden = false; }
          }
        });
        form.dataset.matched = "1";
      }).catch(function () { form.dataset.matched = "0"; }).then(next);
    }
    next();  // one order after another: the ERP counts every request against the company's limit
  }

  cityField();
  skuMatches();
})();

// Account pickers on a step's form: a person searches the company's chart by code or name, or browses it
// level by level, and picks an account that takes postings; its code fills the field. The form carries the
// chart's address (data-accounts-url) and the words to show (data-picker-*), so this file holds no text.
(function () {
  "use strict";

  function words(form, name) { return form.getAttribute("data-picker-" + name) || ""; }

  function attach(input) {
    var form = input.form;
    var source = form.getAttribute("data-accounts-url");
    if (!source) { return; }
    var box = document.createElement("div");
    box.className = "account-picker list-group small mb-2";
    box.hidden = true;
    var browse = document.createElement("button");
    browse.type = "button";
    browse.className = "btn btn-link btn-sm p-0 account-browse";
    browse.textContent = words(form, "browse");
    input.insertAdjacentElement("afterend", box);
    input.insertAdjacentElement("afterend", browse);
    var timer = null;
    var trail = [];

    function show(accounts) {
      box.replaceChildren();
      if (trail.length) {
        var up = document.createElement("button");
        up.type = "button";
        up.className = "list-group-item list-group-item-action account-up";
        up.textContent = "↑ " + words(form, "up");
        up.addEventListener("click", function () { trail.pop(); load({parent: trail[trail.length - 1] || ""}); });
        box.appendChild(up);
      }
      if (!accounts.length) {
        var none = document.createElement("div");
        none.className = "list-group-item text-muted";
        none.textContent = words(form, "empty");
        box.appendChild(none);
      }
      accounts.forEach(function (account) {
        var item = document.createElement("button");
        item.type = "button";
        item.className = "list-group-item list-group-item-action account-choice";
        item.setAttribute("data-code", account.code);
        item.textContent = account.code + " — " + account.name + (account.postable ? "" : " (" + words(form, "group") + ")");
        if (!account.postable) { item.classList.add("text-muted"); }
        item.addEventListener("click", function () {
          if (account.postable) {
            input.value = account.code;
            box.hidden = true;
          } else if (account.children) {
            trail.push(account.code);
            load({parent: account.code});
          }
        });
        box.appendChild(item);
      });
      box.hidden = false;
    }

    function load(query) {
      var url = new URL(source, window.location.href);
      Object.keys(query).forEach(function (key) { url.searchParams.set(key, query[key]); });
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (answer) { return answer.ok ? answer.json() : []; })
        .then(show)
        .catch(function () { box.hidden = true; });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      var text = input.value.trim();
      if (!text) { box.hidden = true; return; }
      timer = setTimeout(function () { trail = []; load({q: text}); }, 200);
    });
    browse.addEventListener("click", function () { trail = []; load({parent: ""}); });
  }

  document.querySelectorAll("input[data-picker='account']").forEach(attach);
}());

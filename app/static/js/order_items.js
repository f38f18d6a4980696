// Order form: add more test-item rows (items-N-name / items-N-standard) without a page reload.
(function () {
  "use strict";
  var list = document.getElementById("order-items"), button = document.getElementById("add-item");
  if (!list || !button) { return; }
  button.addEventListener("click", function () {
    var rows = list.querySelectorAll(".order-item");
    if (rows.length >= 30) { return; }
    var next = parseInt(list.dataset.next, 10);
    var row = rows[rows.length - 1].cloneNode(true);
    row.querySelectorAll("input").forEach(function (input) {
      input.name = input.name.replace(/items-\d+-/, "items-" + next + "-");
      input.id = input.id.replace(/items-\d+-/, "items-" + next + "-");
      input.value = "";
    });
    row.querySelectorAll("label").forEach(function (label) {
      label.htmlFor = label.htmlFor.replace(/items-\d+-/, "items-" + next + "-");
      label.textContent = label.textContent.replace(/\d+$/, String(next + 1));
    });
    list.appendChild(row);
    list.dataset.next = String(next + 1);
    row.querySelector("input").focus();
  });
})();

// Week view: click a free slot to start, click a later free slot the same day to extend;
// the form below fills in and shows the duration and price before anything is submitted.
(function () {
  "use strict";
  var table = document.querySelector("table.qi-week");
  var form = document.getElementById("booking-form");
  if (!table || !form) { return; }
  var slot = parseInt(table.dataset.slot, 10), minimum = parseInt(table.dataset.min, 10);
  var rate = parseFloat(table.dataset.rate);
  var startInput = form.querySelector("#start"), endInput = form.querySelector("#end");
  var summary = document.getElementById("booking-summary"), price = document.getElementById("booking-price");
  var selection = null;

  function parse(text) { return new Date(text + ":00+08:00"); }
  function local(date) {
    var shifted = new Date(date.getTime() + 8 * 3600 * 1000);
    return shifted.toISOString().slice(0, 16);
  }
  function buttonsOf(day) {
    return Array.prototype.slice.call(table.querySelectorAll('button[data-day="' + day + '"]'));
  }
  function freeThrough(day, from, to) {
    // every slot in [from, to) must be a free cell
    for (var t = from.getTime(); t < to.getTime(); t += slot * 60000) {
      var text = local(new Date(t));
      if (!table.querySelector('button[data-day="' + day + '"][data-start="' + text + '"]')) { return false; }
    }
    return true;
  }
  function paint() {
    table.querySelectorAll("td.selected").forEach(function (td) { td.classList.remove("selected"); });
    if (!selection) { return; }
    buttonsOf(selection.day).forEach(function (button) {
      var at = parse(button.dataset.start);
      if (at >= selection.start && at < selection.end) { button.parentElement.classList.add("selected"); }
    });
  }
  function show() {
    if (!selection) { summary.textContent = summary.dataset.none; price.textContent = "—"; return; }
    startInput.value = local(selection.start);
    endInput.value = local(selection.end);
    var hours = (selection.end - selection.start) / 3600000;
    summary.textContent = startInput.value.replace("T", " ") + " – " + endInput.value.slice(11) +
      " · " + hours + " " + summary.dataset.hours;
    price.textContent = window.qiMoney(hours * rate);
  }
  table.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-start]");
    if (!button) { return; }
    var day = button.dataset.day, at = parse(button.dataset.start);
    if (selection && selection.day === day && at >= selection.start) {
      var end = new Date(at.getTime() + slot * 60000);
      if (end > selection.end && freeThrough(day, selection.start, end)) { selection.end = end; }
      else { selection = null; }
    } else {
      var first = new Date(at.getTime() + Math.max(minimum, slot) * 60000);
      selection = freeThrough(day, at, first) ? { day: day, start: at, end: first } :
        { day: day, start: at, end: new Date(at.getTime() + slot * 60000) };
    }
    paint();
    show();
  });
  [startInput, endInput].forEach(function (input) {
    input.addEventListener("change", function () {
      if (startInput.value && endInput.value) {
        selection = { day: startInput.value.slice(0, 10), start: parse(startInput.value), end: parse(endInput.value) };
        paint(); show();
      }
    });
  });
  if (startInput.value && endInput.value) {
    selection = { day: startInput.value.slice(0, 10), start: parse(startInput.value), end: parse(endInput.value) };
    paint(); show();
  }
})();

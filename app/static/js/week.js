// Week view: click a free slot to start, click a later slot to extend (across midnight and days
// too, when every slot between is open); the form below fills in and shows the duration and price
// before anything is submitted. A selection that takes in busy slots can join the waitlist instead.
(function () {
  "use strict";
  var table = document.querySelector("table.qi-week");
  if (table) {  // a long day (open round the clock) scrolls its box to the first free slot
    var box = table.parentElement, firstFree = table.querySelector("td.free");
    if (firstFree) { box.scrollTop = Math.max(0, firstFree.offsetTop - table.tHead.offsetHeight - 8); }
  }
  var form = document.getElementById("booking-form");
  if (!table || !form) { return; }
  var slot = parseInt(table.dataset.slot, 10), minimum = parseInt(table.dataset.min, 10);
  var rate = parseFloat(table.dataset.rate);
  var startInput = form.querySelector("#start"), endInput = form.querySelector("#end");
  var summary = document.getElementById("booking-summary"), price = document.getElementById("booking-price");
  var bookButton = document.getElementById("book-button"), waitButton = document.getElementById("waitlist-button");
  var repeat = form.querySelector("#repeat");
  var bookLabel = bookButton.textContent;
  var selection = null;

  function parse(text) { return new Date(text + ":00+08:00"); }
  function local(date) {
    var shifted = new Date(date.getTime() + 8 * 3600 * 1000);
    return shifted.toISOString().slice(0, 16);
  }
  function cell(at) { return table.querySelector('button[data-start="' + local(at) + '"]'); }
  function slotsOf(from, to) {
    // every slot in [from, to) as its button, or null where the slot cannot be chosen
    var found = [];
    for (var t = from.getTime(); t < to.getTime(); t += slot * 60000) { found.push(cell(new Date(t))); }
    return found;
  }
  function selectable(from, to) { return slotsOf(from, to).every(function (b) { return b !== null; }); }
  function taken() {
    return selection !== null && slotsOf(selection.start, selection.end).some(function (b) { return b && b.dataset.busy; });
  }
  function paint() {
    table.querySelectorAll("td.selected").forEach(function (td) { td.classList.remove("selected"); });
    if (!selection) { return; }
    slotsOf(selection.start, selection.end).forEach(function (b) { if (b) { b.parentElement.classList.add("selected"); } });
  }
  function label() {
    bookButton.textContent = repeat && repeat.value ? bookButton.dataset.preview : bookLabel;
    var waiting = taken();
    waitButton.classList.toggle("d-none", !waiting);
    bookButton.classList.toggle("d-none", waiting);
  }
  function show() {
    label();
    if (!selection) { summary.textContent = summary.dataset.none; price.textContent = "—"; return; }
    startInput.value = local(selection.start);
    endInput.value = local(selection.end);
    var hours = (selection.end - selection.start) / 3600000;
    var sameDay = startInput.value.slice(0, 10) === endInput.value.slice(0, 10);
    summary.textContent = startInput.value.replace("T", " ") + " – " +
      (sameDay ? endInput.value.slice(11) : endInput.value.replace("T", " ")) + " · " + hours + " " + summary.dataset.hours +
      (taken() ? " · " + summary.dataset.taken : "");
    price.textContent = window.qiMoney(hours * rate);
  }
  table.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-start]");
    if (!button) { return; }
    var at = parse(button.dataset.start);
    if (selection && at >= selection.start) {
      var end = new Date(at.getTime() + slot * 60000);
      if (end > selection.end && selectable(selection.start, end)) { selection.end = end; }
      else { selection = null; }
    } else {
      var first = new Date(at.getTime() + Math.max(minimum, slot) * 60000);
      selection = selectable(at, first) ? { start: at, end: first } :
        { start: at, end: new Date(at.getTime() + slot * 60000) };
    }
    paint();
    show();
  });
  [startInput, endInput].forEach(function (input) {
    input.addEventListener("change", function () {
      if (startInput.value && endInput.value) {
        selection = { start: parse(startInput.value), end: parse(endInput.value) };
        paint(); show();
      }
    });
  });
  if (repeat) { repeat.addEventListener("change", label); }
  if (startInput.value && endInput.value) {
    selection = { start: parse(startInput.value), end: parse(endInput.value) };
    paint(); show();
  } else {
    label();
  }
})();

// Jobbro's few behaviours that HTML alone does not give. Pages work without it (forms post,
// tables show the chart data); with it, forms are quicker and charts are drawn.
(function () {
  "use strict";

  // Follow-up shortcuts ("Om 1 uge"): fill the date field they point at.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-set-date]");
    if (!btn) return;
    var input = document.getElementById(btn.getAttribute("data-set-date"));
    if (input) { input.value = btn.getAttribute("data-value"); input.dispatchEvent(new Event("change", { bubbles: true })); }
  });

  // Enter in a search-as-you-type field searches; it must not send the form around it half done.
  document.addEventListener("keydown", function (ev) {
    var el = ev.target;
    if (ev.key === "Enter" && el.matches && el.matches("input[type=search][hx-get]") && el.form && el.form.method === "post") {
      ev.preventDefault();
      if (window.htmx) window.htmx.trigger(el, "search");
      var first = el.form.querySelector("#company-results input[type=radio]");
      if (first && !el.form.querySelector("#company-results input[type=radio]:checked")) first.checked = true;
    }
  });

  // After a search result list arrives, a single hit is picked already; say so to screen readers.
  document.addEventListener("htmx:afterSwap", function (ev) {
    if (ev.target && ev.target.id === "company-results") {
      var checked = ev.target.querySelector("input[type=radio]:checked");
      if (checked) checked.setAttribute("aria-describedby", "h-company_id");
    }
  });

  // Move focus to an error summary so keyboard and screen-reader users land on it.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("fejl");
    if (summary) summary.focus();
    drawCharts(document);
  });
  document.addEventListener("htmx:afterSettle", function () { drawCharts(document); });

  // Charts: each <canvas data-chart="id"> reads its data from <script type="application/json" id="id">.
  var PALETTE = ["#0b4f8a", "#c0392b", "#1d6b34", "#8a4b00", "#6c3483", "#117a8b", "#5d6d7e", "#b9770e", "#1b2631"];
  function drawCharts(root) {
    if (!window.Chart || !root.querySelectorAll) return;
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas._chart) return;
      var holder = document.getElementById(canvas.getAttribute("data-chart"));
      if (!holder) return;
      var spec = JSON.parse(holder.textContent);
      spec.data.datasets.forEach(function (ds, i) {
        var colour = ds.color || PALETTE[i % PALETTE.length];
        if (Array.isArray(ds.colors)) { ds.backgroundColor = ds.colors; ds.borderColor = ds.colors; }
        else { ds.backgroundColor = ds.backgroundColor || colour; ds.borderColor = ds.borderColor || colour; }
        delete ds.color; delete ds.colors;
      });
      canvas._chart = new window.Chart(canvas, {
        type: spec.type || "bar",
        data: spec.data,
        options: Object.assign({
          responsive: true, maintainAspectRatio: false, animation: false,
          plugins: { legend: { position: "bottom" } },
          scales: spec.type === "doughnut" || spec.type === "pie" ? {} : {
            x: { stacked: !!spec.stacked },
            y: { stacked: !!spec.stacked, beginAtZero: true, ticks: { precision: 0 } }
          }
        }, spec.options || {})
      });
    });
  }
})();

"""The benchmark results as the Markdown tables docs/PERFORMANCE.md shows."""

LOADS = [("availability_7_days", "availability, one instrument, 7 days (API)"),
         ("instrument_page", "instrument page (HTML)"),
         ("search_api", "catalog search, Chinese substring (API)"),
         ("catalog_page", "catalog page, with and without a term (HTML)"),
         ("booking_creation", "booking creation on random free slots (API)")]
STATS = [("city_summary_api", "city yearly summary (API)"), ("city_dashboard_html", "city dashboard (HTML)"),
         ("district_dashboard_html", "district dashboard (HTML)"), ("pilot_table_xlsx", "附件4 export (.xlsx)"),
         ("bare_year_scan", "bare: one scan of the year's bookings")]


def _load_rows(run):
    lines = ["| scenario | app req/s | bare req/s | ratio | app p50 / p95 / p99 ms | bare p99 ms | statuses (app) |",
             "|---|---|---|---|---|---|---|"]
    for key, label in LOADS:
        if key not in run:
            continue
        app, bare = run[key]["app"], run[key]["bare"]
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(app["statuses"].items()))
        lines.append(f"| {label} | {app['ok_per_s']} | {bare['ok_per_s']} | {run[key]['ratio']} | "
                     f"{app['p50']} / {app['p95']} / {app['p99']} | {bare['p99']} | {statuses} |")
    return lines


def markdown(results):
    out = []
    for scale, run in results.get("runs", {}).items():
        out += [f"### Scale {scale} on {results['database']} ({results['clients']} clients, "
                f"{results['workers']} workers, {results['seconds']} s each)", ""]
        if run.get("generated"):
            rows = run["generated"]["rows"]
            out += [f"Generated in {run['generated']['seconds']} s: " + ", ".join(f"{k} {v:,}" for k, v in rows.items()),
                    ""]
        out += _load_rows(run)
        if "booking_creation" in run:
            out += ["", f"Overlapping active holds after the booking runs: "
                        f"{run['booking_creation']['overlapping_active_holds']}."]
        out += ["", "| statistics (one request at a time) | best ms | median ms |", "|---|---|---|"]
        for key, label in STATS:
            figure = run["stats"][key]
            out.append(f"| {label} | {figure['best']} | {figure['median']} |")
        rss = run["worker_rss_mb"]
        out += ["", f"Largest worker RSS after the runs: app {rss['app']} MB, bare {rss['bare']} MB.", ""]
    return "\n".join(out)

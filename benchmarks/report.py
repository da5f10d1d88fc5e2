"""docs/performance.md from results files: the figures of each database side by side, each with its command.

The analysis (what limits what, what changed) is written by hand in benchmarks/notes.md and appended, so the page
is regenerated with the figures and never disagrees with them.
"""

from __future__ import annotations

from typing import Any

URL = "postgresql://postgres@127.0.0.1:55433/postgres"


def _command(result: dict[str, Any], only: str | None) -> str:
    size = "--quick" if result["size"] == "quick" else f"--size {result['size']}"
    database = "" if result["database"] == "sqlite" else f" --database postgresql --url {URL}"
    reuse = "" if only is None else " --reuse"
    name = "" if only is None else f" --only {only}"
    return f"python -m benchmarks run {size}{database}{reuse}{name} -o results-{result['database']}.json"


def _get(result: dict[str, Any] | None, *path: str) -> Any:
    value: Any = result
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        value = f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    elif isinstance(value, int):
        value = f"{value:,}"
    return f"{value}{unit}"


GOALS: list[tuple[str, str, tuple[str, ...], str, float, str]] = [
    # (what, measurement, path to the figure, unit, goal, comparison)
    ("One kecamatan's indicator, p99", "indicator", ("p99_ms",), " ms", 20, "<"),
    ("Every kecamatan ranked, median", "ranking_national", ("median_ms",), " ms", 3000, "<"),
    ("A year of reminders planned", "plan_year", ("seconds",), " s", 60, "<"),
    ("The hourly planning job when nothing changed (issue 19)", "plan_year", ("job_unchanged_ms",), " ms", 2000, "<="),
    (
        "One change re-planned, a kecamatan of about 12 desa, p95 (issue 19)",
        "plan_year",
        ("one_kecamatan", "p95_ms"),
        " ms",
        50,
        "<=",
    ),
    ("One morning's sweep before sending", "sweep_morning", ("all_due_seconds",), " s", 10, "<"),
    ("Morning sweep, rows per second (no network)", "sweep_morning", ("rows_per_second",), "", 1000, ">="),
    ("Throughput against the echo bot (mixed workload)", "chat", ("ratio",), "×", 0.2, ">="),
    ("`/status` alone against the echo bot", "chat", ("status_ratio",), "×", 0.3, ">="),
    ("A secretary's `/status` p95 under two heads' load ÷ quiet", "chat", ("latency", "p95_ratio"), "×", 2, "<="),
    ("Answers out of order (per person)", "chat", ("order", "out_of_order"), "", 0, "<="),
    ("Peak memory under the mixed load (VmHWM)", "chat", ("memory_peak_mb",), " MB", 250, "<="),
    ("Dispatch, share of 30 msg/s", "dispatch", ("share_of_allowed",), "", 0.95, ">="),
    ("429 answers during dispatch", "dispatch", ("http_429",), "", 0, "<="),
    ("Idle memory (RSS)", "chat", ("memory_idle_mb",), " MB", 150, "<="),
    (
        "`record import` of the largest file (100,000 rows; quick: 1,000)",
        "record_import",
        ("largest_seconds",),
        " s",
        60,
        "<",
    ),
    ("Longest wait of the bot during the imports", "record_import", ("bot_wait_max_ms",), " ms", 2000, "<"),
]

ROWS: list[tuple[str, str, tuple[str, ...], str]] = [
    ("indicator: median", "indicator", ("median_ms",), " ms"),
    ("indicator: p99", "indicator", ("p99_ms",), " ms"),
    ("indicator: max", "indicator", ("max_ms",), " ms"),
    ("all kecamatan ranked: median", "ranking_national", ("median_ms",), " ms"),
    ("all kecamatan ranked: kecamatan with desa", "ranking_national", ("ranked",), ""),
    (
        "one kabupaten ranked (aggregate, /indikator's comparison): median",
        "ranking_kabupaten",
        ("aggregate", "median_ms"),
        " ms",
    ),
    ("one kabupaten ranked (aggregate): p99", "ranking_kabupaten", ("aggregate", "p99_ms"), " ms"),
    (
        "one kabupaten ranked (full reports, `klambi indicator --kabupaten`): median",
        "ranking_kabupaten",
        ("full_reports", "median_ms"),
        " ms",
    ),
    ("a year of reminders planned", "plan_year", ("seconds",), " s"),
    ("… outbox rows written", "plan_year", ("rows_planned",), ""),
    ("… planned again when nothing changed (365 days)", "plan_year", ("replan_unchanged_seconds",), " s"),
    ("the bot's hourly job, first plan (60-day window)", "plan_year", ("hourly_first_seconds",), " s"),
    ("the bot's hourly job, re-plan (60-day window)", "plan_year", ("hourly_replan_seconds",), " s"),
    (
        "the hourly job following changes, first run without a state (every kecamatan, in chunks)",
        "plan_year",
        ("job_first_seconds",),
        " s",
    ),
    ("… its longest chunk (one transaction)", "plan_year", ("job_first_longest_chunk_ms",), " ms"),
    ("the hourly job, nothing changed (median of 5)", "plan_year", ("job_unchanged_ms",), " ms"),
    ("the hourly job after one change (a kecamatan marked)", "plan_year", ("job_one_change_ms",), " ms"),
    ("one kecamatan planned again (own transaction, ~12 desa): p50", "plan_year", ("one_kecamatan", "p50_ms"), " ms"),
    ("… p95", "plan_year", ("one_kecamatan", "p95_ms"), " ms"),
    ("the hourly job the next morning (a new day in every time zone)", "plan_year", ("job_new_day_seconds",), " s"),
    ("… kecamatan given the new day", "plan_year", ("job_new_day_kecamatan",), ""),
    ("… its longest chunk (one transaction)", "plan_year", ("job_new_day_longest_chunk_ms",), " ms"),
    ("busiest morning of that year", "sweep_morning", ("morning",), ""),
    ("… rows due that morning", "sweep_morning", ("due",), ""),
    ("… rows swept (claim, supersede, compose, mark; no network)", "sweep_morning", ("swept",), ""),
    ("… in", "sweep_morning", ("seconds",), " s"),
    ("… rows per second", "sweep_morning", ("rows_per_second",), ""),
    (
        "… rows per second in batches of one (the sweep before issue 19, same run)",
        "sweep_morning",
        ("one_at_a_time", "rows_per_second"),
        "",
    ),
    ("… batched ÷ batches of one", "sweep_morning", ("ratio_to_one_at_a_time",), "×"),
    (
        "… the whole morning (extrapolated when more rows were due than swept)",
        "sweep_morning",
        ("all_due_seconds",),
        " s",
    ),
    ("… extrapolated", "sweep_morning", ("extrapolated",), ""),
    ("bot: updates per second (mixed workload)", "chat", ("bot_updates_per_second",), ""),
    ("echo bot: updates per second (same run, same sandbox)", "chat", ("echo_updates_per_second",), ""),
    ("ratio bot / echo", "chat", ("ratio",), "×"),
    ("bot: `/status` alone, updates per second", "chat", ("status_updates_per_second",), ""),
    ("ratio `/status` alone / echo", "chat", ("status_ratio",), "×"),
    ("a secretary's `/status` quiet: p50", "chat", ("latency", "quiet_p50_ms"), " ms"),
    ("… quiet: p95", "chat", ("latency", "quiet_p95_ms"), " ms"),
    ("… while two heads loop `/rekap` + `/indikator` (2023–2025): p50", "chat", ("latency", "loaded_p50_ms"), " ms"),
    ("… loaded: p95", "chat", ("latency", "loaded_p95_ms"), " ms"),
    ("… loaded p95 ÷ quiet p95", "chat", ("latency", "p95_ratio"), "×"),
    ("… heavy answers given meanwhile", "chat", ("latency", "heavy_answers_meanwhile"), ""),
    ("order check: updates sent in bursts (`/status <year>`)", "chat", ("order", "updates"), ""),
    ("… answered out of order", "chat", ("order", "out_of_order"), ""),
    ("… not answered", "chat", ("order", "unanswered"), ""),
    ("`klambi run` first answer after start", "chat", ("first_answer_after_start_seconds",), " s"),
    ("`klambi run` memory idle (VmRSS)", "chat", ("memory_idle_mb",), " MB"),
    ("`klambi run` memory peak under load (VmHWM)", "chat", ("memory_peak_mb",), " MB"),
    ("… its child processes (a process pool), VmRSS after the load", "chat", ("pool_memory_mb",), " MB"),
    ("… its child processes, peak (sum of VmHWM)", "chat", ("pool_memory_peak_mb",), " MB"),
    ("dispatch: reminders sent", "dispatch", ("sent",), ""),
    ("dispatch: messages per second", "dispatch", ("messages_per_second",), ""),
    ("dispatch: share of the allowed 30/s", "dispatch", ("share_of_allowed",), ""),
    ("dispatch: 429 answers", "dispatch", ("http_429",), ""),
    (
        "dispatch in batches of one (before issue 19, same run): messages per second",
        "dispatch",
        ("one_at_a_time", "messages_per_second"),
        "",
    ),
    ("… its share of 30/s", "dispatch", ("one_at_a_time", "share_of_allowed"), ""),
    ("… its 429 answers", "dispatch", ("one_at_a_time", "http_429"), ""),
    ("dispatch: batched ÷ batches of one", "dispatch", ("ratio_to_one_at_a_time",), "×"),
    ("record import: 1,000 rows", "record_import", ("sizes", "1000", "seconds"), " s"),
    ("record import: 10,000 rows", "record_import", ("sizes", "10000", "seconds"), " s"),
    ("record import: 100,000 rows", "record_import", ("sizes", "100000", "seconds"), " s"),
    ("… time per row, 100,000 over 1,000 (1 is linear)", "record_import", ("growth_per_row",), "×"),
    (
        "… the same 100,000 rows again (nothing changes)",
        "record_import",
        ("sizes", "100000", "again_unchanged_seconds"),
        " s",
    ),
    (
        "… its longest transaction (SQLite: the write lock held)",
        "record_import",
        ("sizes", "100000", "longest_import_transaction_ms"),
        " ms",
    ),
    ("… the bot's longest wait meanwhile (another process, every 50 ms)", "record_import", ("bot_wait_max_ms",), " ms"),
    ("… the bot's reads given up (busy timeout)", "record_import", ("bot_busy",), ""),
]


WHATSAPP = ("whatsapp_webhook", "whatsapp_dispatch")
WHATSAPP_GOALS: list[tuple[str, str, tuple[str, ...], str, float, str]] = [
    ("130429 refusals during WhatsApp dispatch", "whatsapp_dispatch", ("refusals_130429",), "", 0, "<="),
    ("Answers per WhatsApp message", "whatsapp_webhook", ("answers_per_message",), "", 1, "=="),
]

WHATSAPP_ROWS: list[tuple[str, str, tuple[str, ...], str]] = [
    ("webhook: secretaries writing at once", "whatsapp_webhook", ("people",), ""),
    ("webhook: messages (\"status\") sent", "whatsapp_webhook", ("messages",), ""),
    ("webhook: messages handled per second", "whatsapp_webhook", ("messages_per_second",), ""),
    ("webhook: POST until the 200, p50", "whatsapp_webhook", ("post_p50_ms",), " ms"),
    ("webhook: POST until the 200, p95", "whatsapp_webhook", ("post_p95_ms",), " ms"),
    ("webhook: POST until the 200, max", "whatsapp_webhook", ("post_max_ms",), " ms"),
    ("webhook: answers per message", "whatsapp_webhook", ("answers_per_message",), ""),
    ("webhook: Telegram's `chat` updates per second (same run)", "whatsapp_webhook",
     ("telegram_updates_per_second",), ""),
    ("webhook: ratio WhatsApp / Telegram", "whatsapp_webhook", ("ratio_to_telegram",), "×"),
    ("`klambi run` (WhatsApp) first answer after start", "whatsapp_webhook", ("first_answer_after_start_seconds",),
     " s"),
    ("`klambi run` (WhatsApp) memory idle (VmRSS)", "whatsapp_webhook", ("memory_idle_mb",), " MB"),
    ("`klambi run` (WhatsApp) memory peak under load (VmHWM)", "whatsapp_webhook", ("memory_peak_mb",), " MB"),
    ("dispatch: reminders (each run)", "whatsapp_dispatch", ("reminders",), ""),
    ("dispatch inside the window: sent", "whatsapp_dispatch", ("inside_window", "sent"), ""),
    ("… messages per second", "whatsapp_dispatch", ("inside_window", "messages_per_second"), ""),
    ("… share of the 80/s limit", "whatsapp_dispatch", ("inside_window", "share_of_limit"), ""),
    ("… in", "whatsapp_dispatch", ("inside_window", "seconds"), " s"),
    ("… 130429 refusals", "whatsapp_dispatch", ("inside_window", "refusals_130429"), ""),
    ("… 131056 refusals (one person too often)", "whatsapp_dispatch", ("inside_window", "refusals_131056"), ""),
    ("dispatch outside the window (templates): sent", "whatsapp_dispatch", ("outside_window", "sent"), ""),
    ("… of which templates", "whatsapp_dispatch", ("outside_window", "as_templates"), ""),
    ("… messages per second", "whatsapp_dispatch", ("outside_window", "messages_per_second"), ""),
    ("… share of the 80/s limit", "whatsapp_dispatch", ("outside_window", "share_of_limit"), ""),
    ("… in", "whatsapp_dispatch", ("outside_window", "seconds"), " s"),
    ("… 130429 refusals", "whatsapp_dispatch", ("outside_window", "refusals_130429"), ""),
    ("… 131056 refusals", "whatsapp_dispatch", ("outside_window", "refusals_131056"), ""),
    ("rate with templates / rate inside the window", "whatsapp_dispatch", ("template_rate_ratio",), "×"),
]  # fmt: skip


DASHBOARD_GOALS: list[tuple[str, str, tuple[str, ...], str, float, str]] = [
    ("A kecamatan page's HTML, p95", "dashboard", ("kecamatan_page", "p95_ms"), " ms", 100, "<"),
    ("The national page (its ranking computed), median", "dashboard", ("national_page", "p50_ms"), " ms", 3000, "<"),
]

DASHBOARD_ROWS: list[tuple[str, str, tuple[str, ...], str]] = [
    ("kecamatan page: pages asked (each kecamatan and year once)", "dashboard", ("kecamatan_page", "samples"), ""),
    ("… of kecamatan", "dashboard", ("kecamatan_page", "kecamatan"), ""),
    ("… p50", "dashboard", ("kecamatan_page", "p50_ms"), " ms"),
    ("… p95", "dashboard", ("kecamatan_page", "p95_ms"), " ms"),
    ("… max", "dashboard", ("kecamatan_page", "max_ms"), " ms"),
    ("desa page (2024): pages asked", "dashboard", ("desa_page", "samples"), ""),
    ("… p50", "dashboard", ("desa_page", "p50_ms"), " ms"),
    ("… p95", "dashboard", ("desa_page", "p95_ms"), " ms"),
    ("… max", "dashboard", ("desa_page", "max_ms"), " ms"),
    ("kabupaten ranking page: kabupaten asked", "dashboard", ("kabupaten_page", "samples"), ""),
    ("… p50", "dashboard", ("kabupaten_page", "p50_ms"), " ms"),
    ("… max", "dashboard", ("kabupaten_page", "max_ms"), " ms"),
    ("national page, each year once (ranking computed): years asked", "dashboard", ("national_page", "samples"), ""),
    ("… p50", "dashboard", ("national_page", "p50_ms"), " ms"),
    ("… max", "dashboard", ("national_page", "max_ms"), " ms"),
    ("… its size", "dashboard", ("national_page", "bytes"), " bytes"),
    ("national page again, nothing changed (ranking kept): p50", "dashboard", ("national_page_again", "p50_ms"), " ms"),
    ("… max", "dashboard", ("national_page_again", "max_ms"), " ms"),
    ("chart, first request (drawn): p50", "dashboard", ("chart_first", "p50_ms"), " ms"),
    ("… max", "dashboard", ("chart_first", "max_ms"), " ms"),
    ("chart, again (cached): p50", "dashboard", ("chart_cached", "p50_ms"), " ms"),
    ("… max", "dashboard", ("chart_cached", "max_ms"), " ms"),
    ("`klambi web` first answer after start", "dashboard", ("first_answer_after_start_seconds",), " s"),
    ("`klambi web` memory after sign-in (VmRSS)", "dashboard", ("memory_idle_mb",), " MB"),
    ("`klambi web` memory peak (VmHWM)", "dashboard", ("memory_peak_mb",), " MB"),
]


def _met(value: Any, goal: float, comparison: str) -> str:
    if value is None:
        return "not measured"
    ok = {"<": value < goal, "<=": value <= goal, ">=": value >= goal, "==": value == goal}[comparison]
    return "met" if ok else "**missed**"


def render_markdown(results: list[dict[str, Any]], notes: str = "") -> str:
    newcomers = [r for r in results if r.get("benchmark") == "newcomer"]  # `python -m benchmarks newcomer`
    readings = [r for r in results if r.get("benchmark") == "reading"]  # `python -m benchmarks reading`
    results = [r for r in results if r not in newcomers and r not in readings]
    by_db: dict[str, dict[str, Any]] = {}
    for r in results:  # the first results file of each database fills the main tables
        by_db.setdefault(r["database"], r)
    databases = [d for d in ("sqlite", "postgresql") if d in by_db]
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    lines = [
        "# Performance",
        "",
        "Generated by `python -m benchmarks render` from the results of `python -m benchmarks run` (see README,",
        '"Benchmarks"). Figures are what one run on the machine below measured; the goals are those of issues 8',
        "and 19.",
        "",
    ]
    for db in databases:
        r = by_db[db]
        gen = r.get("generation") or {}
        machine = r.get("machine", {})
        lines.append(
            f"- **{names[db]}** — size `{r['size']}`: {_fmt(gen.get('kecamatan'))} kecamatan, {_fmt(gen.get('desa'))} "
            f"desa, {_fmt(gen.get('obligations'))} obligations, {_fmt(gen.get('submissions'))} versions, "
            f"{_fmt(gen.get('people'))} people; generated in {_fmt(gen.get('seconds'), ' s')}. "
            f"Python {machine.get('python')}, {machine.get('cpus')} CPUs, {machine.get('date')}."
        )
    lines += ["", "## Goals", "", "| goal | " + " | ".join(names[d] for d in databases) + " |"]
    lines.append("| --- |" + " --- |" * len(databases))
    for what, measurement, path, unit, goal, comparison in GOALS:
        cells = []
        for db in databases:
            value = _get(by_db[db], "measurements", measurement, *path)
            cells.append(
                f"{_fmt(value, unit)} — {_met(value, goal, comparison)}" if value is not None else "not measured"
            )
        lines.append(f"| {what} ({comparison} {_fmt(goal)}{unit}) | " + " | ".join(cells) + " |")
    lines += ["", "## Figures", "", "| measurement | " + " | ".join(names[d] for d in databases) + " |"]
    lines.append("| --- |" + " --- |" * len(databases))
    for what, measurement, path, unit in ROWS:
        values = [_fmt(_get(by_db[db], "measurements", measurement, *path), unit) for db in databases]
        lines.append(f"| {what} | " + " | ".join(values) + " |")
    lines += _whatsapp(results, names)
    lines += _dashboard(results, names)
    lines += _heavy(results, names)
    lines += _newcomer(newcomers)
    lines += _reading(readings)
    lines += ["", "## Commands", "", "Each measurement alone, on a deployment generated before (`--reuse`):", ""]
    for db in databases:
        lines += [f"{names[db]}:", ""]
        lines.append(f"    {_command(by_db[db], None)}   # generate, then everything")
        for measurement in sorted(by_db[db].get("measurements", {})):
            lines.append(f"    {_command(by_db[db], measurement)}")
        lines.append("")
    extra = (
        "".join(
            " "
            + (
                _dashboard_file(r)
                if "dashboard" in r.get("measurements", {})
                else f"results-heavy-{r['size']}-{r['database']}.json"
                if "heavy" in r.get("measurements", {})
                else f"results-whatsapp-{r['database']}.json"
            )
            for r in results
            if r not in by_db.values()
        )
        + "".join(" results-newcomer.json" for _ in newcomers)
        + "".join(" results-reading.json" for _ in readings)
    )
    lines.append(
        f"    python -m benchmarks render results-sqlite.json results-postgresql.json{extra} -o docs/performance.md"
    )
    if notes:
        lines += ["", notes.strip()]
    return "\n".join(lines) + "\n"


def _head(result: dict[str, Any], names: dict[str, str]) -> str:
    """A column's head in the sections of several runs: its database and size, **quick** when it is one."""
    quick = " — **quick**" if result["size"] == "quick" else ""
    return f"{names[result['database']]}, size `{result['size']}`{quick}"


def _runs_table(
    runs: list[dict[str, Any]],
    names: dict[str, str],
    goals: list[tuple[str, str, tuple[str, ...], str, float, str]],
    rows: list[tuple[str, str, tuple[str, ...], str]],
) -> list[str]:
    """The goals, then the figures, of a section with one column per run."""
    heads = [_head(r, names) for r in runs]
    lines = ["| goal | " + " | ".join(heads) + " |", "| --- |" + " --- |" * len(runs)]
    for what, measurement, path, unit, goal, comparison in goals:
        cells = []
        for r in runs:
            value = _get(r, "measurements", measurement, *path)
            cells.append(
                f"{_fmt(value, unit)} — {_met(value, goal, comparison)}" if value is not None else "not measured"
            )
        lines.append(f"| {what} ({comparison} {_fmt(goal)}{unit}) | " + " | ".join(cells) + " |")
    lines += ["", "| measurement | " + " | ".join(heads) + " |", "| --- |" + " --- |" * len(runs)]
    for what, measurement, path, unit in rows:
        values = [_fmt(_get(r, "measurements", measurement, *path), unit) for r in runs]
        lines.append(f"| {what} | " + " | ".join(values) + " |")
    return lines


def _dates(runs: list[dict[str, Any]]) -> str:
    return ", ".join(sorted({str(r.get("machine", {}).get("date")) for r in runs}))


def _whatsapp(results: list[dict[str, Any]], names: dict[str, str]) -> list[str]:
    """The WhatsApp measurements of every results file that has them (a quick run beside the national ones, too),
    each column labelled with its database and size."""
    runs = [r for r in results if any(name in r.get("measurements", {}) for name in WHATSAPP)]
    if not runs:
        return []
    lines = [
        "",
        "## WhatsApp (issue 17)",
        "",
        'The WhatsApp channel against the Graph API sandbox (see "What was measured", WhatsApp), run on '
        + _dates(runs)
        + ".",
        "Each column names its run's database and size; a column marked **quick** comes from `--quick` (a few people",
        "in Kabupaten Lumajang): its rates say what that small sample saw, not what a national load would.",
        "",
    ]
    lines += _runs_table(runs, names, WHATSAPP_GOALS, WHATSAPP_ROWS)
    lines += ["", "Commands (`chat` too, for Telegram's rate beside it; on a fresh deployment, not `--reuse`):", ""]
    for r in runs:
        size = "--quick" if r["size"] == "quick" else f"--size {r['size']}"
        database = "" if r["database"] == "sqlite" else f" --database postgresql --url {URL}"
        lines.append(
            f"    python -m benchmarks run {size}{database} --only chat --only whatsapp_webhook "
            f"--only whatsapp_dispatch -o results-whatsapp-{r['database']}.json"
        )
    return lines


def _dashboard_file(result: dict[str, Any]) -> str:
    return f"results-dashboard-{result['size']}-{result['database']}.json"


def _dashboard(results: list[dict[str, Any]], names: dict[str, str]) -> list[str]:
    """The dashboard's pages over HTTP (issue 18), one column per results file that has them."""
    runs = [r for r in results if "dashboard" in r.get("measurements", {})]
    if not runs:
        return []
    lines = [
        "",
        "## Dashboard (issue 18)",
        "",
        '`klambi web` as a process, pages asked over loopback HTTP by a signed-in admin (see "What was measured",',
        f"Dashboard), run on {_dates(runs)}; the goals are issue 18's. A column marked **quick** is Kabupaten Lumajang",
        "alone.",
        "",
    ]
    lines += _runs_table(runs, names, DASHBOARD_GOALS, DASHBOARD_ROWS)
    lines += ["", "Commands (on a deployment generated before; without `--reuse` it is generated first):", ""]
    for r in runs:
        size = "--quick" if r["size"] == "quick" else f"--size {r['size']}"
        database = "" if r["database"] == "sqlite" else f" --database postgresql --url {URL}"
        lines.append(f"    python -m benchmarks run {size}{database} --reuse --only dashboard -o {_dashboard_file(r)}")
    return lines


HEAVY_ROWS: list[tuple[str, str, tuple[str, ...], str]] = [
    ("files built new (charts and workbooks, 3 years each)", "heavy", ("files",), ""),
    ("bot's CPU outside its event loop per new file (GIL held), thread", "heavy",
     ("thread", "while_building", "gil_cpu_ms_per_file"), " ms"),
    ("… report pool", "heavy", ("pool", "while_building", "gil_cpu_ms_per_file"), " ms"),
    ("loop work done while building ÷ quiet, thread", "heavy", ("thread", "while_building", "loop_share"), "×"),
    ("… report pool", "heavy", ("pool", "while_building", "loop_share"), "×"),
    ("loop lag while building p95, thread", "heavy", ("thread", "while_building", "lag_p95_ms"), " ms"),
    ("… max", "heavy", ("thread", "while_building", "lag_max_ms"), " ms"),
    ("… report pool p95", "heavy", ("pool", "while_building", "lag_p95_ms"), " ms"),
    ("… max", "heavy", ("pool", "while_building", "lag_max_ms"), " ms"),
    ("chart, new: p50 thread", "heavy", ("thread", "chart_new", "median_ms"), " ms"),
    ("… report pool", "heavy", ("pool", "chart_new", "median_ms"), " ms"),
    ("workbook, new: p50 thread", "heavy", ("thread", "workbook_new", "median_ms"), " ms"),
    ("… report pool", "heavy", ("pool", "workbook_new", "median_ms"), " ms"),
    ("kept (same data again): p50, report pool", "heavy", ("pool", "kept", "median_ms"), " ms"),
    ("… max", "heavy", ("pool", "kept", "max_ms"), " ms"),
    ("report pool's start with its first chart and workbook", "heavy", ("pool", "start_seconds"), " s"),
    ("… the loop's longest lag meanwhile", "heavy", ("pool", "start_lag_max_ms"), " ms"),
    ("thread's first chart and workbook (matplotlib imported)", "heavy", ("thread", "start_seconds"), " s"),
    ("… the loop's longest lag meanwhile", "heavy", ("thread", "start_lag_max_ms"), " ms"),
]  # fmt: skip


def _heavy(results: list[dict[str, Any]], names: dict[str, str]) -> list[str]:
    """Charts and workbooks built in the report pool vs a thread (issue 19), one column per results file."""
    runs = [r for r in results if "heavy" in r.get("measurements", {})]
    if not runs:
        return []
    lines = [
        "",
        "## Heavy files (issue 19)",
        "",
        "Charts and recap workbooks of different kecamatan and years (each new: built), then the same again (kept), in",
        "the report pool and, in the same run, in a thread of the bot's process as before; meanwhile the event loop",
        f'runs a ticker and small pieces of work (see "What was measured", Heavy files). Run on {_dates(runs)}.',
        "",
    ]
    lines += _runs_table(runs, names, [], HEAVY_ROWS)[3:]  # no goal of its own: the figures
    return lines


def _newcomer(runs: list[dict[str, Any]]) -> list[str]:
    """A newcomer's path from a fresh clone to the first receipt (issue 20), each run's steps."""
    lines = []
    for run in runs:
        goal = run.get("goal", {})
        lines += [
            "",
            "## From a fresh clone to the first receipt (issue 20)",
            "",
            f"`python -m benchmarks newcomer` on {run.get('date')} (commit {run.get('commit')}): a fresh clone, the",
            "README's install, `klambi setup --yes` and `klambi invite` against a Telegram sandbox, `klambi run`, and",
            "the sandbox playing the secretary through a whole `/kirim` until the receipt. Machine seconds per step;",
            "what a person types (in the terminal or the chat) is counted, not timed.",
            "",
            "| step | machine time | typed |",
            "| --- | --- | --- |",
        ]
        for step in run.get("steps", []):
            typed = "; ".join(f"`{t}`" if not t.startswith("(") else t for t in step.get("typed", []))
            lines.append(f"| {step['step']} | {_fmt(step.get('seconds'), ' s')} | {typed} |")
        seconds, typed = run.get("machine_seconds"), run.get("typed")
        lines += [
            "",
            f"Total: {_fmt(seconds, ' s')} of machine time (goal ≤ {_fmt(goal.get('seconds', 300) / 60)} minutes: "
            f"{_met(seconds, goal.get('seconds', 300), '<=')}) and {typed} steps typed, {run.get('typed_terminal')} of "
            f"them in the terminal (goal ≤ {goal.get('typed', 15)}: {_met(typed, goal.get('typed', 15), '<=')}).",
        ]
    return lines


READING_KINDS = (("pdf", "text PDF"), ("docx", "DOCX"), ("scan", "scan, 200 dpi"), ("photo", "phone photo"))
WRONG_SHOWN = 40


def _reading_table(run: dict[str, Any]) -> list[str]:
    def row(label: str, figures: dict[str, Any] | None) -> str:
        if not figures:
            return f"| {label} | not read (no OCR) | | | | | | | |"
        return (
            f"| {label} | {figures['documents']} | {figures['pages']} | {figures['fields_truth']} | "
            f"{figures['fields_proposed']} | {figures['fields_correct']} | {figures['precision']:.3f} | "
            f"{figures['recall']:.3f} | {_fmt(figures.get('pages_per_second'))} |"
        )

    lines = [
        "| source | documents | pages | fields (truth) | proposed | correct | precision | recall | pages/s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    kinds = run.get("kinds", {})
    for kind, label in READING_KINDS:
        lines.append(row(label, kinds.get(kind)))
    goals = []
    for group, figures in (run.get("groups") or {}).items():
        lines.append(row(f"**{group}**", figures))
        if figures:
            goal = figures["goal"]
            goals.append(
                f"{group}: precision {figures['precision']:.3f} (goal ≥ {goal['precision']}: "
                f"{_met(figures['precision'], goal['precision'], '>=')}), recall {figures['recall']:.3f} "
                f"(goal ≥ {goal['recall']}: {_met(figures['recall'], goal['recall'], '>=')})"
            )
        else:
            goals.append(f"{group}: not measured (Tesseract not installed)")
    lines += ["", "Goals: " + "; ".join(goals) + "."]
    missed = run.get("missed_by_field") or {}
    if missed:
        lines += [
            "",
            "Fields left null although the page says them: "
            + ", ".join(f"{field} {count}" for field, count in missed.items())
            + ".",
        ]
    wrong = run.get("wrong") or []
    lines += ["", f"Fields read wrong: {len(wrong)}" + (":" if wrong else ".")]
    if wrong:
        lines += ["", "| sample | field | read | truth |", "| --- | --- | --- | --- |"]
        for w in wrong[:WRONG_SHOWN]:
            lines.append(f"| {w['sample']} | {w['field']} | {w['read']} | {w['truth']} |")
        if len(wrong) > WRONG_SHOWN:
            lines.append(f"| … {len(wrong) - WRONG_SHOWN} more in the results file | | | |")
    if run.get("unreadable"):
        lines += ["", "Unreadable: " + ", ".join(f"{u['sample']} ({u['key']})" for u in run["unreadable"])]
    return lines


def _reading(runs: list[dict[str, Any]]) -> list[str]:
    """The reader on the generated corpus (issue 21): precision and recall per source, the fields it got wrong; the
    same on the held-out and the fresh corpus."""
    lines: list[str] = []
    for run in runs:
        ocr = run.get("ocr") or {}
        tesseract = f"Tesseract {ocr.get('tesseract')} with `ind`" if ocr.get("available") else "no Tesseract"
        built = _fmt(run.get("build_seconds"), " s")
        lines += [
            "",
            "## Reading documents (issue 21)",
            "",
            f"`python -m benchmarks reading` on {run.get('date')} (commit {run.get('commit')}), {tesseract}: "
            f"{run.get('documents')} documents generated by tests/corpus (built in {built}),",
            "each read in-process by `read_files`; a field proposed (not null) is correct when it equals the truth,",
            "precision = correct / proposed, recall = correct / fields whose truth is not null. Pages per second",
            "count the document's pages over the reading's wall time.",
            "",
        ]
        lines += _reading_table(run)
        isolated = run.get("isolated") or []
        if isolated:
            parts = []
            for label, kinds in (("text", ("pdf", "docx")), ("scans and photos", ("scan", "photo"))):
                chosen = [i for i in isolated if i.get("kind") in kinds]
                if chosen:
                    child = sum(i["isolated_seconds"] for i in chosen) / len(chosen)
                    own = sum(i["in_process_seconds"] for i in chosen) / len(chosen)
                    parts.append(
                        f"{label}, {len(chosen)} documents: {child:.2f} s each in the child against {own:.2f} s "
                        "in-process"
                    )
            same = sum(bool(i["same_fields"]) for i in isolated)
            lines += [
                "",
                "In a child process (`read_isolated`, what the chat and `klambi read` use): "
                + "; ".join(parts)
                + f"; the same fields for {same} of {len(isolated)}.",
            ]
        holdout = run.get("holdout")
        if holdout:
            lines += [
                "",
                f"### Held-out layouts: {holdout.get('documents')} documents, seed {holdout.get('seed')}",
                "",
                "Laid out with tests/corpus/templates/holdout/ (other titles, closings and nomor forms, written after",
                "the reader was tuned on the main corpus): how the reader does on wordings it has not met.",
                "",
            ]
            lines += _reading_table(holdout)
        fresh = run.get("fresh")
        if fresh:
            lines += [
                "",
                f"### Fresh layouts: {fresh.get('documents')} documents, seed {fresh.get('seed')}",
                "",
                "Laid out with tests/corpus/templates/fresh/ (a third set: other desa, titles wrapped otherwise,",
                'a Berita Acara cover, "02 Oktober 2024" and "2 Okt. 2024", a.n. signatures, more noise), written',
                "apart from the reader after the held-out set had been used to tune it.",
                "",
            ]
            lines += _reading_table(fresh)
    return lines

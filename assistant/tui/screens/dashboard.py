"""The dashboard: key figures, aging by payer and denials by category and payer, as charts and tables.

Everything comes from the reports (`Services.report`); each report is drawn as it arrives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static, TabbedContent, TabPane
from textual_plotext import PlotextPlot

from assistant.tui.columns import money
from assistant.tui.widgets.footer import KeysFooter
from assistant.tui.workers import ReportsWorkerErrors

if TYPE_CHECKING:
    from assistant.services import Services
    from assistant.tui.app import ArApp

REPORTS = ("kpis", "aging", "denials")
KPI_KEYS = ("ar_balance", "days_in_ar", "ar_over_90", "ar_over_120", "denial_rate", "clean_claim_rate",
            "net_collection_rate", "days_to_payment", "appeal_overturn_rate")
DENIAL_KEYS = ("denial_rate", "denial_rate_dollars", "denied", "claims_denied", "claims_adjudicated")
TOP_BARS = 8


def value_text(value: Any, kind: str) -> str:
    """A report value as the screen shows it; None (nothing to divide by) is '-'."""
    if value is None:
        return "-"
    if kind == "money":
        return money(value)
    if kind == "rate":
        return f"{value:.1f}%"
    if kind == "days":
        return f"{value:g} days"
    if kind == "count":
        return f"{value:,}"
    return str(value).replace("_", " ")  # categories and actions are stored with underscores


def money_ticks(values: Sequence[float], count: int = 4) -> tuple[list[float], list[str]]:
    """Axis ticks for dollar amounts at round steps up past the largest, labelled as money
    ($0, $20k, $40k, $60k) rather than plotext's bare numbers."""
    top = max((float(v or 0) for v in values), default=0.0)
    if top <= 0:
        return [0.0], ["$0"]
    raw = top / count
    magnitude = 10 ** (len(str(int(raw))) - 1)
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    ticks = [step * i for i in range(int(-(-top // step)) + 1)]
    return ticks, [_short_money(t) for t in ticks]


def _short_money(amount: float) -> str:
    if amount >= 1_000_000:
        return f"${amount / 1_000_000:,.3g}M"
    return f"${amount / 1000:,.3g}k" if amount >= 1000 else f"${amount:,.0f}"


def section(report: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    return next((s for s in report.get("sections", []) if s["name"] == name), None)


def column(sec: Mapping[str, Any], key: str) -> list[Any]:
    keys = [c["key"] for c in sec["columns"]]
    return [row[keys.index(key)] for row in sec["rows"]] if key in keys else []


def _report(services: Services, name: str) -> dict[str, Any]:
    return services.report(name)


class Figure(Static):
    """One key figure: the number, its name, and the fact sheet's target."""

    def show(self, figure: Mapping[str, Any]) -> None:
        parts: list[str | Content] = [
            Content.styled(value_text(figure["value"], figure["kind"]), "bold $text-accent"), "\n",
            Content(figure["label"])]
        if figure.get("target"):
            parts += ["\n", Content.styled(f"target {figure['target']}", "$text-muted")]
        self.update(Content.assemble(*parts))


class DashboardScreen(ReportsWorkerErrors, Screen[None]):
    app: ArApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="dashboard.back"),
        Binding("1", "tab('overview')", "Overview", id="dashboard.overview"),
        Binding("2", "tab('aging')", "Aging", id="dashboard.aging"),
        Binding("3", "tab('denials')", "Denials", id="dashboard.denials"),
        Binding("r", "reload", "Refresh", id="dashboard.reload"),
    ]

    class ReportLoaded(Message):
        def __init__(self, name: str, report: dict[str, Any]) -> None:
            super().__init__()
            self.name = name
            self.report = report

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="overview"):
            with TabPane("Overview", id="overview"), VerticalScroll():
                yield Grid(*[Figure("…", id=f"kpi-{key}", classes="figure") for key in KPI_KEYS],
                           id="kpi-grid")
                with Horizontal(classes="charts"):
                    yield PlotextPlot(id="chart-aging")
                    yield PlotextPlot(id="chart-categories")
            with TabPane("Aging by payer", id="aging"), VerticalScroll():
                yield PlotextPlot(id="chart-aging-payers", classes="tall-chart")
                yield DataTable(id="table-aging", zebra_stripes=True)
            with TabPane("Denials", id="denials"), VerticalScroll():
                yield Static(id="denial-figures")
                with Horizontal(classes="charts"):
                    yield PlotextPlot(id="chart-denial-payers")
                    yield DataTable(id="table-categories", zebra_stripes=True)
                yield DataTable(id="table-denial-payers", zebra_stripes=True)
                yield Static("Top root causes and their upstream fix", classes="section-title")
                yield Static(id="root-causes")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="dashboard", exit_on_error=False)
    def load(self) -> None:
        for name in REPORTS:
            self.post_message(self.ReportLoaded(name, self.app.gate.call(partial(_report, name=name))))

    def on_dashboard_screen_report_loaded(self, message: ReportLoaded) -> None:
        {"kpis": self._kpis, "aging": self._aging, "denials": self._denials}[message.name](message.report)

    # ------------------------------------------------------------------ drawing

    def _kpis(self, report: Mapping[str, Any]) -> None:
        figures = {f["key"]: f for f in report["figures"]}
        for key in KPI_KEYS:
            if key in figures:
                self.query_one(f"#kpi-{key}", Figure).show(figures[key])

    def _aging(self, report: Mapping[str, Any]) -> None:
        buckets = report["buckets"]
        labels = [b["label"] for b in buckets]
        plot = self.query_one("#chart-aging", PlotextPlot)
        plt = plot.plt
        plt.clear_figure()
        plt.bar(labels, [b["balance"] for b in buckets])
        plt.yticks(*money_ticks([b["balance"] for b in buckets]))
        plt.title(f"Open AR by age of service: {money(report['total_balance'])}")
        plot.refresh()
        payers = report["by_payer"][:TOP_BARS]
        plot = self.query_one("#chart-aging-payers", PlotextPlot)
        plt = plot.plt
        plt.clear_figure()
        if payers:
            plt.stacked_bar([p["payer"][:18] for p in payers],
                            [[p["buckets"][i]["balance"] for p in payers] for i in range(len(labels))],
                            labels=labels, orientation="horizontal")  # type: ignore[call-arg]  # stub says label
            plt.xticks(*money_ticks([p["total_balance"] for p in payers]))
        plt.title("Open balance by payer and age")
        plot.refresh()
        self._table("#table-aging", ["Payer", *labels, "Total", "Claims"],
                    [[p["payer"], *[money(b["balance"]) for b in p["buckets"]], money(p["total_balance"]),
                      f"{p['total_claims']:,}"] for p in report["by_payer"]])

    def _denials(self, report: Mapping[str, Any]) -> None:
        figures = [f for f in report["figures"] if f["key"] in DENIAL_KEYS]
        self.query_one("#denial-figures", Static).update(Content("   ").join(
            Content.assemble(Content.styled(value_text(f["value"], f["kind"]), "bold"), f" {f['label']}")
            for f in figures))
        by_category = section(report, "by_category")
        self._bars("#chart-categories", "Denied dollars by category", by_category)
        self._section_table("#table-categories", by_category)
        by_payer = section(report, "by_payer")
        self._bars("#chart-denial-payers", "Denied dollars by payer", by_payer)
        self._section_table("#table-denial-payers", by_payer)
        causes = section(report, "root_causes")
        self.query_one("#root-causes", Static).update(self._causes(causes))

    def _bars(self, selector: str, title: str, sec: Mapping[str, Any] | None) -> None:
        plot = self.query_one(selector, PlotextPlot)
        plt = plot.plt
        plt.clear_figure()
        if sec is not None:
            money_key = next((c["key"] for c in sec["columns"] if c["kind"] == "money"
                              and "denied" in c["key"]), None)
            if money_key:
                names = [str(v).replace("_", " ")[:18]
                         for v in column(sec, sec["columns"][0]["key"])][:TOP_BARS]
                amounts = [v or 0 for v in column(sec, money_key)][:TOP_BARS]
                plt.bar(names, amounts, orientation="horizontal")
                plt.xticks(*money_ticks(amounts))
        plt.title(title)
        plot.refresh()

    def _section_table(self, selector: str, sec: Mapping[str, Any] | None) -> None:
        if sec is None:
            return
        shown = [c for c in sec["columns"] if not c["long"]]
        keys = [c["key"] for c in sec["columns"]]
        rows = [[value_text(row[keys.index(c["key"])], c["kind"]) for c in shown] for row in sec["rows"]]
        self._table(selector, [c["label"] for c in shown], rows)

    def _table(self, selector: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        table = self.query_one(selector, DataTable)
        table.clear(columns=True)
        table.add_columns(*headers)
        table.add_rows(rows)

    @staticmethod
    def _causes(sec: Mapping[str, Any] | None) -> Content:
        """Each root cause in a sentence, what it cost, and the one change upstream that stops it."""
        if sec is None or not sec["rows"]:
            return Content.styled("No denials to trace.", "$text-muted")
        keys = [c["key"] for c in sec["columns"]]
        lines = []
        for row in sec["rows"][:TOP_BARS]:
            cell = dict(zip(keys, row, strict=True))
            lines.append(Content.assemble(
                Content.styled(f"{cell.get('rank', '')}. {money(cell.get('denied'))}  ", "bold"),
                str(cell.get("summary") or ""), "\n   ",
                Content.styled(f"fix: {cell.get('fix') or '-'}", "$text-success")))
        return Content("\n").join(lines)

    # ------------------------------------------------------------------ actions

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_back(self) -> None:
        self.dismiss(None)

    def action_reload(self) -> None:
        self.load()

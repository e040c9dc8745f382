"""The `capa` command: one Typer app with a sub-app per noun."""

from __future__ import annotations

import typer

from capaflow.cli import admin, audits, cases, costs, demo, incidents, notify, scorecards, suppliers
from capaflow.cli.defects import app as defect_app
from capaflow.cli.extensions import app as extension_app
from capaflow.cli.inspect import app as inspect_app
from capaflow.cli.kpis import app as kpi_app
from capaflow.cli.review import review_app
from capaflow.cli.service import customer_app, person_app, service_app
from capaflow.cli.service_report import service_report_command  # noqa: F401  (adds report, digest)
from capaflow.cli.spotchecks import spotcheck_app
from capaflow.cli.standards import finding_app, round_app, standard_app
from capaflow.cli.sweep import sweep_command
from capaflow.cli.training import training_app
from capaflow.cli.triage import list_command  # noqa: F401  (adds defect list, reclassify, merge, close)
from capaflow.cli.users import token_app, user_app
from capaflow.cli.web import web_command
from capaflow.cli.workchecks import work_app

app = typer.Typer(
    name="capa",
    help="capaflow: 8D corrective actions, PDCA cycles and service requests with deadlines that "
    "drive themselves.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(admin.db_app, name="db")
app.add_typer(suppliers.app, name="supplier")
app.add_typer(cases.app, name="case")
app.add_typer(admin.lifecycle_app, name="lifecycle")
app.add_typer(admin.audit_app, name="audit")
app.add_typer(admin.config_app, name="config")
app.add_typer(demo.app, name="demo")
app.add_typer(notify.app, name="notify")
app.add_typer(defect_app, name="defect")
app.add_typer(inspect_app, name="inspect")
app.add_typer(scorecards.app, name="scorecard")
app.command("sweep")(sweep_command)
app.add_typer(audits.app, name="supplier-audit")
app.add_typer(costs.app, name="cost")
app.command("chargeback")(costs.chargeback_command)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.command("web")(web_command)
app.add_typer(customer_app, name="customer")
app.add_typer(person_app, name="person")
app.add_typer(service_app, name="service")
app.add_typer(training_app, name="training")
app.add_typer(standard_app, name="standard")
app.add_typer(round_app, name="round")
app.add_typer(finding_app, name="finding")
app.add_typer(work_app, name="work")
app.add_typer(spotcheck_app, name="spotcheck")
app.add_typer(incidents.app, name="incident")
app.add_typer(review_app, name="review")
app.add_typer(kpi_app, name="kpi")
app.add_typer(extension_app, name="extension")


def main() -> None:
    app()

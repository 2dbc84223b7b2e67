"""The deployment files an operator applies: Kubernetes manifests valid against the API schemas (the
`kubernetes-validate` package ships them; no cluster needed), probes and limits where they must be, alert
rules and dashboard queries that parse as PromQL and use metrics the service really exports.
`make validate-deploy` adds promtool's own checks and the alert unit tests (deploy/prometheus/)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import kubernetes_validate
import promql_parser
import pytest
import yaml

from phuket.cli import COMMANDS, _load_feature_commands

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
K8S_VERSION = "1.30.0"
MANIFESTS = sorted(p for p in (DEPLOY / "k8s").glob("*.yaml") if p.name != "kustomization.yaml")


def documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def resources() -> dict[tuple[str, str], dict[str, Any]]:
    found = {}
    for path in MANIFESTS:
        for doc in documents(path):
            found[(doc["kind"], doc["metadata"]["name"])] = doc
    return found


def pod_spec(resource: dict[str, Any]) -> dict[str, Any]:
    if resource["kind"] == "CronJob":
        return dict(resource["spec"]["jobTemplate"]["spec"]["template"]["spec"])
    return dict(resource["spec"]["template"]["spec"])


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_manifests_are_valid_kubernetes_objects(path: Path) -> None:
    for doc in documents(path):
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_kustomization_lists_every_manifest() -> None:
    listed = set(yaml.safe_load((DEPLOY / "k8s" / "kustomization.yaml").read_text())["resources"])
    assert listed == {p.name for p in MANIFESTS}


def test_api_deployment_probes_resources_and_graceful_shutdown() -> None:
    objects = resources()
    api = objects[("Deployment", "phuket-api")]
    spec = pod_spec(api)
    (container,) = spec["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert container["lifecycle"]["preStop"]["exec"]["command"][0] == "sleep"
    pre_stop = int(container["lifecycle"]["preStop"]["exec"]["command"][1])
    # preStop, then uvicorn's 30 s of graceful shutdown, must fit in the grace period.
    assert spec["terminationGracePeriodSeconds"] >= pre_stop + 30
    assert spec["securityContext"]["runAsNonRoot"] is True
    hpa = objects[("HorizontalPodAutoscaler", "phuket-api")]["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 20)
    assert hpa["scaleTargetRef"]["name"] == "phuket-api"
    pdb = objects[("PodDisruptionBudget", "phuket-api")]["spec"]
    assert pdb["selector"]["matchLabels"] == api["spec"]["selector"]["matchLabels"]


def test_every_container_has_requests_and_limits_and_runs_a_real_command() -> None:
    _load_feature_commands()
    for (kind, name), resource in resources().items():
        if kind not in {"Deployment", "Job", "CronJob"}:
            continue
        for container in pod_spec(resource)["containers"]:
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][bound]), (name, bound)
            command = " ".join(container["command"])
            for used in re.findall(r"phuket ([a-z-]+)", command):
                assert used in COMMANDS, (name, used)
    assert "phuket db upgrade" in " ".join(
        pod_spec(resources()[("Job", "phuket-migrate")])["containers"][0]["command"]
    )
    assert pod_spec(resources()[("Deployment", "phuket-worker")])["containers"][0]["command"] == [
        "phuket",
        "worker",
    ]


def test_config_and_secrets_are_separate_and_no_secret_is_committed() -> None:
    objects = resources()
    config = objects[("ConfigMap", "phuket-config")]["data"]
    secret_like = re.compile(r"(SECRET|PASSWORD|_KEY$|DATABASE_URL)")
    assert not [key for key in config if secret_like.search(key)]
    secret = objects[("Secret", "phuket-secrets")]["stringData"]
    assert "PHUKET_SECRET_KEY" in secret and "PHUKET_DATABASE_URL" in secret
    assert set(secret.values()) == {"replace-me"}


def test_compose_runs_the_full_stack() -> None:
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    assert {"api", "worker", "postgres", "redis", "minio", "migrate"} <= set(compose["services"])
    assert compose["services"]["worker"]["command"] == ["phuket", "worker"]
    assert compose["services"]["api"]["command"][:2] == ["phuket", "serve"]


def test_dockerfile_is_multi_stage_slim_non_root_with_a_healthcheck() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)", text, re.MULTILINE)
    assert len(stages) >= 2 and all("slim" in image for image in stages)
    user = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert user and not user[-1].startswith(("root", "0"))
    assert re.search(r"^HEALTHCHECK .*", text, re.MULTILINE) and "/health/live" in text


def _metric_names(expr: str) -> set[str]:
    return set(re.findall(r"\b(phuket_[a-z_]+)", expr))


@pytest.fixture
async def exported(client: httpx.AsyncClient) -> set[str]:
    from phuket.core import metrics

    metrics.BOOKINGS_CREATED.inc(0)
    metrics.set_breaker_state("ops-test", "closed")
    await client.get("/health/live")
    text = (await client.get("/metrics")).text
    # Declared families (`# TYPE`, present even before their first sample) and sampled series.
    return set(re.findall(r"^(?:# TYPE )?(phuket_[a-z_]+)", text, re.MULTILINE))


def _queries() -> list[tuple[str, str]]:
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    found = [
        (rule.get("alert") or rule["record"], rule["expr"]) for g in rules["groups"] for rule in g["rules"]
    ]
    dashboard = json.loads((DEPLOY / "grafana" / "phuket-dashboard.json").read_text())
    for panel in dashboard["panels"]:
        found += [(panel["title"], target["expr"]) for target in panel["targets"]]
    return found


def test_alert_rules_cover_the_seed_thresholds() -> None:
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    alerts = {rule["alert"]: rule["expr"] for g in rules["groups"] for rule in g["rules"] if "alert" in rule}
    expected = {
        "PhuketApiLatencyHigh": "> 1",
        "PhuketApiErrorRateHigh": "> 0.01",
        "PhuketDbPoolNearlyExhausted": "> 0.9",
        "PhuketMemoryHigh": "> 0.85",
        "PhuketCpuHigh": "> 0.8",
    }
    for name, threshold in expected.items():
        assert threshold in alerts[name], name


async def test_queries_parse_and_use_only_exported_metrics(exported: set[str]) -> None:
    for name, expr in _queries():
        promql_parser.parse(expr.replace("$__rate_interval", "5m"))
        for metric in _metric_names(expr):
            base = re.sub(r"_(bucket|count|sum|total)$", "", metric)
            assert metric in exported or base in exported, (name, metric)

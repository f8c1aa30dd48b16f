"""Security headers on every response, and pages that need nothing the Content-Security-Policy refuses.

The browser test (tests/browser/test_csp.py) proves the pages run without a CSP violation; these
check the headers of each kind of response and that no template brings back inline code.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from goodpath.core.security_headers import CONTENT_SECURITY_POLICY
from goodpath.web.rendering import VENDOR_DIR, WEB_DIR

EXPECTED = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


@pytest.fixture
def app(db):
    from goodpath.api import app

    return app


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def test_the_policy_allows_scripts_and_styles_from_the_app_only():
    policy = directives(CONTENT_SECURITY_POLICY)
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no CDN
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]


RESPONSES = [
    ("/health", {}, "application/json"),
    ("/parties", {"Accept": "application/json"}, "application/json"),  # 401 from the API
    ("/no/such/route", {}, "application/json"),  # 404
    ("/", {"Accept": "text/html"}, "text/html"),  # the public register page
    ("/login", {"Accept": "text/html"}, "text/html"),
    ("/ui/cases", {"Accept": "text/html"}, "text/html"),  # redirect to the login page, followed
    ("/static/goodpath.js", {}, "text/javascript"),
    ("/static/goodpath.css", {}, "text/css"),
    ("/docs", {}, "text/html"),
    ("/openapi.json", {}, "application/json"),
]


def test_every_kind_of_response_carries_the_headers(app):
    client = TestClient(app)
    for path, headers, kind in RESPONSES:
        response = client.get(path, headers=headers)
        assert response.headers["content-type"].startswith(kind), (path, response.headers["content-type"])
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, path
        for name, value in EXPECTED.items():
            assert response.headers[name] == value, (path, name)
        assert "strict-transport-security" not in response.headers, path  # plain http: HSTS would mean nothing


def test_redirects_and_errors_carry_them_too(app):
    client = TestClient(app, follow_redirects=False)
    redirect = client.get("/ui/cases", headers={"Accept": "text/html"})
    assert redirect.status_code == 303 and redirect.headers["x-frame-options"] == "DENY"
    refused = client.post("/auth/login", json={"username": "nobody", "password": "x" * 12})
    assert refused.status_code == 401 and refused.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_hsts_only_over_https(app):
    response = TestClient(app, base_url="https://testserver").get("/health")
    assert response.headers["strict-transport-security"] == "max-age=63072000; includeSubDomains"


def test_docs_are_served_from_vendored_files_without_inline_script(app):
    assert (VENDOR_DIR / "swagger-ui-bundle.js").is_file(), "run `make vendor`"
    html = TestClient(app).get("/docs").text
    sources = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
    assert sources and all('src="/static/' in attributes and not body.strip() for attributes, body in sources)
    assert "cdn" not in html.lower() and "http" not in html
    assert 'data-openapi-url="/openapi.json"' in html
    assert TestClient(app).get("/redoc").status_code == 404  # FastAPI's CDN pages are gone


TEMPLATES = sorted((WEB_DIR / "templates").glob("*.html"))
INLINE_CODE = [
    (re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "an inline script"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an inline event handler"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"<style\b", re.I), "a style element"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
    (re.compile(r"\shx-on", re.I), "an htmx inline handler (needs eval)"),
]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_no_template_has_inline_code_or_style(template):
    text = template.read_text(encoding="utf-8")
    for pattern, what in INLINE_CODE:
        found = pattern.search(text)
        assert found is None, f"{template.name} has {what}: {found.group(0)!r} (move it to /static)"

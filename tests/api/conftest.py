"""Helpers for the API's own tests: clients with a token or a session, and answers read as Problems."""

from django.test import Client

from yishi.people.tokens import issue_token

API = "/api/v1"
BACKEND = "yishi.people.backends.PhonePasswordBackend"


def anonymous() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def with_token(person) -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION=f"Bearer {issue_token(person)}")


def with_session(person, **kwargs) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en", **kwargs)
    client.force_login(person, backend=BACKEND)
    return client


def send(client, method: str, path: str, data=None):
    return getattr(client, method)(
        f"{API}{path}", data if data is not None else {}, content_type="application/json"
    )


def ok(response, status: int = 200):
    assert response.status_code == status, response.content.decode()
    return response.json()


def problem(response, status: int, code: str) -> dict:
    """The answer is a Problem of this status and code, in JSON, with words in ``detail``."""
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert body["code"] == code, body
    assert isinstance(body["detail"], str) and body["detail"], body
    return body

"""Replays of one submit, the way a double tap or a retrying 3G link sends them: one after the other, or all at
once from parallel connections (threads with their own logged-in client and database session)."""

import re
import threading

from blueprints.demo import DEMO_PASSWORD

KEY = re.compile(r'name="submission_key"[^>]*value="([^"]+)"')


def form_key(client, url: str) -> str:
    """The submission key the form page at ``url`` renders."""
    page = client.get(url)
    found = KEY.search(page.get_data(as_text=True))
    assert found, f"{url} renders no submission key"
    return found.group(1)


def logged_in(app, username: str):
    client = app.test_client()
    assert client.post("/masuk", data={"username": username, "password": DEMO_PASSWORD}).status_code == 302
    return client


def replay_parallel(app, username: str, url: str, data, n: int = 20, **post_kwargs) -> list:
    """POST ``data`` to ``url`` from ``n`` clients at the same moment; returns the responses. ``data`` may be a
    callable returning a fresh body (an upload needs its own file object per request)."""
    clients = [logged_in(app, username) for _ in range(n)]
    barrier = threading.Barrier(n)
    responses: list = [None] * n
    errors: list = []

    def run(i):
        try:
            barrier.wait(timeout=30)
            body = data() if callable(data) else dict(data)
            responses[i] = clients[i].post(url, data=body, **post_kwargs)
        except Exception as exc:  # noqa: BLE001  (reported below, with the thread's exception)
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return responses


def replay_sequential(client, url: str, data, n: int = 20, **post_kwargs) -> list:
    return [client.post(url, data=data() if callable(data) else dict(data), **post_kwargs) for _ in range(n)]

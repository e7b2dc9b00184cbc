"""Load mix for `bench/loadtest.py`: municipal contacts browsing, registering and downloading.

Each simulated user logs in as one of the demo contacts (contact.<code>@example.fi) and then, with
1–3 s of think time, opens the dashboard, the event list, an event, registers a new person and
cancels again, opens the workshops and downloads an invoice PDF.
"""

import itertools
import os
import re
import uuid

from locust import FastHttpUser, between, task

CODES = os.environ.get("LOAD_CONTACT_CODES", "980").split(",")
EVENT_ID = os.environ.get("LOAD_EVENT_ID", "1")
_next_code = itertools.cycle(CODES)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Contact(FastHttpUser):
    # geventhttpclient: the load generator shares the 2 cores with the server, and costs several
    # times less CPU per request than the requests-based HttpUser.
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.code = next(_next_code)
        page = self.client.get("/", name="login page").text
        self.client.post(
            "/",
            {"csrfmiddlewaretoken": CSRF.search(page).group(1),
             "username": f"contact.{self.code}@example.fi", "password": "uso-demo-2021"},
            headers={"Referer": f"{self.host}/"},
            name="login",
        )  # fmt: skip
        invoices = self.client.get("/portal/invoices/", name="first invoice list").text
        self.pdfs = re.findall(r'href="(/portal/invoices/\d+/pdf/)"', invoices)

    def token(self, path: str) -> str:
        return CSRF.search(self.client.get(path, name="event page").text).group(1)

    @task(4)
    def dashboard(self) -> None:
        self.client.get("/portal/", name="dashboard")

    @task(3)
    def events(self) -> None:
        self.client.get("/portal/events/", name="event list")

    @task(1)
    def register_and_cancel(self) -> None:
        path = f"/portal/events/{EVENT_ID}/"
        data = {
            "csrfmiddlewaretoken": self.token(path),
            "name": "Kuormitus Testi",
            "email": f"load-{uuid.uuid4().hex[:12]}@example.fi",
            "role": "official",
        }
        response = self.client.post(
            f"{path}register/",
            data,
            headers={"HX-Request": "true", "Referer": self.host},
            name="register",
        )
        ids = re.findall(r"/portal/registrations/(\d+)/cancel/", response.text)
        if ids:
            token = CSRF.search(response.text).group(1)
            self.client.post(
                f"/portal/registrations/{ids[-1]}/cancel/",
                {"csrfmiddlewaretoken": token},
                headers={"HX-Request": "true", "Referer": self.host},
                name="cancel",
            )

    @task(2)
    def workshops(self) -> None:
        self.client.get("/portal/workshops/", name="workshops")

    @task(1)
    def invoice_pdf(self) -> None:
        if self.pdfs:
            self.client.get(self.pdfs[0], name="invoice PDF")

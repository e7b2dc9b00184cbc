"""The portal's shared PDF set-up: fonts once per thread, nothing fetched by default."""

import io
import threading

from pypdf import PdfReader

from uso_portal.pdf import fetch_nothing, shared_font_config, write_pdf


def test_the_font_configuration_is_made_once_per_thread():
    assert shared_font_config() is shared_font_config()
    other = []
    thread = threading.Thread(target=lambda: other.append(shared_font_config()))
    thread.start()
    thread.join()
    assert other[0] is not shared_font_config()


def test_a_document_renders_without_fetching_what_it_names(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG not really")
    html = f'<p>Kirje</p><img src="{secret.as_uri()}"><img src="http://example.invalid/x.png">'

    pdf = write_pdf(html)

    reader = PdfReader(io.BytesIO(pdf))
    assert "Kirje" in reader.pages[0].extract_text()
    assert not reader.pages[0].images  # neither the file nor the address was fetched
    assert fetch_nothing() is fetch_nothing()  # one fetcher (and SSL context) per process

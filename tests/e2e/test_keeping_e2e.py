"""Browser test of the Saving and exporting page: the shipped CNN is exported to ONNX, the page reports the
largest difference from PyTorch, and the download button hands over the .onnx file itself."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import goto

pytestmark = pytest.mark.e2e


def test_the_shipped_cnn_exports_to_onnx_and_downloads(page, server_url, tmp_path):
    goto(page, server_url, "keeping", "en")
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=60_000)  # the .pth's table
    page.locator(".st-key-keeping_export button").click()
    download_button = page.locator(".st-key-keeping_download button")
    download_button.wait_for(timeout=120_000)  # the first export imports the ONNX exporter: seconds
    assert "largest difference from PyTorch" in page.locator('[data-testid="stMain"]').inner_text()
    with page.expect_download(timeout=60_000) as info:
        download_button.click()
    download = info.value
    assert download.suggested_filename == "cnn_mnist.onnx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    import onnx

    onnx.checker.check_model(onnx.load(str(path)))  # a real ONNX model, not an error page
    assert page.locator('[data-testid="stException"]').count() == 0

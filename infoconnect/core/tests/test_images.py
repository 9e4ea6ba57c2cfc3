"""The one path every image upload goes through (core.images): bounded before it is read or
decoded, stored as its pixels alone under a generated name."""

import io
import re
import tracemalloc

import pytest
from PIL import Image

from infoconnect.core import images
from infoconnect.core.errors import DomainError
from infoconnect.core.images import KINDS, MAX_PIXELS, clean_image
from infoconnect.core.tests.images import (
    TRAILER,
    assert_clean,
    gif_bytes,
    photo_with_gps,
    png_with_text,
    upload,
)

GENERATED = re.compile(r"[0-9a-f]{24}\.(jpg|png|webp)")


def refused(code: str, data, kind: str = "product") -> DomainError:
    with pytest.raises(DomainError) as error:
        clean_image(data, kind)
    assert error.value.code == code
    return error.value


@pytest.mark.parametrize(("fmt", "out"), [("JPEG", "JPEG"), ("WEBP", "WEBP")])
def test_exif_gps_and_camera_tags_are_dropped(fmt, out):
    clean = clean_image(upload(photo_with_gps(fmt)), "product")
    assert (clean.format, clean.image.size) == (out, (640, 480))
    assert_clean(clean.data)
    assert_clean(clean.thumbnail((100, 100)).read())


def test_png_text_chunks_are_dropped_and_transparency_kept():
    clean = clean_image(upload(png_with_text(), "a.png", "image/png"), "review")
    assert_clean(clean.data)
    with Image.open(io.BytesIO(clean.data)) as stored:
        assert (stored.format, stored.mode) == ("PNG", "RGBA")
        assert stored.getpixel((0, 0)) == (10, 200, 10, 128)


def test_an_icc_profile_and_a_jpeg_comment_are_dropped():
    out = io.BytesIO()
    Image.new("RGB", (50, 50), "red").save(
        out, "JPEG", icc_profile=b"\0" * 128 + b"SecretMaker", comment=b"SecretCam X100"
    )
    assert b"SecretMaker" in out.getvalue()
    assert_clean(clean_image(upload(out.getvalue()), "campaign").data)


@pytest.mark.parametrize(
    "data", [photo_with_gps() + TRAILER, png_with_text() + TRAILER], ids=["jpeg", "png"]
)
def test_bytes_after_the_image_end_are_gone(data):
    clean = clean_image(upload(data), "product")
    assert TRAILER not in clean.data
    assert_clean(clean.data)


def test_a_gif_named_pdf_becomes_a_png_under_a_generated_name():
    clean = clean_image(upload(gif_bytes(), "promo.pdf", "application/pdf"), "campaign")
    assert (clean.format, clean.content_type) == ("PNG", "image/png")
    assert GENERATED.fullmatch(clean.name) and "promo" not in clean.name
    assert clean.file().name == clean.name
    with Image.open(io.BytesIO(clean.data)) as stored:
        assert stored.format == "PNG"


def test_every_name_is_generated_and_the_extension_is_the_output_format():
    names = set()
    for data, name in (
        (photo_with_gps(), "../../etc/passwd.jpg"),
        (photo_with_gps("WEBP"), "x.exe"),
        (png_with_text(), "ok.jpeg"),
        (gif_bytes(), "a.gif"),
    ):
        for kind in KINDS:
            if kind == "licence" and name == "a.gif":
                continue
            clean = clean_image(upload(data, name), kind)
            assert GENERATED.fullmatch(clean.name)
            assert clean.name.endswith("." + images.EXTENSIONS[clean.format])
            assert clean.thumbnail((64, 64)).name.startswith(clean.name.split(".")[0])
            names.add(clean.name)
    assert len(names) == 4 * len(KINDS) - 1


class Unreadable(io.BytesIO):
    """An upload whose bytes must not be touched."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size
        self.name = "huge.png"

    def read(self, *args):
        raise AssertionError("the upload was read")

    def seek(self, *args):
        raise AssertionError("the upload was read")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_over_the_kinds_byte_limit_is_refused_before_it_is_read(kind):
    limit = KINDS[kind].max_bytes
    error = refused("image_too_large", Unreadable(limit + 1), kind)
    assert error.status == 413
    assert f"{limit // (1024 * 1024)} MB" in error.message


def test_a_40_mb_product_image_is_refused_before_it_is_read():
    refused("image_too_large", Unreadable(40 * 1024 * 1024))


def test_pillows_own_bomb_check_bites_at_the_same_cap():
    assert Image.MAX_IMAGE_PIXELS == MAX_PIXELS
    assert MAX_PIXELS * 4 <= 100 * 1000 * 1000


def _big_png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("L", (width, height)).save(out, "PNG", optimize=True)
    return out.getvalue()


def test_a_6300_square_png_is_refused_within_the_memory_bound():
    data = _big_png(6300, 6300)
    assert len(data) < 200 * 1024
    tracemalloc.start()
    try:
        refused("image_too_many_pixels", upload(data, "bomb.png", "image/png"))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100 * 1000 * 1000


def test_pixels_past_the_cap_are_refused_even_within_the_side_limit():
    # 5000 × 5000 is within the product's 6000 a side but 25 megapixels in all.
    refused("image_too_many_pixels", upload(_big_png(5000, 5000), "b.png", "image/png"))


def test_what_is_not_an_accepted_image_is_refused():
    bmp = io.BytesIO()
    Image.new("RGB", (10, 10)).save(bmp, "BMP")
    for data in (b"<?php echo 1; ?>", b"", bmp.getvalue(), photo_with_gps()[:300]):
        refused("invalid_image", upload(data))
    refused("invalid_image", upload(gif_bytes(), "l.gif"), "licence")


def test_a_callers_own_codes_replace_core_ones_and_name_the_field():
    from infoconnect.accounts.errors import AccountsError
    from infoconnect.core.images import ImageRefused

    with pytest.raises(DomainError) as error:
        clean_image(
            upload(b"nope"),
            "avatar",
            errors={ImageRefused.NOT_IMAGE: AccountsError.AVATAR_NOT_IMAGE},
            field="avatar",
        )
    assert error.value.code == "avatar_not_image"
    assert error.value.fields == {"avatar": [error.value.message]}


_PEAK_SCRIPT = """
import os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from infoconnect.core.images import KINDS, reencode
def peak():
    # The high-water mark of this process's resident memory, in bytes (Linux).
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024
with open(sys.argv[1], "rb") as source:
    data = source.read()
before = peak()
kind = KINDS["product"]
kind = type(kind)(kind.name, max_bytes=len(data) + 1, max_side=kind.max_side)
reencode(SimpleUploadedFile("x", data), kind)
print(peak() - before)
"""


@pytest.mark.parametrize(
    "side, fmt, mode",
    [(3460, "PNG", "RGBA"), (4890, "JPEG", "RGB")],
    ids=["png-at-its-12-megapixel-cap", "jpeg-at-the-24-megapixel-cap"],
)
def test_one_image_at_the_cap_costs_the_process_about_100_mb_at_most(side, fmt, mode, tmp_path):
    # Pillow's pixel buffers are C memory, which tracemalloc does not see: the process's peak
    # resident size, in a fresh interpreter, is what the web process would pay.
    import subprocess
    import sys
    from pathlib import Path

    if not Path("/proc/self/status").exists():
        pytest.skip("reads the memory high-water mark from /proc")

    root = Path(__file__).resolve().parents[3]
    picture = tmp_path / "picture"
    # Noise does not compress: the file is as large as the limits allow such a picture to be.
    Image.effect_noise((side, side), 64).convert(mode).save(picture, fmt, compress_level=1)
    done = subprocess.run(
        [sys.executable, "-c", _PEAK_SCRIPT, str(picture)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    grown = int(done.stdout.strip().splitlines()[-1])
    print(f"{fmt} {side}×{side}: +{grown / 1e6:.0f} MB")
    assert grown < 120 * 1000 * 1000, grown

"""Images that carry what an upload must not keep: EXIF GPS and camera tags, text chunks,
an ICC profile, bytes after the image's end."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, PngImagePlugin

CAMERA = "SecretCam X100"
PLACE = "Secret Street 7"
TRAILER = b"TRAILING-SECRET-BYTES"


def exif_with_gps() -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SecretMaker"
    exif[ExifTags.Base.Model] = CAMERA
    exif[ExifTags.Base.Orientation] = 1
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (31.0, 13.0, 49.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (121.0, 28.0, 15.0)
    gps[ExifTags.GPS.GPSAreaInformation] = PLACE
    return exif


def photo_with_gps(fmt: str = "JPEG", size=(640, 480)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, fmt, exif=exif_with_gps())
    return out.getvalue()


def png_with_text(size=(300, 200)) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", PLACE)
    info.add_itxt("Author", CAMERA)
    out = io.BytesIO()
    Image.new("RGBA", size, (10, 200, 10, 128)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def gif_bytes(size=(120, 80)) -> bytes:
    out = io.BytesIO()
    Image.new("P", size, 3).save(out, "GIF", transparency=0)
    return out.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def assert_clean(data: bytes) -> None:
    """Only pixels: no EXIF, GPS, camera, text, ICC or trailing bytes."""
    for secret in (CAMERA.encode(), PLACE.encode(), b"SecretMaker", TRAILER, b"Exif"):
        assert secret not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format in ("JPEG", "PNG", "WEBP")
        assert not image.getexif()
        assert not set(image.info) & {"exif", "icc_profile", "comment", "Comment", "Author", "xmp"}
        assert not getattr(image, "text", {})

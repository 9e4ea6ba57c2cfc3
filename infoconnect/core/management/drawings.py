"""Pictures for the demo, drawn with Pillow when it is seeded: avatars (a portrait's head and
shoulders, or a shop's emblem) and product photographs' stand-ins (a tea tin, a gaiwan, a
keyboard…), so that the demo looks like a shop and a feed rather than a row of letters.

Each is drawn at twice its size and scaled down, which smooths the edges."""

import io
import math
import random

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFilter

SCALE = 2


def _canvas(size: int, top: str, bottom: str) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    """A square with a vertical gradient from ``top`` to ``bottom``."""
    side = size * SCALE
    start, end = Image.new("RGB", (1, 1), top), Image.new("RGB", (1, 1), bottom)
    ramp = Image.linear_gradient("L").resize((side, side))
    image = Image.composite(end.resize((side, side)), start.resize((side, side)), ramp)
    return image, ImageDraw.Draw(image)


def _png(image: Image.Image, size: int, name: str) -> ContentFile:
    out = io.BytesIO()
    image.resize((size, size), Image.Resampling.LANCZOS).save(out, "PNG", optimize=True)
    return ContentFile(out.getvalue(), name=f"{name}.png")


def _shade(colour: str, factor: float) -> tuple[int, int, int]:
    r, g, b = Image.new("RGB", (1, 1), colour).getpixel((0, 0))
    if factor >= 1:
        return tuple(int(c + (255 - c) * (factor - 1)) for c in (r, g, b))
    return tuple(int(c * factor) for c in (r, g, b))


def _shadow(image: Image.Image, box: tuple[int, int, int, int]) -> None:
    """A soft ellipse of shadow under an object standing on the floor."""
    layer = Image.new("L", image.size, 0)
    ImageDraw.Draw(layer).ellipse(box, fill=90)
    layer = layer.filter(ImageFilter.GaussianBlur(image.size[0] // 60))
    image.paste((0, 0, 0), mask=layer)


def _leaf(draw, s: int, centre, length: float, width: float, angle: float, fill, vein) -> None:
    """A tea leaf: a lens between two arcs, tilted by ``angle`` degrees, with its middle vein."""
    cx, cy = centre[0] * s, centre[1] * s
    half, bulge = length * s / 2, width * s / 2
    turn = math.radians(angle)
    steps = [-1 + i / 20 for i in range(41)]
    points = [(t * half, bulge * (1 - t * t)) for t in steps]
    points += [(t * half, -bulge * (1 - t * t)) for t in reversed(steps)]
    rotated = [
        (cx + x * math.cos(turn) - y * math.sin(turn), cy + x * math.sin(turn) + y * math.cos(turn))
        for x, y in points
    ]
    draw.polygon(rotated, fill=fill)
    tip = (cx + half * math.cos(turn), cy + half * math.sin(turn))
    stem = (cx - half * 1.1 * math.cos(turn), cy - half * 1.1 * math.sin(turn))
    draw.line([stem, tip], fill=vein, width=max(2, s // 120))


# Avatars ------------------------------------------------------------------------------


def avatar(kind: str, colour: str, *, seed: str, size: int = 400) -> ContentFile:
    """``kind`` is "person", "tea" (a leaf), "gadgets" (a chip) or "operator" (a shield)."""
    s = size * SCALE
    image, draw = _canvas(size, _shade(colour, 1.35), _shade(colour, 0.8))
    if kind == "person":
        rng = random.Random(seed)
        skin = rng.choice(["#f1c9a5", "#e0ac85", "#c68a62", "#f5d5bd"])
        hair = rng.choice(["#2b2118", "#4a3426", "#1d1d25", "#6b4a2b"])
        shirt = _shade(colour, 0.55)
        draw.ellipse((s * 0.16, s * 0.66, s * 0.84, s * 1.3), fill=shirt)
        draw.rectangle((s * 0.43, s * 0.52, s * 0.57, s * 0.7), fill=skin)
        draw.ellipse((s * 0.29, s * 0.2, s * 0.71, s * 0.66), fill=skin)
        draw.chord((s * 0.27, s * 0.15, s * 0.73, s * 0.6), 180, 360, fill=hair)
        if rng.random() < 0.5:
            draw.rectangle((s * 0.27, s * 0.36, s * 0.33, s * 0.62), fill=hair)
            draw.rectangle((s * 0.67, s * 0.36, s * 0.73, s * 0.62), fill=hair)
        for x in (0.42, 0.58):
            draw.ellipse((s * (x - 0.02), s * 0.42, s * (x + 0.02), s * 0.46), fill="#2b2118")
        draw.arc((s * 0.44, s * 0.47, s * 0.56, s * 0.56), 20, 160, fill="#9c4a3c", width=s // 90)
    elif kind == "tea":
        draw.ellipse((s * 0.14, s * 0.14, s * 0.86, s * 0.86), fill="#fdfaf0")
        _leaf(draw, s, (0.5, 0.5), 0.52, 0.3, -50, "#5f9c3a", "#2f5b1a")
    elif kind == "gadgets":
        draw.rounded_rectangle((s * 0.28, s * 0.28, s * 0.72, s * 0.72), s // 20, fill="#e9eef7")
        draw.rounded_rectangle((s * 0.36, s * 0.36, s * 0.64, s * 0.64), s // 40, fill="#3a4a6b")
        for i in range(4):
            offset = 0.34 + i * 0.1
            for a, b, c, d in (
                (offset, 0.18, offset + 0.04, 0.28),
                (offset, 0.72, offset + 0.04, 0.82),
                (0.18, offset, 0.28, offset + 0.04),
                (0.72, offset, 0.82, offset + 0.04),
            ):
                draw.rectangle((s * a, s * b, s * c, s * d), fill="#e9eef7")
    else:
        draw.polygon(
            [
                (s * 0.5, s * 0.16),
                (s * 0.8, s * 0.28),
                (s * 0.74, s * 0.66),
                (s * 0.5, s * 0.86),
                (s * 0.26, s * 0.66),
                (s * 0.2, s * 0.28),
            ],
            fill="#fdfaf0",
        )
        draw.line(
            [(s * 0.37, s * 0.5), (s * 0.47, s * 0.6), (s * 0.65, s * 0.4)],
            fill=_shade(colour, 0.7),
            width=s // 22,
            joint="curve",
        )
    return _png(image, size, f"avatar-{seed}")


# Products -----------------------------------------------------------------------------


def product(kind: str, colour: str, *, name: str, size: int = 600) -> ContentFile:
    """A product on a softly lit table: "tin", "leaves", "gaiwan", "keyboard", "dock" or
    "stand", in the product's ``colour``."""
    s = size * SCALE
    image, draw = _canvas(size, "#fbfaf7", "#e9e5dc")
    draw.rectangle((0, s * 0.72, s, s), fill="#ded8cc")
    dark, light = _shade(colour, 0.7), _shade(colour, 1.3)
    if kind == "tin":
        _shadow(image, (s * 0.25, s * 0.74, s * 0.8, s * 0.84))
        draw.rectangle((s * 0.3, s * 0.3, s * 0.7, s * 0.78), fill=colour)
        draw.ellipse((s * 0.3, s * 0.72, s * 0.7, s * 0.84), fill=colour)
        draw.rectangle((s * 0.3, s * 0.24, s * 0.7, s * 0.34), fill=dark)
        draw.ellipse((s * 0.3, s * 0.18, s * 0.7, s * 0.3), fill=light)
        draw.rounded_rectangle((s * 0.36, s * 0.44, s * 0.64, s * 0.66), s // 60, fill="#f7f0dc")
        _leaf(draw, s, (0.5, 0.55), 0.16, 0.09, -40, colour, dark)
    elif kind == "leaves":
        _shadow(image, (s * 0.14, s * 0.68, s * 0.86, s * 0.84))
        draw.ellipse(
            (s * 0.14, s * 0.6, s * 0.86, s * 0.8),
            fill="#f3efe6",
            outline="#cfc6b4",
            width=s // 150,
        )
        rng = random.Random(name)
        for _ in range(38):
            x, y = rng.uniform(0.24, 0.72), rng.uniform(0.6, 0.71)
            w, h = rng.uniform(0.05, 0.09), rng.uniform(0.02, 0.035)
            shade = rng.choice([colour, dark, light])
            draw.ellipse((s * x, s * y, s * (x + w), s * (y + h)), fill=shade)
        _leaf(draw, s, (0.44, 0.36), 0.36, 0.17, -35, colour, dark)
        _leaf(draw, s, (0.6, 0.4), 0.3, 0.14, -75, light, dark)
    elif kind == "gaiwan":
        _shadow(image, (s * 0.18, s * 0.72, s * 0.82, s * 0.84))
        draw.ellipse((s * 0.2, s * 0.66, s * 0.8, s * 0.8), fill=dark)
        draw.chord((s * 0.28, s * 0.34, s * 0.72, s * 0.8), 0, 180, fill=colour)
        draw.ellipse((s * 0.26, s * 0.5, s * 0.74, s * 0.62), fill=light)
        draw.chord((s * 0.3, s * 0.36, s * 0.7, s * 0.62), 180, 360, fill=colour)
        draw.ellipse((s * 0.45, s * 0.33, s * 0.55, s * 0.4), fill=dark)
        draw.arc((s * 0.33, s * 0.52, s * 0.67, s * 0.74), 20, 160, fill=light, width=s // 120)
    elif kind == "keyboard":
        _shadow(image, (s * 0.06, s * 0.66, s * 0.94, s * 0.8))
        draw.polygon(
            [(s * 0.12, s * 0.7), (s * 0.88, s * 0.7), (s * 0.8, s * 0.4), (s * 0.2, s * 0.4)],
            fill=dark,
        )
        for row in range(5):
            y0 = 0.43 + row * 0.053
            left, right = 0.205 - row * 0.016, 0.795 + row * 0.016
            keys = 14 - (row == 4) * 6
            width = (right - left) / keys
            for k in range(keys):
                x0 = left + k * width
                if row == 4 and k == 3:
                    width_k = width * 3
                elif row == 4 and 3 < k < 6:
                    continue
                else:
                    width_k = width
                draw.rounded_rectangle(
                    (s * (x0 + 0.003), s * y0, s * (x0 + width_k - 0.003), s * (y0 + 0.044)),
                    s // 200,
                    fill=light if (row + k) % 7 else "#e2432f",
                )
    elif kind == "dock":
        _shadow(image, (s * 0.12, s * 0.66, s * 0.88, s * 0.78))
        draw.rounded_rectangle((s * 0.14, s * 0.5, s * 0.86, s * 0.7), s // 30, fill=colour)
        draw.rounded_rectangle((s * 0.14, s * 0.5, s * 0.86, s * 0.56), s // 30, fill=light)
        for x in (0.2, 0.3, 0.4, 0.52, 0.64, 0.76):
            draw.rounded_rectangle(
                (s * x, s * 0.59, s * (x + 0.07), s * 0.64), s // 200, fill="#1d2330"
            )
        draw.line(
            [(s * 0.5, s * 0.5), (s * 0.5, s * 0.36), (s * 0.62, s * 0.24)],
            fill=dark,
            width=s // 70,
            joint="curve",
        )
    else:  # stand
        _shadow(image, (s * 0.16, s * 0.7, s * 0.84, s * 0.82))
        draw.polygon(
            [(s * 0.22, s * 0.76), (s * 0.3, s * 0.76), (s * 0.72, s * 0.4), (s * 0.66, s * 0.36)],
            fill=dark,
        )
        draw.polygon(
            [(s * 0.7, s * 0.76), (s * 0.78, s * 0.76), (s * 0.72, s * 0.4), (s * 0.66, s * 0.4)],
            fill=colour,
        )
        draw.polygon(
            [(s * 0.18, s * 0.52), (s * 0.7, s * 0.3), (s * 0.74, s * 0.34), (s * 0.22, s * 0.56)],
            fill=light,
        )
        draw.polygon(
            [(s * 0.3, s * 0.44), (s * 0.62, s * 0.3), (s * 0.56, s * 0.08), (s * 0.24, s * 0.22)],
            fill="#2b2f38",
        )
        draw.polygon(
            [(s * 0.32, s * 0.42), (s * 0.6, s * 0.3), (s * 0.55, s * 0.11), (s * 0.27, s * 0.23)],
            fill="#5d7fa8",
        )
    return _png(image, size, name)

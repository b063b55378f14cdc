"""Procedural stimuli: faces, bodies, scenes, objects and fLoc-style subcategories.

Every image is drawn from a seeded ``numpy.random.Generator`` with Pillow, so the same seed gives
the same pixels. The drawings are crude but carry the attributes the analyses need: human vs
animal faces, exposed vs covered bodies, scenes with vs without people.
"""

from __future__ import annotations

from typing import cast

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

Color = tuple[int, int, int]

SKIN: list[Color] = [(241, 194, 167), (224, 172, 105), (198, 134, 66), (141, 85, 36),
                     (255, 219, 172)]
FUR: list[Color] = [(120, 80, 40), (90, 90, 90), (200, 160, 100), (60, 40, 20), (170, 120, 60)]
CLOTH: list[Color] = [(30, 60, 150), (150, 30, 30), (40, 110, 40), (60, 60, 60), (120, 80, 160)]



def _rgb(rng: np.random.Generator, palette: list[Color], jitter: int = 15) -> Color:
    base = np.array(palette[rng.integers(len(palette))])
    rgb = np.clip(base + rng.integers(-jitter, jitter + 1, 3), 0, 255)
    return cast(Color, tuple(int(v) for v in rgb))


def _background(rng: np.random.Generator, size: int) -> Image.Image:
    """Smooth random texture (low-pass filtered noise around a random mean colour)."""
    mean = rng.integers(60, 200, 3)
    noise = rng.normal(0, 40, (size // 8 + 1, size // 8 + 1, 3))
    small = np.clip(mean + noise, 0, 255).astype(np.uint8)
    return Image.fromarray(small).resize((size, size), Image.Resampling.BICUBIC)


def _ellipse(d: ImageDraw.ImageDraw, cx: float, cy: float, rx: float, ry: float,
             fill: Color) -> None:
    d.ellipse([cx - rx, cy - ry, cx + rx, cy + ry], fill=fill)


def face(rng: np.random.Generator, size: int, species: str, child: bool = False) -> Image.Image:
    """A frontal face; species 'human' (skin, hair) or 'animal' (fur, ears, snout)."""
    img = _background(rng, size)
    d = ImageDraw.Draw(img)
    s = size * rng.uniform(0.8, 1.0)
    cx, cy = size / 2 + rng.uniform(-0.05, 0.05) * size, size / 2 + rng.uniform(-0.05, 0.05) * size
    rx, ry = 0.28 * s, 0.36 * s * (0.9 if child else 1.0)
    if species == "human":
        skin = _rgb(rng, SKIN)
        hair = _rgb(rng, FUR[1:] + [(20, 20, 20)])
        _ellipse(d, cx, cy - 0.12 * ry, rx * 1.08, ry * 0.95, hair)
        _ellipse(d, cx, cy + 0.05 * ry, rx, ry, skin)
        eye_r = 0.07 * s * (1.3 if child else 1.0)
        for sx in (-1, 1):
            _ellipse(d, cx + sx * 0.4 * rx, cy - 0.05 * ry, eye_r, eye_r * 0.6, (250, 250, 250))
            _ellipse(d, cx + sx * 0.4 * rx, cy - 0.05 * ry, eye_r * 0.45, eye_r * 0.45,
                     (40, 30, 20))
        d.line([cx, cy, cx - 0.06 * s, cy + 0.25 * ry], fill=(120, 80, 60), width=2)
        d.arc([cx - 0.35 * rx, cy + 0.3 * ry, cx + 0.35 * rx, cy + 0.6 * ry], 20, 160,
              fill=(150, 50, 50), width=max(2, size // 60))
    else:
        fur = _rgb(rng, FUR, jitter=25)
        for sx in (-1, 1):  # ears on top of the head
            d.polygon([(cx + sx * 0.5 * rx, cy - 0.6 * ry), (cx + sx * 1.0 * rx, cy - 1.25 * ry),
                       (cx + sx * 0.1 * rx, cy - 0.85 * ry)], fill=fur)
        _ellipse(d, cx, cy, rx * 1.1, ry * 0.9, fur)
        snout = cast(Color, tuple(min(255, c + 40) for c in fur))
        _ellipse(d, cx, cy + 0.35 * ry, 0.45 * rx, 0.3 * ry, snout)
        _ellipse(d, cx, cy + 0.22 * ry, 0.12 * rx, 0.08 * ry, (20, 20, 20))
        for sx in (-1, 1):
            _ellipse(d, cx + sx * 0.42 * rx, cy - 0.15 * ry, 0.06 * s, 0.06 * s, (30, 20, 10))
        img = img.filter(ImageFilter.SMOOTH)
    return img


def body(rng: np.random.Generator, size: int, clothing: str, limb_only: bool = False
         ) -> Image.Image:
    """A headless body (or one limb); clothing 'exposed' (skin limbs) or 'covered'."""
    img = _background(rng, size)
    d = ImageDraw.Draw(img)
    skin, cloth = _rgb(rng, SKIN), _rgb(rng, CLOTH)
    limb_col = skin if clothing == "exposed" else cloth
    w = max(3, int(size * 0.07))
    if limb_only:
        x0, y0 = rng.uniform(0.2, 0.4) * size, rng.uniform(0.1, 0.3) * size
        x1, y1 = rng.uniform(0.5, 0.8) * size, rng.uniform(0.6, 0.9) * size
        d.line([x0, y0, x1, y1], fill=limb_col, width=int(w * 1.8))
        _ellipse(d, x1, y1, w * 1.2, w * 0.9, skin)  # hand or foot
        return img
    cx, top = size / 2, size * 0.18
    torso = cloth if clothing == "covered" else skin
    d.rectangle([cx - 0.14 * size, top, cx + 0.14 * size, top + 0.38 * size], fill=torso)
    if clothing == "exposed":  # short clothing only
        d.rectangle([cx - 0.14 * size, top + 0.28 * size, cx + 0.14 * size, top + 0.4 * size],
                    fill=cloth)
    for sx in (-1, 1):
        a = rng.uniform(-0.6, 0.9)
        sh = (cx + sx * 0.14 * size, top + 0.03 * size)
        hand = (sh[0] + sx * 0.25 * size * np.cos(a), sh[1] + 0.25 * size * np.sin(a) + 0.1 * size)
        d.line([sh, hand], fill=limb_col, width=w)
        _ellipse(d, hand[0], hand[1], w * 0.7, w * 0.7, skin)
        hip = (cx + sx * 0.08 * size, top + 0.38 * size)
        foot = (hip[0] + sx * rng.uniform(0.0, 0.12) * size, size * 0.95)
        d.line([hip, foot], fill=limb_col, width=int(w * 1.2))
    return img


def _person(d: ImageDraw.ImageDraw, x: float, y: float, h: float, rng: np.random.Generator
            ) -> None:
    cloth, skin = _rgb(rng, CLOTH), _rgb(rng, SKIN)
    _ellipse(d, x, y - 0.85 * h, 0.09 * h, 0.1 * h, skin)
    d.rectangle([x - 0.12 * h, y - 0.75 * h, x + 0.12 * h, y - 0.35 * h], fill=cloth)
    d.line([x - 0.06 * h, y - 0.35 * h, x - 0.08 * h, y], fill=cloth, width=max(1, int(h / 12)))
    d.line([x + 0.06 * h, y - 0.35 * h, x + 0.08 * h, y], fill=cloth, width=max(1, int(h / 12)))


def scene(rng: np.random.Generator, size: int, people: bool, kind: str | None = None
          ) -> Image.Image:
    """An outdoor street/house or indoor corridor scene, optionally with people in it."""
    kind = kind or ("corridor" if rng.random() < 0.4 else "house")
    img = Image.new("RGB", (size, size))
    d = ImageDraw.Draw(img)
    if kind == "corridor":
        wall, floor = _rgb(rng, [(200, 190, 170), (170, 170, 180)]), _rgb(rng, [(120, 100, 80)])
        d.rectangle([0, 0, size, size], fill=wall)
        vx, vy = size / 2 + rng.uniform(-0.1, 0.1) * size, size * 0.45
        d.polygon([(0, size), (size, size), (vx + 0.1 * size, vy), (vx - 0.1 * size, vy)],
                  fill=floor)
        d.rectangle([vx - 0.1 * size, vy - 0.15 * size, vx + 0.1 * size, vy], fill=(60, 60, 60))
        for k in range(6):  # receding lines of doors and ceiling
            t = k / 6
            x = t * (vx - 0.1 * size)
            d.line([x, t * vy * 0.6, x, size - t * (size - vy)], fill=(90, 80, 70), width=2)
            d.line([size - x, t * vy * 0.6, size - x, size - t * (size - vy)], fill=(90, 80, 70),
                   width=2)
        ground = size * 0.95
    else:
        sky = _rgb(rng, [(135, 190, 235), (180, 200, 220), (100, 150, 210)])
        d.rectangle([0, 0, size, size * 0.6], fill=sky)
        d.rectangle([0, size * 0.6, size, size], fill=_rgb(rng, [(90, 140, 60), (120, 120, 120)]))
        for _ in range(rng.integers(2, 5)):
            x0 = rng.uniform(-0.1, 0.8) * size
            w, h = rng.uniform(0.15, 0.35) * size, rng.uniform(0.2, 0.5) * size
            d.rectangle([x0, size * 0.6 - h, x0 + w, size * 0.6], fill=_rgb(rng, CLOTH, 40))
            for wy in np.arange(size * 0.6 - h + 4, size * 0.6 - 6, max(6, size / 14)):
                for wx in np.arange(x0 + 3, x0 + w - 6, max(6, size / 14)):
                    d.rectangle([wx, wy, wx + size / 40, wy + size / 40], fill=(230, 230, 150))
        ground = size * 0.8
    if people:
        for _ in range(rng.integers(1, 4)):
            _person(d, rng.uniform(0.15, 0.85) * size, ground, rng.uniform(0.25, 0.45) * size, rng)
    return img


def obj(rng: np.random.Generator, size: int, kind: str | None = None) -> Image.Image:
    """A manufactured object on a plain background: a car, a string instrument or a tool."""
    img = Image.new("RGB", (size, size), _rgb(rng, [(210, 210, 210), (180, 170, 160)], 30))
    d = ImageDraw.Draw(img)
    col = _rgb(rng, CLOTH + [(200, 180, 40)], 40)
    kind = kind or ["car", "instrument", "tool", "cup"][rng.integers(4)]
    cx, cy = size / 2, size / 2
    if kind == "car":
        d.rectangle([0.15 * size, 0.45 * size, 0.85 * size, 0.65 * size], fill=col)
        d.polygon([(0.3 * size, 0.45 * size), (0.38 * size, 0.32 * size),
                   (0.62 * size, 0.32 * size), (0.72 * size, 0.45 * size)], fill=col)
        for x in (0.3, 0.7):
            _ellipse(d, x * size, 0.66 * size, 0.08 * size, 0.08 * size, (20, 20, 20))
    elif kind == "instrument":
        _ellipse(d, cx, 0.68 * size, 0.2 * size, 0.18 * size, col)
        _ellipse(d, cx, 0.48 * size, 0.15 * size, 0.13 * size, col)
        d.rectangle([cx - 0.03 * size, 0.08 * size, cx + 0.03 * size, 0.45 * size],
                    fill=(80, 50, 20))
        _ellipse(d, cx, 0.62 * size, 0.05 * size, 0.05 * size, (20, 20, 20))
    elif kind == "tool":
        a = rng.uniform(0, np.pi)
        dx, dy = 0.35 * size * np.cos(a), 0.35 * size * np.sin(a)
        d.line([cx - dx, cy - dy, cx + dx, cy + dy], fill=(90, 60, 30), width=max(3, size // 16))
        d.rectangle([cx + dx - 0.1 * size, cy + dy - 0.06 * size, cx + dx + 0.1 * size,
                     cy + dy + 0.06 * size], fill=col)
    else:
        d.rectangle([cx - 0.18 * size, cy - 0.2 * size, cx + 0.18 * size, cy + 0.25 * size],
                    fill=col)
        d.arc([cx + 0.1 * size, cy - 0.1 * size, cx + 0.32 * size, cy + 0.12 * size], 270, 90,
              fill=col, width=max(3, size // 25))
    return img


def characters(rng: np.random.Generator, size: int, numeric: bool) -> Image.Image:
    """A string of pseudo-letters or digits (fLoc 'word' / 'number')."""
    img = Image.new("RGB", (size, size), (128, 128, 128))
    d = ImageDraw.Draw(img)
    alphabet = "0123456789" if numeric else "abcdefghijklmnoprstuvw"
    text = "".join(alphabet[i] for i in rng.integers(len(alphabet), size=rng.integers(4, 7)))
    small = Image.new("L", (8 * len(text) + 4, 14), 128)
    ImageDraw.Draw(small).text((2, 1), text, fill=0)
    scale = size * 0.8 / small.width
    big = small.resize((int(small.width * scale), int(small.height * scale)),
                       Image.Resampling.NEAREST)
    img.paste(Image.merge("RGB", [big] * 3), (int(size * 0.1), int(size / 2 - big.height / 2)))
    del d
    return img


def render(category: str, attribute: str, rng: np.random.Generator, size: int) -> np.ndarray:
    """One NSD-style colour image (size, size, 3) uint8.

    category: face | body | scene | object; attribute: human/animal, exposed/covered,
    people/nopeople, or '' for objects.
    """
    if category == "face":
        img = face(rng, size, attribute)
    elif category == "body":
        img = body(rng, size, attribute)
    elif category == "scene":
        img = scene(rng, size, attribute == "people")
    elif category == "object":
        img = obj(rng, size)
    else:
        raise ValueError(f"unknown category {category!r}")
    return np.asarray(img, dtype=np.uint8)


def render_floc(subcategory: str, rng: np.random.Generator, size: int) -> Image.Image:
    """An fLoc-style grayscale image: the exemplar over a phase-scrambled-like background."""
    maker = {
        "adult": lambda: face(rng, size, "human"), "child": lambda: face(rng, size, "human", True),
        "body": lambda: body(rng, size, ["exposed", "covered"][rng.integers(2)]),
        "limb": lambda: body(rng, size, "exposed", limb_only=True),
        "corridor": lambda: scene(rng, size, False, "corridor"),
        "house": lambda: scene(rng, size, False, "house"),
        "word": lambda: characters(rng, size, False), "number": lambda: characters(rng, size, True),
        "car": lambda: obj(rng, size, "car"), "instrument": lambda: obj(rng, size, "instrument"),
    }
    if subcategory not in maker:
        raise ValueError(f"unknown fLoc subcategory {subcategory!r}")
    return maker[subcategory]().convert("L")


def identity_params(rng: np.random.Generator) -> dict[str, float]:
    """Parameters that fix a synthetic person's face (shape, features, hair)."""
    return {"rx": rng.uniform(0.26, 0.36), "ry": rng.uniform(0.34, 0.44),
            "eye_dx": rng.uniform(0.28, 0.5), "eye_r": rng.uniform(0.04, 0.08),
            "nose": rng.uniform(0.1, 0.25), "mouth": rng.uniform(0.2, 0.45),
            "skin": rng.uniform(120, 220), "hair": rng.uniform(10, 110),
            "hair_h": rng.uniform(0.0, 0.35), "brow": rng.uniform(0.0, 1.0)}


def identity_face(p: dict[str, float], rng: np.random.Generator, width: int = 92,
                  height: int = 112) -> Image.Image:
    """A grayscale portrait of identity ``p`` (ORL-like: 92 x 112, dark background) with
    image-specific pose, scale, lighting and expression."""
    img = Image.new("L", (width, height), int(rng.uniform(10, 40)))
    d = ImageDraw.Draw(img)
    s = width * rng.uniform(0.92, 1.08)
    cx = width / 2 + rng.uniform(-0.08, 0.08) * width
    cy = height / 2 + rng.uniform(-0.05, 0.05) * height
    rx, ry = p["rx"] * s, p["ry"] * s
    d.ellipse([cx - rx * 1.05, cy - ry * (1.0 + p["hair_h"]), cx + rx * 1.05, cy + ry * 0.2],
              fill=int(p["hair"]))
    d.ellipse([cx - rx, cy - ry * 0.85, cx + rx, cy + ry], fill=int(p["skin"]))
    turn = rng.uniform(-0.1, 0.1) * rx
    for sx in (-1, 1):
        ex = cx + turn + sx * p["eye_dx"] * rx
        er = p["eye_r"] * s
        d.ellipse([ex - er, cy - 0.15 * ry - er * 0.6, ex + er, cy - 0.15 * ry + er * 0.6],
                  fill=30)
        if p["brow"] > 0.5:
            d.line([ex - er * 1.3, cy - 0.3 * ry, ex + er * 1.3, cy - 0.3 * ry], fill=40, width=2)
    d.line([cx + turn, cy - 0.05 * ry, cx + turn, cy + p["nose"] * ry], fill=int(p["skin"] * 0.6),
           width=2)
    mw, smile = p["mouth"] * rx * 2, rng.uniform(-0.08, 0.12) * ry
    d.arc([cx + turn - mw / 2, cy + 0.45 * ry - abs(smile), cx + turn + mw / 2,
           cy + 0.45 * ry + abs(smile) + 1], 0 if smile >= 0 else 180, 180 if smile >= 0 else 360,
          fill=50, width=2)
    arr = np.asarray(img, dtype=np.float64)
    light = np.linspace(rng.uniform(0.7, 1.0), rng.uniform(0.7, 1.0), width)[None, :]
    arr = np.clip(arr * light + rng.normal(0, 4, arr.shape), 0, 255)
    return Image.fromarray(arr.astype(np.uint8))
